"""Reference solution: DeepSeek-V2's multi-head latent attention (DeepSeek-AI,
*DeepSeek-V2*, 2024), without the decoupled RoPE part: the naive form, the
absorbed form that works on the latent alone, and the cache sizes."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def attend(q: Tensor, k: Tensor, v: Tensor, scale: float, causal: bool) -> Tensor:
    """softmax(q kᵀ · scale) v over the last two axes, top-left causal if asked."""
    scores = (q @ k.transpose(-2, -1)) * scale
    if causal:
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def mla_attention(
    x: Tensor, w_dkv: Tensor, w_uk: Tensor, w_uv: Tensor, w_q: Tensor, w_o: Tensor, n_heads: int, causal: bool = True
) -> Tensor:
    batch, length, _ = x.shape
    head_dim = w_q.shape[0] // n_heads

    def split_heads(t: Tensor) -> Tensor:  # (B, T, H·D) -> (B, H, T, D)
        return t.reshape(batch, length, n_heads, head_dim).transpose(1, 2)

    c_kv = x @ w_dkv.T  # (B, T, d_c): the latent, the only thing a decoder caches
    q = split_heads(x @ w_q.T)
    k = split_heads(c_kv @ w_uk.T)  # keys and values are up-projected from the latent
    v = split_heads(c_kv @ w_uv.T)
    o = attend(q, k, v, 1.0 / math.sqrt(head_dim), causal)  # (B, H, T, D)
    return o.transpose(1, 2).reshape(batch, length, -1) @ w_o.T


def mla_absorbed(
    x: Tensor, w_dkv: Tensor, w_uk: Tensor, w_uv: Tensor, w_q: Tensor, w_o: Tensor, n_heads: int, causal: bool = True
) -> Tensor:
    d_model, d_c = x.shape[-1], w_dkv.shape[0]
    head_dim = w_q.shape[0] // n_heads
    # Per-head blocks of the weights: rows h·D .. h·D + D - 1 of W_q, W_uk, W_uv and the
    # same columns of W_o belong to head h.
    w_q_h = w_q.reshape(n_heads, head_dim, d_model)  # (H, D, d)
    w_uk_h = w_uk.reshape(n_heads, head_dim, d_c)  # (H, D, d_c)
    w_uv_h = w_uv.reshape(n_heads, head_dim, d_c)  # (H, D, d_c)
    w_o_h = w_o.reshape(d_model, n_heads, head_dim).transpose(0, 1)  # (H, d, D)

    # Scores of head h: q_hᵀ k_h = (W_q,h x)ᵀ (W_uk,h c) = (W_uk,hᵀ W_q,h x)ᵀ c.
    # So W_uk,h is absorbed into the query side: one (d_c, d) matrix per head; a sum over
    # all heads at once would mix the heads' scores.
    w_q_absorbed = w_uk_h.transpose(1, 2) @ w_q_h  # (H, d_c, d)
    # Output: Σ_h W_o,h (A_h V_h) = Σ_h W_o,h W_uv,h (A_h c), so W_uv,h is absorbed into W_o.
    w_o_absorbed = w_o_h @ w_uv_h  # (H, d, d_c)

    c_kv = (x @ w_dkv.T).unsqueeze(1)  # (B, 1, T, d_c), shared by every head
    q_latent = torch.einsum("btd,hcd->bhtc", x, w_q_absorbed)  # (B, H, T, d_c)
    # The scale stays 1/√D: the scores are the same numbers as in the naive form.
    z = attend(q_latent, c_kv, c_kv, 1.0 / math.sqrt(head_dim), causal)  # (B, H, T, d_c)
    return torch.einsum("bhtc,hdc->btd", z, w_o_absorbed)


def latent_cache_elements(seq_len: int, d_c: int) -> int:
    # MLA caches only c_kv: d_c numbers per token (per layer).
    return seq_len * d_c


def mha_cache_elements(seq_len: int, n_heads: int, head_dim: int) -> int:
    # Multi-head attention caches a key and a value per head: 2 · n_h · d_h per token.
    return 2 * seq_len * n_heads * head_dim
