"""kv heads tiled with repeat ([k0, k1, k0, k1]) instead of repeat_interleave
([k0, k0, k1, k1]): query head h reads kv head h % Hkv instead of h // G. Right
when there is one kv head (MQA) or one query head per kv head (MHA)."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_matches_torch_scaled_dot_product_attention_with_enable_gqa",
    "test_each_query_head_reads_kv_head_h_div_group",
    "test_decoding_token_by_token_equals_causal_attention",
    "test_gqa_equals_multi_head_attention_with_repeated_kv_heads",
)


def grouped_query_attention(q, k, v, causal=False):
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat(1, group, 1, 1), v.repeat(1, group, 1, 1)  # should be repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        t, s = q.shape[2], k.shape[2]
        scores = scores.masked_fill(~torch.ones(t, s, dtype=torch.bool).tril(s - t), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def kv_cache_bytes(batch, seq_len, n_layers, n_kv_heads, head_dim, bytes_per_elem=2):
    return 2 * batch * seq_len * n_layers * n_kv_heads * head_dim * bytes_per_elem


def decode_step(q_new, k_cache, v_cache, k_new, v_new):
    k, v = torch.cat([k_cache, k_new], dim=2), torch.cat([v_cache, v_new], dim=2)
    return grouped_query_attention(q_new, k, v), k, v
