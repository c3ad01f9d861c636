"""Correct, written differently from the reference: the angle θ = acos(cos θ)
of the target entries only (clamped into [-1, 1]), cos(θ + m) computed
directly, and the target column written with scatter into a copy."""

import math

import torch

EXPECTED_TO_FAIL = ()


def arcface_logits(embeddings, weight, labels, s=64.0, m=0.5, easy_margin=False):
    unit_e = embeddings / embeddings.norm(dim=1, keepdim=True)
    unit_w = weight / weight.norm(dim=1, keepdim=True)
    cosine = torch.einsum("bd,cd->bc", unit_e, unit_w)
    target_cos = cosine.gather(1, labels[:, None]).squeeze(1)
    theta = torch.acos(target_cos.clamp(-1.0, 1.0))
    with_margin = torch.cos(theta + m)
    if easy_margin:
        keep = target_cos <= 0
        new_target = torch.where(keep, target_cos, with_margin)
    else:
        past = target_cos <= math.cos(math.pi - m)
        new_target = torch.where(past, target_cos - m * math.sin(m), with_margin)
    logits = cosine.clone()
    logits.scatter_(1, labels[:, None], new_target[:, None])
    return logits * s
