"""Mistake: torch.topk chooses among equal probabilities in no promised order (on
the CPU it often returns the higher index first), so ties do not go to the lower
expert index. The weights are right: equal probabilities have equal weights."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_experts_are_the_most_probable_with_ties_to_the_lower_index",
)


def top_k_routing(router_logits, k):
    probs = torch.softmax(router_logits, dim=-1)
    top, experts = torch.topk(probs, k, dim=-1)
    return top / top.sum(dim=-1, keepdim=True), experts


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    probs = torch.softmax(router_logits, dim=-1)
    f = torch.bincount(experts.reshape(-1), minlength=num_experts).to(probs.dtype) / experts.numel()
    return num_experts * (f * probs.mean(dim=0)).sum()


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return math.ceil(k * n_tokens * capacity_factor / n_experts)
