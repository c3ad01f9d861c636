"""The absorbed form folds W_uv into the output projection, but still
up-projects the latent into per-head keys for the scores: right numbers,
and exactly the T × H × D tensor the absorbed form exists to avoid."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_the_absorbed_form_never_builds_per_head_keys_or_values[float64]",
    "test_the_absorbed_form_never_builds_per_head_keys_or_values[float32]",
)


def _attend(q, k, v, scale, causal):
    scores = q @ k.transpose(-2, -1) * scale
    if causal:
        scores = scores.masked_fill(~torch.ones(scores.shape[-2:], dtype=torch.bool).tril(), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def mla_attention(x, w_dkv, w_uk, w_uv, w_q, w_o, n_heads, causal=True):
    b, t, _ = x.shape
    d = w_q.shape[0] // n_heads
    c = x @ w_dkv.T
    q, k, v = ((a @ w.T).reshape(b, t, n_heads, d).transpose(1, 2) for a, w in ((x, w_q), (c, w_uk), (c, w_uv)))
    o = _attend(q, k, v, 1 / math.sqrt(d), causal)
    return o.transpose(1, 2).reshape(b, t, -1) @ w_o.T


def mla_absorbed(x, w_dkv, w_uk, w_uv, w_q, w_o, n_heads, causal=True):
    b, t, d_model = x.shape
    d_c, d = w_dkv.shape[0], w_q.shape[0] // n_heads
    w_o_absorbed = w_o.reshape(d_model, n_heads, d).transpose(0, 1) @ w_uv.reshape(n_heads, d, d_c)
    c = x @ w_dkv.T
    q = (x @ w_q.T).reshape(b, t, n_heads, d).transpose(1, 2)
    k = (c @ w_uk.T).reshape(b, t, n_heads, d).transpose(1, 2)  # per-head keys: not absorbed
    z = _attend(q, k, c.unsqueeze(1), 1 / math.sqrt(d), causal)  # (B, H, T, d_c)
    return torch.einsum("bhtc,hdc->btd", z, w_o_absorbed)


def latent_cache_elements(seq_len, d_c):
    return seq_len * d_c


def mha_cache_elements(seq_len, n_heads, head_dim):
    return 2 * seq_len * n_heads * head_dim
