"""Grouped-query attention and the KV cache. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run ``grade exercises/gqa``."""

from __future__ import annotations

from torch import Tensor


def grouped_query_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False) -> Tensor:
    """Attention with fewer key/value heads than query heads, shape (B, Hq, T, D), in ``q``'s dtype.

    ``q`` (B, Hq, T, D), ``k`` and ``v`` (B, Hkv, S, D); ``Hkv`` divides ``Hq``, and query
    head ``h`` reads key/value head ``h // (Hq // Hkv)``. Scores are scaled by ``1 / sqrt(D)``.
    Hkv = 1 is multi-query attention, Hkv = Hq ordinary multi-head attention.

    ``causal``: the T queries are the LAST T of the S positions (bottom-right alignment, as
    when decoding with a cache): query i sits at position ``S - T + i`` and attends to keys
    ``j <= S - T + i``. With ``causal=True``, ``S >= T``. The inputs are not modified.
    """
    raise NotImplementedError


def kv_cache_bytes(
    batch: int, seq_len: int, n_layers: int, n_kv_heads: int, head_dim: int, bytes_per_elem: int = 2
) -> int:
    """The bytes a KV cache holds for ``batch`` sequences of ``seq_len`` tokens: keys and
    values of every layer and key/value head. ``bytes_per_elem`` 2 is float16/bfloat16."""
    raise NotImplementedError


def decode_step(
    q_new: Tensor, k_cache: Tensor, v_cache: Tensor, k_new: Tensor, v_new: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """One decoding step: ``(out, k_cache, v_cache)``.

    ``q_new`` (B, Hq, 1, D) is the new token's query; ``k_new``, ``v_new`` (B, Hkv, 1, D) its
    key and value; ``k_cache``, ``v_cache`` (B, Hkv, S, D) those of the S earlier tokens
    (S may be 0). Returns the caches with the new token appended, (B, Hkv, S + 1, D), and
    ``out`` (B, Hq, 1, D): the new token's attention over all S + 1 tokens, itself included.
    The inputs are not modified (return new tensors).
    """
    raise NotImplementedError
