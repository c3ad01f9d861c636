"""Right numbers the quadratic way: forms the T × S matrix of weights
φ(q_i)·φ(k_j), normalises its rows and multiplies by v. The features are
there to avoid exactly that matrix; this costs O(T·S·M)."""

import math

import torch

EXPECTED_TO_FAIL = ("test_never_builds_a_matrix_of_scores",)


def favor_features(x, projection):
    m = projection.shape[0]
    return torch.exp(x @ projection.transpose(-1, -2) - x.pow(2).sum(dim=-1, keepdim=True) / 2) / math.sqrt(m)


def performer_attention(q, k, v, projection):
    scale = q.shape[-1] ** -0.25
    weights = favor_features(q * scale, projection) @ favor_features(k * scale, projection).transpose(-1, -2)
    return (weights / weights.sum(dim=-1, keepdim=True)) @ v  # (..., T, S) weights
