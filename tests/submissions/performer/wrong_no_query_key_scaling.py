"""Takes the features of q and k as they are, without the D^(-1/4) scaling:
φ(q)·φ(k) then estimates exp(q·k), not softmax attention's exp(q·k / √D): the
attention is as sharp as softmax at temperature 1/√D."""

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
    phi_q, phi_k = favor_features(q, projection), favor_features(k, projection)  # no D^(-1/4)
    kv = phi_k.transpose(-1, -2) @ v
    z = phi_k.sum(dim=-2, keepdim=True)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
