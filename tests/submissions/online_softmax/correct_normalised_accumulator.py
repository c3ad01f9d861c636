"""Correct, written differently from the reference: the online softmax merges the blocks'
(maximum, sum) pairs as a tree instead of one after another, and the tiled
attention follows FlashAttention-1's update, which keeps the output normalised after every key
block (O = (l e^(m - m_new) O + e^(m~ - m_new) P~ V) / l_new), with the key blocks listed up front
and the causal ones past the diagonal skipped."""

import math

import torch

EXPECTED_TO_FAIL = ()


def online_softmax(x, block_size):
    work = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x
    # (max, sum of exp(x - max)) of every block, then merged pairwise as a tree, as a parallel
    # reduction on a GPU would: (m, l) + (m', l') = (M, l e^(m - M) + l' e^(m' - M)), M = max(m, m').
    stats = []
    for block in torch.split(work, block_size, dim=-1):
        m = block.amax(dim=-1, keepdim=True)
        stats.append((m, torch.exp(block - m).sum(dim=-1, keepdim=True)))
    while len(stats) > 1:
        merged = []
        for (m1, l1), (m2, l2) in zip(stats[0::2], stats[1::2]):
            m = torch.maximum(m1, m2)
            merged.append((m, l1 * torch.exp(m1 - m) + l2 * torch.exp(m2 - m)))
        if len(stats) % 2:
            merged.append(stats[-1])
        stats = merged
    m, l_i = stats[0]
    return (torch.exp(work - m) / l_i).to(x.dtype)


def tiled_attention(q, k, v, block_q, block_k, causal=False, scale=None):
    T = q.shape[2]
    if scale is None:
        scale = q.shape[-1] ** -0.5
    key_blocks = [(j, k[:, :, j : j + block_k], v[:, :, j : j + block_k]) for j in range(0, T, block_k)]
    outs, lses = [], []
    for i in range(0, T, block_q):
        q_i = q[:, :, i : i + block_q]
        n = q_i.shape[2]
        o = torch.zeros(*q_i.shape[:3], v.shape[-1], dtype=q.dtype)
        m = torch.full((*q_i.shape[:3], 1), -math.inf, dtype=q.dtype)
        l_i = torch.zeros((*q_i.shape[:3], 1), dtype=q.dtype)
        for j, k_j, v_j in key_blocks:
            if causal and j >= i + n:
                continue
            s = torch.einsum("bhqd,bhkd->bhqk", q_i, k_j) * scale
            if causal:
                future = torch.arange(j, j + k_j.shape[2])[None, :] > torch.arange(i, i + n)[:, None]
                s = torch.where(future, -math.inf, s)
            m_tile = s.max(dim=-1, keepdim=True).values  # -inf for a row whose keys here are all masked
            m_new = torch.maximum(m, m_tile)
            p = torch.exp(s - torch.where(m_tile == -math.inf, 0.0, m_tile))  # relative to the tile's own maximum
            l_tile = p.sum(dim=-1, keepdim=True)
            old, new = torch.exp(m - m_new), torch.exp(m_tile - m_new)
            l_new = old * l_i + new * l_tile
            o = (l_i * old * o + new * (p @ v_j)) / l_new
            m, l_i = m_new, l_new
        outs.append(o)
        lses.append((m + torch.log(l_i)).squeeze(-1))
    return torch.cat(outs, dim=2), torch.cat(lses, dim=2)
