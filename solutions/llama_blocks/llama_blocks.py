"""Reference solution: the building blocks of a LLaMA layer (RMSNorm, rotary
position embeddings, the SwiGLU feed-forward), as in Hugging Face's port."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def rms_norm(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    # Work in at least float32: in float16, x² overflows for |x| >= 256.
    x32 = x.float() if x.element_size() < 4 else x
    # Unlike LayerNorm: no mean is subtracted and there is no bias, only a scale.
    mean_square = x32.pow(2).mean(dim=-1, keepdim=True)
    normed = x32 * torch.rsqrt(mean_square + eps)
    return (normed * weight).to(x.dtype)


def rotate_half(x: Tensor) -> Tensor:
    # (x1, x2) -> (-x2, x1): a 90° turn of each pair (x[i], x[i + D/2]).
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    d = x.shape[-1]
    # inv_freq_i = base^(-2i/D) for i < D/2: one frequency per pair, fast to slow.
    # The angles stay in (at least) float32: a half-precision angle at position
    # 1000 is off by radians.
    angle_dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    inv_freq = base ** -(torch.arange(0, d, 2, dtype=angle_dtype) / d)
    angles = positions.to(angle_dtype)[:, None] * inv_freq[None, :]  # (T, D/2)
    angles = torch.cat((angles, angles), dim=-1)  # pair (i, i + D/2) shares angle i
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)  # broadcast over (B, H)
    return x * cos + rotate_half(x) * sin


def swiglu_ffn(x: Tensor, w_gate: Tensor, w_up: Tensor, w_down: Tensor) -> Tensor:
    # down( silu(x W_gateᵀ) ⊙ (x W_upᵀ) ): the gate goes through SiLU, the up projection does not.
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
