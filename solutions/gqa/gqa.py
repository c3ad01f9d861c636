"""Reference solution: grouped-query attention (Ainslie et al., *GQA*, 2023), the
size of a KV cache, and one step of decoding with a cache."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def grouped_query_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False) -> Tensor:
    n_q_heads, length, head_dim = q.shape[1], q.shape[2], q.shape[3]
    n_kv_heads, kv_length = k.shape[1], k.shape[2]
    group = n_q_heads // n_kv_heads  # query heads per key/value head
    # Query head h reads key/value head h // group: each kv head is repeated for the `group`
    # consecutive query heads that share it. repeat_interleave gives [k0, k0, k1, k1];
    # repeat would give [k0, k1, k0, k1], pairing query head 1 with the wrong kv head.
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(head_dim)  # (B, Hq, T, S)
    if causal:
        # Bottom-right aligned: the T queries are the last T of the S positions, so query i
        # sits at position S - T + i and sees keys 0 .. S - T + i.
        allowed = torch.ones(length, kv_length, dtype=torch.bool).tril(diagonal=kv_length - length)
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def kv_cache_bytes(
    batch: int, seq_len: int, n_layers: int, n_kv_heads: int, head_dim: int, bytes_per_elem: int = 2
) -> int:
    # One key and one value vector per token, per layer, per kv head: that 2 is easy to forget.
    return 2 * batch * seq_len * n_layers * n_kv_heads * head_dim * bytes_per_elem


def decode_step(
    q_new: Tensor, k_cache: Tensor, v_cache: Tensor, k_new: Tensor, v_new: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    # Append first: the new token attends to every earlier token and to itself.
    k_cache = torch.cat([k_cache, k_new], dim=2)
    v_cache = torch.cat([v_cache, v_new], dim=2)
    # One query, the newest position: nothing lies after it, so no causal mask is needed.
    out = grouped_query_attention(q_new, k_cache, v_cache)
    return out, k_cache, v_cache
