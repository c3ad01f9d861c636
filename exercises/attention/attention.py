"""Scaled dot-product and multi-head attention. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run ``grade exercises/attention``."""

from __future__ import annotations

from torch import Tensor


def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, causal: bool = False, scale: float | None = None
) -> Tensor:
    """``softmax(q kᵀ · scale + masking) v``, shape (..., Lq, Dv), in ``q``'s dtype.

    ``q`` (..., Lq, D), ``k`` (..., Lk, D), ``v`` (..., Lk, Dv), with the same leading
    dimensions (zero or more). The softmax runs over the keys: each query's weights sum to 1.

    - ``mask``: a bool tensor broadcastable to (..., Lq, Lk), True where query i MAY attend
      to key j; None attends everywhere.
    - ``causal``: as torch's ``is_causal``, top-left aligned: query i attends to keys
      j <= i. With both ``mask`` and ``causal``, a key must pass both.
    - ``scale``: multiplies the scores; None means ``1 / sqrt(D)``.

    No query ever has every key masked. Large scores must not overflow. The inputs are
    not modified.
    """
    raise NotImplementedError


def multi_head_attention(
    x: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor, w_o: Tensor, n_heads: int, causal: bool = False
) -> Tensor:
    """Multi-head self-attention of ``x`` (B, T, d_model), shape (B, T, d_model).

    The weights are (d_model, d_model) ``nn.Linear`` weights without bias: ``q = x w_qᵀ``,
    and likewise ``k``, ``v``. ``n_heads`` divides ``d_model``; head h uses features
    ``h·D`` to ``h·D + D - 1`` of q, k and v, with ``D = d_model // n_heads`` and scale
    ``1 / sqrt(D)``. The heads' outputs are concatenated in head order and projected:
    ``concat · w_oᵀ``. ``causal`` as in ``scaled_dot_product_attention``.
    """
    raise NotImplementedError
