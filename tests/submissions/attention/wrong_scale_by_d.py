"""Scores scaled by 1/D instead of 1/√D: the softmax is too flat (for D = 4, half
the intended sharpness). Right only for D = 1."""

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_torch_scaled_dot_product_attention",
    "test_multi_head_matches_torch_multi_head_attention",
)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1.0 / q.shape[-1] if scale is None else scale  # should be 1 / sqrt(D)
    scores = q @ k.transpose(-2, -1) * scale
    allowed = torch.ones(scores.shape[-2:], dtype=torch.bool)
    if causal:
        allowed = allowed.tril()
    if mask is not None:
        allowed = allowed & mask
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, causal=False):
    b, t, d_model = x.shape
    q, k, v = ((x @ w.T).reshape(b, t, n_heads, d_model // n_heads).transpose(1, 2) for w in (w_q, w_k, w_v))
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    return out.transpose(1, 2).reshape(b, t, d_model) @ w_o.T
