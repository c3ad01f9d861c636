"""Computes θ = acos(cos θ) and then cos(θ + m), without clamping: when rounding
makes a cosine 1.0000001 (an embedding along its class centre), acos returns
NaN. Right everywhere else."""

import math

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_embedding_along_its_class_centre_gets_cos_m",)


def arcface_logits(embeddings, weight, labels, s=64.0, m=0.5, easy_margin=False):
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(weight, dim=1).T
    theta = torch.acos(cosine)  # NaN for |cosine| > 1
    phi = torch.cos(theta + m)
    if easy_margin:
        phi = torch.where(cosine > 0, phi, cosine)
    else:
        phi = torch.where(cosine > math.cos(math.pi - m), phi, cosine - m * math.sin(m))
    is_target = F.one_hot(labels, num_classes=weight.shape[0]).bool()
    return s * torch.where(is_target, phi, cosine)
