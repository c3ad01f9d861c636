"""Applies the margin to every class, not only to the target: the non-target
logits become s·cos(θ + m) too, which makes the other classes easier instead
of the target harder."""

import math

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_logits_match_a_float64_formula",
    "test_non_target_logits_are_scaled_cosines",
)


def arcface_logits(embeddings, weight, labels, s=64.0, m=0.5, easy_margin=False):
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(weight, dim=1).T
    sine = torch.sqrt((1.0 - cosine**2).clamp(0, 1))
    phi = cosine * math.cos(m) - sine * math.sin(m)
    if easy_margin:
        phi = torch.where(cosine > 0, phi, cosine)
    else:
        phi = torch.where(cosine > math.cos(math.pi - m), phi, cosine - m * math.sin(m))
    return s * phi  # the margin should go to the target class only
