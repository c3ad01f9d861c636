"""Mistake: f_i counts expert i's assignments per token (divided by T) instead of
as a share of the T·k assignments, so the loss is k times too large whenever
k > 1 (uniform routing gives k instead of 1). Hugging Face's Mixtral loss has
this scale."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_load_balancing_loss_matches_the_switch_formula",
    "test_uniform_router_gives_loss_one",
    "test_balanced_assignments_give_loss_one",
    "test_loss_of_a_calibrated_router_is_smallest_when_balanced",
    "test_realistic_batches_match_the_oracle",
)


def top_k_routing(router_logits, k):
    probs = torch.softmax(router_logits, dim=-1)
    top, experts = probs.sort(dim=-1, descending=True, stable=True)
    top, experts = top[:, :k], experts[:, :k]
    return top / top.sum(dim=-1, keepdim=True), experts


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    probs = torch.softmax(router_logits, dim=-1)
    tokens = router_logits.shape[0]
    f = torch.bincount(experts.reshape(-1), minlength=num_experts).to(probs.dtype) / tokens  # should be / (T·k)
    return num_experts * (f * probs.mean(dim=0)).sum()


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return math.ceil(k * n_tokens * capacity_factor / n_experts)
