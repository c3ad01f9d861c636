"""Reference solution: ArcFace logits (Deng et al., 2019), as in insightface."""

import math

import torch
import torch.nn.functional as F


def arcface_logits(
    embeddings: torch.Tensor,
    weight: torch.Tensor,
    labels: torch.Tensor,
    s: float = 64.0,
    m: float = 0.5,
    easy_margin: bool = False,
) -> torch.Tensor:
    # cos θ between every embedding and every class centre: a product of unit vectors.
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(weight, dim=1).T
    # Rounding can push |cos θ| a hair past 1; clamp so that sin θ stays real.
    sine = torch.sqrt((1.0 - cosine**2).clamp(0, 1))
    # cos(θ + m) by the angle-addition formula: no acos needed.
    phi = cosine * math.cos(m) - sine * math.sin(m)
    if easy_margin:
        # Add the margin only where θ < π/2.
        phi = torch.where(cosine > 0, phi, cosine)
    else:
        # Past θ = π - m, cos(θ + m) would rise again (θ + m > π); there the
        # penalty becomes linear instead, keeping the logit decreasing in θ.
        phi = torch.where(cosine > math.cos(math.pi - m), phi, cosine - m * math.sin(m))
    # The margin goes to each row's own class only.
    is_target = F.one_hot(labels, num_classes=weight.shape[0]).bool()
    return s * torch.where(is_target, phi, cosine)
