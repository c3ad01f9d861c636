"""Leaves out the −‖x‖²/2 in the exponent: φ(x) = exp(ω·x) / √M. Then
E[φ(q)·φ(k)] = exp(‖q + k‖²/2) = exp(q·k) · exp(‖q‖²/2) · exp(‖k‖²/2). The
query's factor cancels in the normalisation; the key's does not, so keys
with large norms get too much weight."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_features_match_the_formula",
    "test_attention_matches_the_formula_for_a_given_projection",
    "test_many_random_features_approach_softmax_attention",
)


def favor_features(x, projection):
    return torch.exp(x @ projection.transpose(-1, -2)) / math.sqrt(projection.shape[0])  # no - |x|² / 2


def performer_attention(q, k, v, projection):
    scale = q.shape[-1] ** -0.25
    phi_q, phi_k = favor_features(q * scale, projection), favor_features(k * scale, projection)
    kv = phi_k.transpose(-1, -2) @ v
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
