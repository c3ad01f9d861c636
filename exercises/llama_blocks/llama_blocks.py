"""The building blocks of a LLaMA layer: RMSNorm, rotary position embeddings and
the SwiGLU feed-forward. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/llama_blocks``."""

from __future__ import annotations

from torch import Tensor


def rms_norm(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """``x / sqrt(mean(x², last axis) + eps) · weight``, shape and dtype of ``x``.

    ``x`` (..., d), ``weight`` (d,) in ``x``'s dtype. No mean is subtracted and there is
    no bias. For float16 and bfloat16 inputs the mean square is taken in float32
    (float16 squares overflow from |x| = 256). The inputs are not modified.
    """
    raise NotImplementedError


def rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    """Rotary position embedding, the rotate-half convention of Hugging Face's LLaMA.

    ``x`` (B, H, T, D) with D even; ``positions`` (T,) int64, the position of each
    token (any non-negative integers, not necessarily 0, 1, 2, ...). With
    ``inv_freq[i] = base^(-2i/D)`` for ``i < D/2`` and the angle of dimension ``j`` at
    position ``m`` equal to ``m · inv_freq[j mod D/2]``, returns
    ``x · cos + rotate_half(x) · sin`` where ``rotate_half(x) = cat(-x[..., D/2:], x[..., :D/2])``.
    Shape and dtype of ``x``; compute the angles in float32 or float64, never in half
    precision. The inputs are not modified.
    """
    raise NotImplementedError


def swiglu_ffn(x: Tensor, w_gate: Tensor, w_up: Tensor, w_down: Tensor) -> Tensor:
    """LLaMA's feed-forward: ``(silu(x W_gateᵀ) ⊙ (x W_upᵀ)) W_downᵀ``, shape (..., d).

    ``x`` (..., d); ``w_gate`` and ``w_up`` (F, d) and ``w_down`` (d, F), stored as
    ``nn.Linear`` weights (out, in), no biases. The inputs are not modified.
    """
    raise NotImplementedError
