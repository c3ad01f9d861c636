"""Activation functions. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/activations``.

Every function takes float tensors of any shape (float16, bfloat16, float32 or
float64) and returns a tensor of the same dtype; elementwise functions keep the
shape. Build them from elementwise primitives (torch.exp, torch.expm1,
torch.log1p, torch.erf, torch.where, ...), not from torch.sigmoid,
torch.tanh, torch.relu or torch.nn.functional, which the tests compare with.
float16/bfloat16 inputs: compute in float32 and round the result once.
Do not change the input tensors.
"""

import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """σ(x) = 1 / (1 + e^-x). Exactly 0 at x = -1000 and 1 at x = 1000; never NaN."""
    raise NotImplementedError


def tanh(x: torch.Tensor) -> torch.Tensor:
    """(e^x - e^-x) / (e^x + e^-x), finite for every finite x (±1 far out)."""
    raise NotImplementedError


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0)."""
    raise NotImplementedError


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """x where x >= 0, ``negative_slope``·x elsewhere."""
    raise NotImplementedError


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """x where x > 0, ``alpha``·(e^x - 1) elsewhere."""
    raise NotImplementedError


def gelu(x: torch.Tensor) -> torch.Tensor:
    """The exact GELU: x·Φ(x) = 0.5·x·(1 + erf(x / √2))."""
    raise NotImplementedError


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """The tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""
    raise NotImplementedError


def silu(x: torch.Tensor) -> torch.Tensor:
    """x·σ(x) (also called swish)."""
    raise NotImplementedError


def glu(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Split ``x`` in two halves a, b along ``dim`` (its size there is even): a ⊙ σ(b).

    The result has half of ``x``'s size along ``dim``.
    """
    raise NotImplementedError


def swiglu(x: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """silu(x Wᵀ) ⊙ (x Vᵀ): ``x`` (..., d_in), ``w`` and ``v`` (d_hidden, d_in) -> (..., d_hidden).

    float32 or float64 only.
    """
    raise NotImplementedError
