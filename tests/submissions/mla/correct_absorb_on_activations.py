"""Correct, written differently from the reference, as DeepSeek's own inference
code does it: the naive form loops over heads; the absorbed form computes the
queries first and maps each head's query into the latent space with its block
of W_uk (einsum on activations, not on weights), attends to the latent, and
maps each head's latent output back with its block of W_uv before W_o."""

import torch

EXPECTED_TO_FAIL = ()


def _softmax_attend(scores, values, causal):
    if causal:
        n = scores.shape[-1]
        future = torch.arange(n)[None, :] > torch.arange(n)[:, None]
        scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim=-1) @ values


def mla_attention(x, w_dkv, w_uk, w_uv, w_q, w_o, n_heads, causal=True):
    head_dim = w_q.shape[0] // n_heads
    latent = torch.nn.functional.linear(x, w_dkv)
    outputs = []
    for h in range(n_heads):
        rows = slice(h * head_dim, (h + 1) * head_dim)
        q = torch.nn.functional.linear(x, w_q[rows])
        k = torch.nn.functional.linear(latent, w_uk[rows])
        v = torch.nn.functional.linear(latent, w_uv[rows])
        outputs.append(_softmax_attend(q @ k.transpose(1, 2) / head_dim**0.5, v, causal))
    return torch.nn.functional.linear(torch.cat(outputs, dim=-1), w_o)


def mla_absorbed(x, w_dkv, w_uk, w_uv, w_q, w_o, n_heads, causal=True):
    b, t, _ = x.shape
    head_dim = w_q.shape[0] // n_heads
    latent = torch.nn.functional.linear(x, w_dkv)  # (b, t, c)
    q = torch.nn.functional.linear(x, w_q).view(b, t, n_heads, head_dim)  # queries, never keys
    uk = w_uk.view(n_heads, head_dim, -1)  # (h, d, c)
    uv = w_uv.view(n_heads, head_dim, -1)
    q_latent = torch.einsum("bthd,hdc->bhtc", q, uk)
    scores = torch.einsum("bhtc,bsc->bhts", q_latent, latent) / head_dim**0.5
    z = _softmax_attend(scores, latent.unsqueeze(1), causal)  # (b, h, t, c)
    o = torch.einsum("bhtc,hdc->bthd", z, uv).reshape(b, t, n_heads * head_dim)
    return torch.nn.functional.linear(o, w_o)


def latent_cache_elements(seq_len, d_c):
    return d_c * seq_len


def mha_cache_elements(seq_len, n_heads, head_dim):
    keys = values = n_heads * head_dim * seq_len
    return keys + values
