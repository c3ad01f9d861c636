"""The mask read with nn.MultiheadAttention's convention, True = blocked, where
this API (and F.scaled_dot_product_attention) means True = may attend: every
masked call attends exactly to the wrong keys."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_torch_scaled_dot_product_attention",
    "test_causal_equals_a_lower_triangular_mask",
)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if causal:
        lq, lk = scores.shape[-2:]
        scores = scores.masked_fill(torch.ones(lq, lk, dtype=torch.bool).triu(1), float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))  # should be ~mask
    return torch.softmax(scores, dim=-1) @ v


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, causal=False):
    b, t, d_model = x.shape
    q, k, v = ((x @ w.T).reshape(b, t, n_heads, d_model // n_heads).transpose(1, 2) for w in (w_q, w_k, w_v))
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    return out.transpose(1, 2).reshape(b, t, d_model) @ w_o.T
