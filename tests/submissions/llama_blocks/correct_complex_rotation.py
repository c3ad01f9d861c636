"""Correct, written differently from the reference: RoPE as complex
multiplication (pair (x[i], x[i + D/2]) is the complex number x[i] + i·x[i + D/2],
turned by multiplying with e^(i·m·θ_i)), RMSNorm through
torch.linalg.vector_norm, and SwiGLU with einsum and an explicit sigmoid."""

import math

import torch

EXPECTED_TO_FAIL = ()


def rms_norm(x, weight, eps=1e-6):
    wide = x.to(torch.float64 if x.dtype == torch.float64 else torch.float32)
    # RMS = ‖x‖ / sqrt(d)
    rms_squared = torch.linalg.vector_norm(wide, dim=-1, keepdim=True) ** 2 / x.shape[-1]
    return (wide / torch.sqrt(rms_squared + eps) * weight.to(wide.dtype)).to(x.dtype)


def rope(x, positions, base=10000.0):
    half = x.shape[-1] // 2
    wide = torch.float64 if x.dtype == torch.float64 else torch.float32
    exponents = torch.arange(half, dtype=wide) * (-2.0 * math.log(base) / x.shape[-1])
    theta = torch.exp(exponents)  # base^(-2i/D)
    turn = torch.polar(torch.ones(len(positions), half, dtype=wide), positions.to(wide)[:, None] * theta)
    pairs = torch.complex(x[..., :half].to(wide), x[..., half:].to(wide))
    turned = pairs * turn
    return torch.cat((turned.real, turned.imag), dim=-1).to(x.dtype)


def swiglu_ffn(x, w_gate, w_up, w_down):
    gate = torch.einsum("...d,fd->...f", x, w_gate)
    up = torch.einsum("...d,fd->...f", x, w_up)
    hidden = gate * torch.sigmoid(gate) * up
    return torch.einsum("...f,df->...d", hidden, w_down)
