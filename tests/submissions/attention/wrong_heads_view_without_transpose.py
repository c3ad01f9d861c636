"""Heads split with .view(B, H, T, D) straight from (B, T, d_model), without
going through (B, T, H, D) and a transpose: the memory is reinterpreted, so a
"head" holds pieces of several tokens. Right only for one head or one token."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_multi_head_worked_example",
    "test_multi_head_matches_torch_multi_head_attention",
    "test_multi_head_permuting_tokens_permutes_the_output",
    "test_multi_head_causal_output_ignores_later_tokens",
)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
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
    d = d_model // n_heads
    q, k, v = ((x @ w.T).reshape(b, n_heads, t, d) for w in (w_q, w_k, w_v))  # should be (b, t, n_heads, d)
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    return out.reshape(b, t, d_model) @ w_o.T  # undoes the same mix-up
