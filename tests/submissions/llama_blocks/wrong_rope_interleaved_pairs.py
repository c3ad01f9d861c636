"""RoPE in the interleaved convention of the RoFormer paper and Meta's original
LLaMA code: pairs are neighbours (x[2i], x[2i+1]) instead of the two halves
(x[i], x[i + D/2]) of Hugging Face's rotate_half. It is still a rotation, so
norms and relative positions come out right, but the numbers differ from the
convention the exercise (and every Hugging Face checkpoint) uses."""

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


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    inv_freq = base ** -(torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = positions.double()[:, None] * inv_freq[None, :]  # (T, D/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # pairs of neighbours
    turned = torch.stack((even * cos - odd * sin, odd * cos + even * sin), dim=-1)
    return turned.flatten(-2)


def swiglu_ffn(x, w_gate, w_up, w_down):
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
