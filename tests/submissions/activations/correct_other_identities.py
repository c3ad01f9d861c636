"""Correct, written differently from the reference: σ(x) = exp(-log(1 + e^-x))
with logaddexp, tanh(x) = 2σ(2x) - 1, GELU through erfc, the tanh form of GELU
as x·σ(2z), leaky ReLU as a maximum, glu with narrow and swiglu with einsum."""

import math

import torch

EXPECTED_TO_FAIL = ()


def _compute(x):
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def sigmoid(x):
    y = _compute(x)
    # log σ(x) = -log(1 + e^-x) = -logaddexp(0, -x), which logaddexp computes stably
    return torch.exp(-torch.logaddexp(torch.zeros_like(y), -y)).to(x.dtype)


def tanh(x):
    y = _compute(x)
    return (2 * sigmoid(2 * y) - 1).to(x.dtype)


def relu(x):
    return x.clamp(min=0)


def leaky_relu(x, negative_slope=0.01):
    return torch.maximum(x, negative_slope * x)  # slope in [0, 1)


def elu(x, alpha=1.0):
    y = _compute(x)
    negative = alpha * (torch.exp(torch.minimum(y, torch.zeros_like(y))) - 1)
    return torch.where(y > 0, y, negative).to(x.dtype)


def gelu(x):
    y = _compute(x)
    # Φ(x) = erfc(-x/√2) / 2: no cancellation for negative x
    return (0.5 * y * torch.erfc(-y / math.sqrt(2))).to(x.dtype)


def gelu_tanh(x):
    y = _compute(x)
    z = math.sqrt(2 / math.pi) * (y + 0.044715 * y * y * y)
    return (y * sigmoid(2 * z)).to(x.dtype)  # (1 + tanh z) / 2 = σ(2z)


def silu(x):
    y = _compute(x)
    return (y * sigmoid(y)).to(x.dtype)


def glu(x, dim=-1):
    half = x.shape[dim] // 2
    a, b = x.narrow(dim, 0, half), x.narrow(dim, half, half)
    return (_compute(a) * sigmoid(_compute(b))).to(x.dtype)


def swiglu(x, w, v):
    gate = torch.einsum("...i,hi->...h", x, w)
    value = torch.einsum("...i,hi->...h", x, v)
    return silu(gate) * value
