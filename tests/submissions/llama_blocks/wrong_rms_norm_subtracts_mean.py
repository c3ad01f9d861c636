"""rms_norm written as LayerNorm without a bias: subtracts each row's mean
before dividing by the standard deviation. RMSNorm does not re-centre: it
divides x itself by its root mean square."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_worked_example", "test_rms_norm_matches_torch", "test_rms_norm_does_not_overflow_in_float16")


def rms_norm(x, weight, eps=1e-6):
    x32 = x.float() if x.element_size() < 4 else x
    centred = x32 - x32.mean(dim=-1, keepdim=True)  # LayerNorm's step, not RMSNorm's
    normed = centred * torch.rsqrt(centred.pow(2).mean(dim=-1, keepdim=True) + eps)
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
