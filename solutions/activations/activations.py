"""Reference solution: activation functions from elementwise primitives."""

import math

import torch

HALF_PRECISION = (torch.float16, torch.bfloat16)


def _upcast(x: torch.Tensor) -> torch.Tensor:
    # float16/bfloat16 inputs are computed in float32 and rounded once at the end,
    # as torch's own kernels do; rounding every intermediate step loses digits.
    return x.float() if x.dtype in HALF_PRECISION else x


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    # 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: either way the
    # exponent is -|x| <= 0, so e^... never overflows.
    y = _upcast(x)
    z = torch.exp(-y.abs())
    return torch.where(y >= 0, 1 / (1 + z), z / (1 + z)).to(x.dtype)


def tanh(x: torch.Tensor) -> torch.Tensor:
    # tanh|x| = (1 - e^-2|x|) / (1 + e^-2|x|), with expm1 so that small |x| keeps its digits.
    y = _upcast(x)
    e = torch.expm1(-2 * y.abs())  # e^-2|x| - 1, in [-1, 0]
    return (torch.sign(y) * (-e / (2 + e))).to(x.dtype)


def relu(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, x, torch.zeros_like(x))


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    return torch.where(x >= 0, x, negative_slope * x)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    y = _upcast(x)
    # expm1 of min(x, 0) only: e^x of a large positive x would overflow in the unused branch.
    negative = alpha * torch.expm1(torch.clamp(y, max=0))
    return torch.where(y > 0, y, negative).to(x.dtype)


def gelu(x: torch.Tensor) -> torch.Tensor:
    # x · Φ(x), Φ the standard normal CDF: Φ(x) = (1 + erf(x / √2)) / 2.
    y = _upcast(x)
    return (0.5 * y * (1 + torch.erf(y / math.sqrt(2)))).to(x.dtype)


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    # The approximation of GPT-2 and BERT: Φ(x) ≈ (1 + tanh(√(2/π)·(x + 0.044715·x³))) / 2.
    y = _upcast(x)
    inner = math.sqrt(2 / math.pi) * (y + 0.044715 * y**3)
    return (0.5 * y * (1 + tanh(inner))).to(x.dtype)


def silu(x: torch.Tensor) -> torch.Tensor:
    # Also called swish: x · σ(x).
    y = _upcast(x)
    return (y * sigmoid(y)).to(x.dtype)


def glu(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    # First half a, second half b along dim: a ⊙ σ(b).
    a, b = x.chunk(2, dim=dim)
    return (_upcast(a) * sigmoid(_upcast(b))).to(x.dtype)


def swiglu(x: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # The gated feed-forward of LLaMA and PaLM: silu(x Wᵀ) ⊙ (x Vᵀ).
    return silu(x @ w.T) * (x @ v.T)
