"""Correct, written differently from the reference: the experts are picked one at
a time with argmax (which returns the first maximum, hence the lower index on
ties), masking each pick with -inf; the weights are a softmax over the chosen
logits, as Mixtral writes it; the loss counts assignments with one_hot."""

import math

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ()


def top_k_routing(router_logits, k):
    remaining = router_logits.clone()
    picks = []
    for _ in range(k):
        best = remaining.argmax(dim=-1, keepdim=True)  # the first maximum in each row
        picks.append(best)
        remaining = remaining.scatter(-1, best, float("-inf"))
    if picks:
        experts = torch.cat(picks, dim=-1)
    else:
        experts = torch.empty(router_logits.shape[0], 0, dtype=torch.int64)
    # softmax of the k chosen logits = their probabilities divided by their sum
    weights = torch.softmax(router_logits.gather(-1, experts), dim=-1)
    return weights, experts


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    assigned = F.one_hot(experts, num_experts).to(router_logits.dtype)  # (T, k, E)
    fraction = assigned.sum(dim=(0, 1)) / (experts.shape[0] * experts.shape[1])
    mean_prob = torch.softmax(router_logits, dim=-1).mean(dim=0)
    return num_experts * torch.dot(fraction, mean_prob)


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return int(math.ceil(k * n_tokens * capacity_factor / n_experts))
