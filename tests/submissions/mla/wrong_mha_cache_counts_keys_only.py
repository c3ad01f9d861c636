"""mha_cache_elements counts the keys only: multi-head attention caches a key AND
a value per token and head, so the count (and the ratio to the latent) is twice
as large."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_cache_known_answers",
    "test_cache_ratio_is_the_papers_formula",
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
    d_model, d_c = x.shape[-1], w_dkv.shape[0]
    d = w_q.shape[0] // n_heads
    w_q_absorbed = w_uk.reshape(n_heads, d, d_c).transpose(1, 2) @ w_q.reshape(n_heads, d, d_model)
    w_o_absorbed = w_o.reshape(d_model, n_heads, d).transpose(0, 1) @ w_uv.reshape(n_heads, d, d_c)
    c = (x @ w_dkv.T).unsqueeze(1)
    q_latent = torch.einsum("btd,hcd->bhtc", x, w_q_absorbed)
    z = _attend(q_latent, c, c, 1 / math.sqrt(d), causal)
    return torch.einsum("bhtc,hdc->btd", z, w_o_absorbed)


def latent_cache_elements(seq_len, d_c):
    return seq_len * d_c


def mha_cache_elements(seq_len, n_heads, head_dim):
    return seq_len * n_heads * head_dim  # missing the values: 2 *
