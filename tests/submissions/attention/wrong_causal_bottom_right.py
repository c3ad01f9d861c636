"""The causal mask aligned to the bottom-right corner (query i sees keys up to
i + Lk - Lq, as in decoding with a cache) instead of torch's is_causal, which is
top-left aligned. The same when Lq == Lk, different otherwise."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_matches_torch_scaled_dot_product_attention",
    "test_causal_equals_a_lower_triangular_mask",
)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    lq, lk = scores.shape[-2:]
    allowed = torch.ones(lq, lk, dtype=torch.bool)
    if causal:
        allowed = allowed.tril(diagonal=lk - lq)  # should be diagonal=0
    if mask is not None:
        allowed = allowed & mask
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, causal=False):
    b, t, d_model = x.shape
    q, k, v = ((x @ w.T).reshape(b, t, n_heads, d_model // n_heads).transpose(1, 2) for w in (w_q, w_k, w_v))
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    return out.transpose(1, 2).reshape(b, t, d_model) @ w_o.T
