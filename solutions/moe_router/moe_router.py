"""Reference solution: top-k routing for a mixture of experts, the Switch
Transformer load-balancing loss, and expert capacity."""

import math

import torch
from torch import Tensor


def top_k_routing(router_logits: Tensor, k: int) -> tuple[Tensor, Tensor]:
    # softmax subtracts each row's maximum before exp, so large logits cannot overflow.
    probs = torch.softmax(router_logits, dim=-1)  # (T, E)
    # A stable descending sort keeps equal probabilities in expert order, so ties go
    # to the lower index. torch.topk makes no such promise about ties.
    top_probs, experts = probs.sort(dim=-1, descending=True, stable=True)
    top_probs, experts = top_probs[:, :k], experts[:, :k]
    # Renormalise: the token's output is a weighted average of its k experts' outputs.
    weights = top_probs / top_probs.sum(dim=-1, keepdim=True)
    return weights, experts


def load_balancing_loss(router_logits: Tensor, experts: Tensor) -> Tensor:
    num_experts = router_logits.shape[-1]
    probs = torch.softmax(router_logits, dim=-1)  # (T, E), before top-k: every expert's probability
    # f_i: the share of the T·k assignments that went to expert i. It is a count, so
    # no gradient flows through it; the gradient reaches the router through P_i.
    counts = torch.bincount(experts.reshape(-1), minlength=num_experts)
    f = counts.to(probs.dtype) / experts.numel()
    # P_i: the mean router probability of expert i over the tokens.
    P = probs.mean(dim=0)
    # E · Σ f_i·P_i is 1 when either f or P is uniform.
    return num_experts * (f * P).sum()


def expert_capacity(n_tokens: int, n_experts: int, k: int, capacity_factor: float) -> int:
    # Each expert gets a buffer of this many token slots: its fair share of the
    # k·n_tokens assignments, times the slack the capacity factor allows.
    return math.ceil(k * n_tokens * capacity_factor / n_experts)
