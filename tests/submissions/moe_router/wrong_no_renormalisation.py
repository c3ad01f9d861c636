"""Mistake: the top-k probabilities are returned as they come out of the softmax,
without dividing by their sum, so a token's weights add up to less than 1 (for
k = 1 the single weight is the top probability instead of 1)."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_weights_are_the_top_k_probabilities_renormalised",
    "test_large_logits_do_not_overflow",
    "test_realistic_batches_match_the_oracle",
)


def top_k_routing(router_logits, k):
    probs = torch.softmax(router_logits, dim=-1)
    weights, experts = probs.sort(dim=-1, descending=True, stable=True)
    return weights[:, :k], experts[:, :k]  # never renormalised


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    probs = torch.softmax(router_logits, dim=-1)
    f = torch.bincount(experts.reshape(-1), minlength=num_experts).to(probs.dtype) / experts.numel()
    return num_experts * (f * probs.mean(dim=0)).sum()


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return math.ceil(k * n_tokens * capacity_factor / n_experts)
