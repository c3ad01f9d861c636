"""kv_cache_bytes counts the keys only: the cache holds a key AND a value per
token, layer and kv head, so the answer is twice as large."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_kv_cache_known_answers",
    "test_kv_cache_bytes_counts_keys_and_values_of_every_layer",
)


def grouped_query_attention(q, k, v, causal=False):
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        t, s = q.shape[2], k.shape[2]
        scores = scores.masked_fill(~torch.ones(t, s, dtype=torch.bool).tril(s - t), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def kv_cache_bytes(batch, seq_len, n_layers, n_kv_heads, head_dim, bytes_per_elem=2):
    return batch * seq_len * n_layers * n_kv_heads * head_dim * bytes_per_elem  # missing the factor 2


def decode_step(q_new, k_cache, v_cache, k_new, v_new):
    k, v = torch.cat([k_cache, k_new], dim=2), torch.cat([v_cache, v_new], dim=2)
    return grouped_query_attention(q_new, k, v), k, v
