"""Correct, written differently from the reference: no copies of the kv heads.
The query heads are reshaped into (B, Hkv, G, T, D) groups and attend to their
kv head by broadcasting in einsum; the causal mask compares positions; the
cache size multiplies the elements of one token's keys and values."""

import torch

EXPECTED_TO_FAIL = ()


def grouped_query_attention(q, k, v, causal=False):
    b, hq, t, d = q.shape
    hkv, s = k.shape[1], k.shape[2]
    grouped = q.reshape(b, hkv, hq // hkv, t, d)  # consecutive query heads share a kv head
    scores = torch.einsum("bngtd,bnsd->bngts", grouped, k) * d**-0.5
    if causal:
        query_pos = torch.arange(s - t, s)[:, None]
        key_pos = torch.arange(s)[None, :]
        scores = scores.masked_fill(key_pos > query_pos, float("-inf"))
    out = torch.einsum("bngts,bnsd->bngtd", scores.softmax(dim=-1), v)
    return out.reshape(b, hq, t, d)


def kv_cache_bytes(batch, seq_len, n_layers, n_kv_heads, head_dim, bytes_per_elem=2):
    per_token = n_layers * (n_kv_heads * head_dim) * 2 * bytes_per_elem
    return per_token * seq_len * batch


def decode_step(q_new, k_cache, v_cache, k_new, v_new):
    k = torch.cat((k_cache, k_new), dim=-2)
    v = torch.cat((v_cache, v_new), dim=-2)
    return grouped_query_attention(q_new, k, v, causal=True), k, v  # bottom-right: the last query sees all
