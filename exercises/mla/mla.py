"""Multi-head latent attention (DeepSeek-V2). Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run ``grade exercises/mla``."""

from __future__ import annotations

from torch import Tensor


def mla_attention(
    x: Tensor, w_dkv: Tensor, w_uk: Tensor, w_uv: Tensor, w_q: Tensor, w_o: Tensor, n_heads: int, causal: bool = True
) -> Tensor:
    """Multi-head latent attention of ``x`` (B, T, d), shape (B, T, d), in ``x``'s dtype.

    Weights, as ``nn.Linear`` weights without bias (``y = x Wᵀ``): ``w_dkv`` (d_c, d),
    ``w_uk`` and ``w_uv`` (H·D, d_c), ``w_q`` (H·D, d), ``w_o`` (d, H·D), with
    ``H = n_heads`` and ``D = w_q.shape[0] // n_heads``; H·D need not equal d.

    Latent ``c = x w_dkvᵀ`` (B, T, d_c); keys ``c w_ukᵀ``, values ``c w_uvᵀ``, queries
    ``x w_qᵀ``, each split into H heads (head h owns features h·D .. h·D + D - 1); per-head
    attention with scale ``1 / sqrt(D)``, causal (top-left, query i sees keys j <= i) unless
    ``causal=False``; heads concatenated in order and projected: ``concat w_oᵀ``.
    """
    raise NotImplementedError


def mla_absorbed(
    x: Tensor, w_dkv: Tensor, w_uk: Tensor, w_uv: Tensor, w_q: Tensor, w_o: Tensor, n_heads: int, causal: bool = True
) -> Tensor:
    """The same output as ``mla_attention``, computed from the latent ``c`` alone: ``w_uk``
    absorbed into the query side and ``w_uv`` into the output side, head by head, so that no
    per-head key or value tensor is ever formed. Same arguments and conventions."""
    raise NotImplementedError


def latent_cache_elements(seq_len: int, d_c: int) -> int:
    """Numbers MLA caches for ``seq_len`` tokens in one layer (the latent only)."""
    raise NotImplementedError


def mha_cache_elements(seq_len: int, n_heads: int, head_dim: int) -> int:
    """Numbers multi-head attention caches for ``seq_len`` tokens in one layer."""
    raise NotImplementedError
