"""The softmax written out as exp(s) / sum(exp(s)) without subtracting the row
maximum: right for small scores, but exp overflows to inf (or underflows to 0)
once the scores reach a few hundred, and the output becomes NaN."""

import math

import torch

EXPECTED_TO_FAIL = ("test_a_large_offset_added_to_every_score_changes_nothing",)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    allowed = torch.ones(scores.shape[-2:], dtype=torch.bool)
    if causal:
        allowed = allowed.tril()
    if mask is not None:
        allowed = allowed & mask
    weights = torch.exp(scores) * allowed  # no max subtracted
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return weights @ v


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, causal=False):
    b, t, d_model = x.shape
    q, k, v = ((x @ w.T).reshape(b, t, n_heads, d_model // n_heads).transpose(1, 2) for w in (w_q, w_k, w_v))
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    return out.transpose(1, 2).reshape(b, t, d_model) @ w_o.T
