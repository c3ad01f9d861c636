"""Scales both q and k by 1/√D, as if each carried the whole softmax scale: the
features then estimate exp(q·k / D) instead of exp(q·k / √D), so the attention
is too flat. Each side takes the square root of the scale: D^(-1/4)."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_attention_matches_the_formula_for_a_given_projection",
    "test_many_random_features_approach_softmax_attention",
)


def favor_features(x, projection):
    m = projection.shape[0]
    return torch.exp(x @ projection.transpose(-1, -2) - x.pow(2).sum(dim=-1, keepdim=True) / 2) / math.sqrt(m)


def performer_attention(q, k, v, projection):
    scale = q.shape[-1] ** -0.5  # should be D ** -0.25 on each side
    phi_q, phi_k = favor_features(q * scale, projection), favor_features(k * scale, projection)
    kv = phi_k.transpose(-1, -2) @ v
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
