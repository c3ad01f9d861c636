"""glu applies the sigmoid gate to the first half: σ(a) ⊙ b instead of a ⊙ σ(b)."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_known_values",
    "test_glu_matches_torch",
)

HALF = (torch.float16, torch.bfloat16)


def _up(x):
    return x.float() if x.dtype in HALF else x


def sigmoid(x):
    y = _up(x)
    z = torch.exp(-y.abs())
    return torch.where(y >= 0, 1 / (1 + z), z / (1 + z)).to(x.dtype)


def tanh(x):
    y = _up(x)
    e = torch.expm1(-2 * y.abs())
    return (torch.sign(y) * (-e / (2 + e))).to(x.dtype)


def relu(x):
    return torch.where(x > 0, x, torch.zeros_like(x))


def leaky_relu(x, negative_slope=0.01):
    return torch.where(x >= 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    y = _up(x)
    return torch.where(y > 0, y, alpha * torch.expm1(y.clamp(max=0))).to(x.dtype)


def gelu(x):
    y = _up(x)
    return (0.5 * y * (1 + torch.erf(y / math.sqrt(2)))).to(x.dtype)


def gelu_tanh(x):
    y = _up(x)
    return (0.5 * y * (1 + tanh(math.sqrt(2 / math.pi) * (y + 0.044715 * y**3)))).to(x.dtype)


def silu(x):
    y = _up(x)
    return (y * sigmoid(y)).to(x.dtype)


def glu(x, dim=-1):
    a, b = x.chunk(2, dim=dim)
    return (sigmoid(_up(a)) * _up(b)).to(x.dtype)


def swiglu(x, w, v):
    return silu(x @ w.T) * (x @ v.T)
