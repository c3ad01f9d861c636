"""The online softmax and FlashAttention's forward loop, in PyTorch. Read README.md in this
folder, then replace each ``raise NotImplementedError`` with your code and run
``grade exercises/online_softmax``."""

from __future__ import annotations

from torch import Tensor


def online_softmax(x: Tensor, block_size: int) -> Tensor:
    """Softmax over the last axis of ``x`` (..., N), computed in one pass over blocks.

    Read ``x`` in blocks of ``block_size`` along the last axis (the last block may be shorter),
    keeping a running maximum ``m`` and a running sum ``l`` of ``exp(x - m)`` per row, rescaled
    whenever ``m`` grows; then normalise once: ``exp(x - m) / l``. Returns a tensor of ``x``'s shape
    and dtype (float16, bfloat16, float32 or float64). ``N >= 1``, ``block_size >= 1``; the values
    are finite but may be huge (|x| up to 1e4).
    """
    raise NotImplementedError


def tiled_attention(
    q: Tensor, k: Tensor, v: Tensor, block_q: int, block_k: int, causal: bool = False, scale: float | None = None
) -> tuple[Tensor, Tensor]:
    """Softmax attention by FlashAttention's forward loop: ``(out, lse)``.

    ``q``, ``k`` (B, H, T, D), ``v`` (B, H, T, Dv). For each block of ``block_q`` queries, stream
    the keys and values in blocks of ``block_k`` (the last blocks may be shorter), keeping per
    query a running maximum of the scores, a running sum of their exponentials and an
    unnormalised output accumulator, both rescaled when the maximum grows. Scores are
    ``scale · q · k`` with ``scale`` defaulting to ``1 / sqrt(D)``; with ``causal``, query i sees
    keys j <= i. ``out`` (B, H, T, Dv) is the attention output and ``lse`` (B, H, T) the
    log-sum-exp of each query's (scaled, masked) scores, both in ``q``'s dtype.

    Never build a T × T tensor, nor one pairing a query block with all T keys: work tile by tile.
    """
    raise NotImplementedError
