"""Random Fourier features for the softmax kernel (the Performer paper's
"SM_trig"): φ(x) = exp(‖x‖²/2) / √M · [sin(ω·x), cos(ω·x)]. Unbiased too, but
the features take both signs (and there are 2M of them), so estimated weights
can be negative and the normaliser can approach zero or go negative."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_features_match_the_formula",
    "test_features_are_positive",
    "test_reordering_the_projection_reorders_the_features",
    "test_attention_matches_the_formula_for_a_given_projection",
)


def favor_features(x, projection):
    m = projection.shape[0]
    projected = x @ projection.transpose(-1, -2)
    scale = torch.exp(x.pow(2).sum(dim=-1, keepdim=True) / 2) / math.sqrt(m)
    return scale * torch.cat([torch.sin(projected), torch.cos(projected)], dim=-1)


def performer_attention(q, k, v, projection):
    scale = q.shape[-1] ** -0.25
    phi_q, phi_k = favor_features(q * scale, projection), favor_features(k * scale, projection)
    kv = phi_k.transpose(-1, -2) @ v
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
