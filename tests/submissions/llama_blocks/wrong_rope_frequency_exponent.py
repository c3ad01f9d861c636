"""Takes inv_freq_i = base^(-i/D) for i < D/2 (torch.arange(D // 2) / D)
instead of base^(-2i/D) (torch.arange(0, D, 2) / D): the slowest pair turns
at base^(-1/2) instead of about 1/base, so the frequencies cover half the
range they should."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_rope_matches_the_rotate_half_formula",
    "test_rope_in_half_precision_at_long_positions",
)


def rms_norm(x, weight, eps=1e-6):
    x32 = x.float() if x.element_size() < 4 else x
    normed = x32 * torch.rsqrt(x32.pow(2).mean(dim=-1, keepdim=True) + eps)
    return (normed * weight).to(x.dtype)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    inv_freq = base ** -(torch.arange(d // 2, dtype=dtype) / d)  # should be arange(0, d, 2) / d
    angles = positions.to(dtype)[:, None] * inv_freq[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return x * emb.cos().to(x.dtype) + rotate_half(x) * emb.sin().to(x.dtype)


def swiglu_ffn(x, w_gate, w_up, w_down):
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
