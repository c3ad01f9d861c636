"""Adds eps after the square root: x / (sqrt(mean(x²)) + eps). The same for
activations of size 1, but at magnitude 1e-3 the mean square (1e-6) is as
small as eps and the two differ by tens of percent."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_worked_example", "test_rms_norm_matches_torch")


def rms_norm(x, weight, eps=1e-6):
    x32 = x.float() if x.element_size() < 4 else x
    normed = x32 / (x32.pow(2).mean(dim=-1, keepdim=True).sqrt() + eps)  # eps belongs under the root
    return (normed * weight).to(x.dtype)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    inv_freq = base ** -(torch.arange(0, d, 2, dtype=dtype) / d)
    angles = positions.to(dtype)[:, None] * inv_freq[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return x * emb.cos().to(x.dtype) + rotate_half(x) * emb.sin().to(x.dtype)


def swiglu_ffn(x, w_gate, w_up, w_down):
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
