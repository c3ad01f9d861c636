"""Reference solution: a linear layer with a LoRA adapter (Hu et al., 2021)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def scaling(lora_a: Tensor, alpha: float) -> float:
    # r is the adapter's rank: the rows of A (B's first dimension is out_features).
    # Dividing by r keeps the update's size when r changes, so alpha is tuned once.
    r = lora_a.shape[0]
    return alpha / r


def lora_forward(
    x: Tensor, weight: Tensor, bias: Tensor | None, lora_a: Tensor, lora_b: Tensor, alpha: float
) -> Tensor:
    base = F.linear(x, weight, bias)  # x Wᵀ + b, for any leading dimensions of x
    # (x Aᵀ) Bᵀ: through the r-dimensional bottleneck first, never forming the (out, in) product B A.
    update = F.linear(F.linear(x, lora_a), lora_b)
    return base + scaling(lora_a, alpha) * update


def merge(weight: Tensor, lora_a: Tensor, lora_b: Tensor, alpha: float) -> Tensor:
    # W' = W + (alpha / r) B A: one plain linear layer that computes the same, with no extra latency.
    return weight + scaling(lora_a, alpha) * (lora_b @ lora_a)


def unmerge(merged: Tensor, lora_a: Tensor, lora_b: Tensor, alpha: float) -> Tensor:
    return merged - scaling(lora_a, alpha) * (lora_b @ lora_a)


def lora_param_count(in_features: int, out_features: int, r: int) -> int:
    # A is (r, in) and B is (out, r); the frozen weight and bias do not count.
    return r * (in_features + out_features)
