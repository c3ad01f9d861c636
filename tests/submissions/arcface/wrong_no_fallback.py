"""cos(θ + m) everywhere: without the fallback, a target whose angle is past
π - m gets cos(θ + m) with θ + m > π, which rises again as the sample points
further away from its class."""

import math

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_logits_match_a_float64_formula",
    "test_targets_pointing_away_take_the_fallback",
)


def arcface_logits(embeddings, weight, labels, s=64.0, m=0.5, easy_margin=False):
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(weight, dim=1).T
    sine = torch.sqrt((1.0 - cosine**2).clamp(0, 1))
    phi = cosine * math.cos(m) - sine * math.sin(m)
    if easy_margin:
        phi = torch.where(cosine > 0, phi, cosine)
    is_target = F.one_hot(labels, num_classes=weight.shape[0]).bool()
    return s * torch.where(is_target, phi, cosine)
