"""Normalises the embeddings but not the class weights: the logits are then
|W_c|·cos θ, not cos θ, and depend on the length of each class centre."""

import math

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_logits_match_a_float64_formula",
    "test_rescaling_rows_changes_nothing",
)


def arcface_logits(embeddings, weight, labels, s=64.0, m=0.5, easy_margin=False):
    cosine = F.normalize(embeddings, dim=1) @ weight.T  # weight rows not normalised
    sine = torch.sqrt((1.0 - cosine**2).clamp(0, 1))
    phi = cosine * math.cos(m) - sine * math.sin(m)
    if easy_margin:
        phi = torch.where(cosine > 0, phi, cosine)
    else:
        phi = torch.where(cosine > math.cos(math.pi - m), phi, cosine - m * math.sin(m))
    is_target = F.one_hot(labels, num_classes=weight.shape[0]).bool()
    return s * torch.where(is_target, phi, cosine)
