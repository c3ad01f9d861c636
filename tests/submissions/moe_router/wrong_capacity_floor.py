"""Mistake: the capacity is truncated with int() instead of rounded up, so an
expert's buffer is one slot short whenever the fair share is not a whole number
(10 tokens over 4 experts give 2 slots each: 8 slots for 10 tokens)."""

import torch

EXPECTED_TO_FAIL = (
    "test_expert_capacity_known_answers",
    "test_expert_capacity_is_the_ceiling_of_the_fair_share",
)


def top_k_routing(router_logits, k):
    probs = torch.softmax(router_logits, dim=-1)
    top, experts = probs.sort(dim=-1, descending=True, stable=True)
    top, experts = top[:, :k], experts[:, :k]
    return top / top.sum(dim=-1, keepdim=True), experts


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    probs = torch.softmax(router_logits, dim=-1)
    f = torch.bincount(experts.reshape(-1), minlength=num_experts).to(probs.dtype) / experts.numel()
    return num_experts * (f * probs.mean(dim=0)).sum()


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return int(k * n_tokens * capacity_factor / n_experts)  # should round up
