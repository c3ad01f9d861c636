"""Computes the frequencies and angles in x's dtype. For float32 and float64
that is fine; in bfloat16 an angle near 3000 radians is rounded to a multiple
of 16, and in float16 to a multiple of 2: the rotation at long positions is
garbage. Hugging Face computes them in float32 on purpose."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_rope_matches_the_rotate_half_formula", "test_rope_in_half_precision_at_long_positions")


def rms_norm(x, weight, eps=1e-6):
    x32 = x.float() if x.element_size() < 4 else x
    normed = x32 * torch.rsqrt(x32.pow(2).mean(dim=-1, keepdim=True) + eps)
    return (normed * weight).to(x.dtype)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    inv_freq = (base ** -(torch.arange(0, d, 2, dtype=torch.float32) / d)).to(x.dtype)
    angles = positions.to(x.dtype)[:, None] * inv_freq[None, :]  # rounded to x's dtype
    emb = torch.cat((angles, angles), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def swiglu_ffn(x, w_gate, w_up, w_down):
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
