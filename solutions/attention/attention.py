"""Reference solution: scaled dot-product attention and multi-head attention
(Vaswani et al., *Attention Is All You Need*, 2017)."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, causal: bool = False, scale: float | None = None
) -> Tensor:
    if scale is None:
        # 1/√D keeps the scores' variance near 1 when q and k have unit-variance entries,
        # so the softmax does not saturate as D grows.
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., Lq, Lk): one row per query
    allowed = torch.ones(scores.shape[-2:], dtype=torch.bool)
    if causal:
        # Top-left aligned, as torch's is_causal: query i sees keys 0..i.
        allowed = torch.tril(allowed)
    if mask is not None:
        allowed = allowed & mask  # True = may attend; broadcasts to (..., Lq, Lk)
    scores = scores.masked_fill(~allowed, float("-inf"))
    # softmax over the keys (the last axis): each query's weights sum to 1. torch.softmax
    # subtracts the row maximum before exp, so a large offset cannot overflow.
    weights = torch.softmax(scores, dim=-1)
    return weights @ v  # (..., Lq, Dv)


def multi_head_attention(
    x: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor, w_o: Tensor, n_heads: int, causal: bool = False
) -> Tensor:
    batch, length, d_model = x.shape
    head_dim = d_model // n_heads

    def split_heads(t: Tensor) -> Tensor:
        # (B, T, d_model) -> (B, T, H, D) -> (B, H, T, D): head h owns features h·D .. h·D + D - 1.
        return t.reshape(batch, length, n_heads, head_dim).transpose(1, 2)

    # nn.Linear weights: y = x Wᵀ.
    q, k, v = (split_heads(x @ w.T) for w in (w_q, w_k, w_v))
    heads = scaled_dot_product_attention(q, k, v, causal=causal)  # scale 1/√D, D the head size
    merged = heads.transpose(1, 2).reshape(batch, length, d_model)  # concatenate the heads
    return merged @ w_o.T
