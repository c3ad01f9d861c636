"""Mistake: the softmax is written as exp(x) / sum(exp(x)) without subtracting the
row maximum first, so logits above about 88 (float32) or 709 (float64) overflow
to inf and the weights become NaN."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_large_logits_do_not_overflow",
    "test_uniform_router_gives_loss_one",
)


def softmax(logits):
    exps = torch.exp(logits)  # overflows for large logits
    return exps / exps.sum(dim=-1, keepdim=True)


def top_k_routing(router_logits, k):
    probs = softmax(router_logits)
    top, experts = probs.sort(dim=-1, descending=True, stable=True)
    top, experts = top[:, :k], experts[:, :k]
    return top / top.sum(dim=-1, keepdim=True), experts


def load_balancing_loss(router_logits, experts):
    num_experts = router_logits.shape[-1]
    probs = softmax(router_logits)
    f = torch.bincount(experts.reshape(-1), minlength=num_experts).to(probs.dtype) / experts.numel()
    return num_experts * (f * probs.mean(dim=0)).sum()


def expert_capacity(n_tokens, n_experts, k, capacity_factor):
    return math.ceil(k * n_tokens * capacity_factor / n_experts)
