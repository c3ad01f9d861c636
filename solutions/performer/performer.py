"""Reference solution: the Performer's FAVOR+ attention with positive random
features (Choromanski et al., "Rethinking Attention with Performers", 2021)."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def favor_features(x: Tensor, projection: Tensor) -> Tensor:
    # φ(x)_m = exp(ω_m·x − ‖x‖²/2) / √M. For ω ~ N(0, I):
    # E[exp(ω·(q + k))] = exp(‖q + k‖²/2), so E[φ(q)·φ(k)] = exp(q·k), with every feature positive.
    m = projection.shape[0]
    projected = x @ projection.transpose(-1, -2)  # ω_m·x for every m, (..., T, M)
    half_norm = x.pow(2).sum(dim=-1, keepdim=True) / 2  # ‖x‖²/2, (..., T, 1)
    return torch.exp(projected - half_norm) / math.sqrt(m)


def performer_attention(q: Tensor, k: Tensor, v: Tensor, projection: Tensor) -> Tensor:
    # Softmax attention weighs key j by exp(q·k_j / √D) = exp(q'·k'_j) with q' = q / D^(1/4)
    # and k' = k / D^(1/4): scale both, then estimate exp(q'·k') with the features.
    scale = q.shape[-1] ** -0.25
    phi_q = favor_features(q * scale, projection)  # (..., T, M)
    phi_k = favor_features(k * scale, projection)  # (..., S, M)
    # Normalised as linear attention, through M × Dv sums instead of a T × S matrix.
    kv = phi_k.transpose(-1, -2) @ v  # Σ_j φ(k_j) v_jᵀ, (..., M, Dv)
    z = phi_k.sum(dim=-2, keepdim=True)  # Σ_j φ(k_j), (..., 1, M)
    return (phi_q @ kv) / (phi_q * z).sum(dim=-1, keepdim=True)
