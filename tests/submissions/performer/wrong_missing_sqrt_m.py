"""Forgets the 1 / √M: φ(x) = exp(ω·x − ‖x‖²/2), so φ(q)·φ(k) is a sum over
the M features rather than their mean. The attention is right (a constant
factor cancels in the normalisation), the features are not: their dot
product grows with M instead of estimating exp(q·k)."""

import torch

EXPECTED_TO_FAIL = ("test_worked_example", "test_features_match_the_formula")


def favor_features(x, projection):
    return torch.exp(x @ projection.transpose(-1, -2) - x.pow(2).sum(dim=-1, keepdim=True) / 2)  # / √M missing


def performer_attention(q, k, v, projection):
    scale = q.shape[-1] ** -0.25
    phi_q, phi_k = favor_features(q * scale, projection), favor_features(k * scale, projection)
    kv = phi_k.transpose(-1, -2) @ v
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
