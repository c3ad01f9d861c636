"""Tiles the queries but not the keys: each block of queries is scored against all T keys at
once (a block_q x T strip) and normalised with a plain softmax. Memory O(block_q * T), not
O(block_q * block_k): the keys are never streamed, so there is no online softmax at all."""

import math

import torch

EXPECTED_TO_FAIL = ("test_keys_are_streamed_in_blocks",)


def online_softmax(x, block_size):
    work = x.float() if x.element_size() < 4 else x
    m = torch.full((*x.shape[:-1], 1), float("-inf"), dtype=work.dtype)
    l_i = torch.zeros((*x.shape[:-1], 1), dtype=work.dtype)
    for start in range(0, x.shape[-1], block_size):
        block = work[..., start : start + block_size]
        m_new = torch.maximum(m, block.amax(dim=-1, keepdim=True))
        l_i = l_i * torch.exp(m - m_new) + torch.exp(block - m_new).sum(dim=-1, keepdim=True)
        m = m_new
    return (torch.exp(work - m) / l_i).to(x.dtype)


def tiled_attention(q, k, v, block_q, block_k, causal=False, scale=None):
    B, H, T, D = q.shape
    scale = 1.0 / math.sqrt(D) if scale is None else scale
    outs, lses = [], []
    for i in range(0, T, block_q):
        s = scale * q[:, :, i : i + block_q] @ k.transpose(-2, -1)  # (B, H, Bq, T): all keys at once
        if causal:
            rows, cols = torch.arange(i, i + s.shape[2]), torch.arange(T)
            s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
        outs.append(torch.softmax(s, dim=-1) @ v)
        lses.append(torch.logsumexp(s, dim=-1))
    return torch.cat(outs, dim=2), torch.cat(lses, dim=2)
