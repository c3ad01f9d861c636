"""The naive form splits heads with .reshape(B, H, T, D) straight from
(B, T, H·D), without going through (B, T, H, D) and a transpose: a "head" then
holds pieces of several tokens. Right only for one head or one token."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_mla_attention_matches_the_papers_formula",
    "test_both_forms_agree",
    "test_mla_is_multi_head_attention_with_low_rank_projections",
    "test_causal_output_ignores_later_tokens",
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
    q, k, v = ((a @ w.T).reshape(b, n_heads, t, d) for a, w in ((x, w_q), (c, w_uk), (c, w_uv)))  # (b, t, H, d)
    o = _attend(q, k, v, 1 / math.sqrt(d), causal)
    return o.reshape(b, t, -1) @ w_o.T


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
    return 2 * seq_len * n_heads * head_dim
