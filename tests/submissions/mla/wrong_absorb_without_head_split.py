"""W_uk absorbed into the query side as one matrix, w_uk.T @ w_q (d_c, d), and
W_uv into the output as w_o @ w_uv: the products sum over all H·D features, that
is over all heads at once, so the heads' scores are added into one softmax.
Right only with one head."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_mla_absorbed_matches_the_papers_formula",
    "test_both_forms_agree",
    "test_mla_is_multi_head_attention_with_low_rank_projections",
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
    d = w_q.shape[0] // n_heads
    c = x @ w_dkv.T
    q_latent = x @ (w_uk.T @ w_q).T  # should be one (d_c, d) matrix per head
    z = _attend(q_latent, c, c, 1 / math.sqrt(d), causal)
    return z @ (w_o @ w_uv).T


def latent_cache_elements(seq_len, d_c):
    return seq_len * d_c


def mha_cache_elements(seq_len, n_heads, head_dim):
    return 2 * seq_len * n_heads * head_dim
