"""LoRA: low-rank adaptation of a linear layer. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run ``grade exercises/lora``."""

from __future__ import annotations

from torch import Tensor


def lora_forward(
    x: Tensor, weight: Tensor, bias: Tensor | None, lora_a: Tensor, lora_b: Tensor, alpha: float
) -> Tensor:
    """``x Wᵀ + b + (alpha / r) · (x Aᵀ) Bᵀ``, shape (..., out), in ``x``'s dtype.

    ``x`` (..., in), ``weight`` (out, in), ``bias`` (out,) or None, ``lora_a``
    (r, in), ``lora_b`` (out, r), with ``r = lora_a.shape[0]``. The inputs are
    not modified.
    """
    raise NotImplementedError


def merge(weight: Tensor, lora_a: Tensor, lora_b: Tensor, alpha: float) -> Tensor:
    """``W + (alpha / r) · B A``, shape (out, in), in the weight's dtype: the weight of a plain
    linear layer that computes the same as ``lora_forward``. The inputs are not modified."""
    raise NotImplementedError


def unmerge(merged: Tensor, lora_a: Tensor, lora_b: Tensor, alpha: float) -> Tensor:
    """``merged − (alpha / r) · B A``: the weight before ``merge``, within rounding."""
    raise NotImplementedError


def lora_param_count(in_features: int, out_features: int, r: int) -> int:
    """The number of trainable parameters of a rank-``r`` adapter on an (out × in) weight."""
    raise NotImplementedError
