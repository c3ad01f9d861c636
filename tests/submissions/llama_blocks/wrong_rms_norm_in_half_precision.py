"""Computes the mean square in the input's dtype. In float16, x² overflows to
inf from |x| = 256 on, and x / sqrt(inf) is 0: activations in the hundreds
come out as zeros. Hugging Face's LlamaRMSNorm upcasts to float32 first."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_rms_norm_does_not_overflow_in_float16",)


def rms_norm(x, weight, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps) * weight  # no upcast


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
