"""The causal mask of training, torch.ones(T, S).tril(), top-left aligned, also
used while decoding: the queries are taken to be the FIRST T positions, so the
one new token of a decode step sees only the first cached token. Right only
when S == T."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_torch_scaled_dot_product_attention_with_enable_gqa",
    "test_causal_queries_are_the_last_positions",
    "test_decoding_token_by_token_equals_causal_attention",
)


def grouped_query_attention(q, k, v, causal=False):
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        t, s = q.shape[2], k.shape[2]
        scores = scores.masked_fill(~torch.ones(t, s, dtype=torch.bool).tril(), float("-inf"))  # tril(s - t)
    return torch.softmax(scores, dim=-1) @ v


def kv_cache_bytes(batch, seq_len, n_layers, n_kv_heads, head_dim, bytes_per_elem=2):
    return 2 * batch * seq_len * n_layers * n_kv_heads * head_dim * bytes_per_elem


def decode_step(q_new, k_cache, v_cache, k_new, v_new):
    k, v = torch.cat([k_cache, k_new], dim=2), torch.cat([v_cache, v_new], dim=2)
    return grouped_query_attention(q_new, k, v, causal=True), k, v  # "decoding is causal"
