"""The online softmax adds each block's sum of exp(x - m_new) to l without first rescaling l by
exp(m - m_new): the terms from earlier blocks keep the old, smaller maximum and weigh too much.
Right only when the maximum is in the first block (or block_size >= N)."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_online_softmax_known_answers",
    "test_online_softmax_matches_torch_softmax",
    "test_online_softmax_is_unchanged_by_a_huge_shift",
    "test_online_softmax_in_half_precision",
)


def online_softmax(x, block_size):
    work = x.float() if x.element_size() < 4 else x
    m = torch.full((*x.shape[:-1], 1), float("-inf"), dtype=work.dtype)
    l_i = torch.zeros((*x.shape[:-1], 1), dtype=work.dtype)
    for start in range(0, x.shape[-1], block_size):
        block = work[..., start : start + block_size]
        m_new = torch.maximum(m, block.amax(dim=-1, keepdim=True))
        l_i = l_i + torch.exp(block - m_new).sum(dim=-1, keepdim=True)  # l_i should be rescaled by exp(m - m_new)
        m = m_new
    return (torch.exp(work - m) / l_i).to(x.dtype)


def tiled_attention(q, k, v, block_q, block_k, causal=False, scale=None):
    B, H, T, D = q.shape
    scale = 1.0 / math.sqrt(D) if scale is None else scale
    out = torch.empty(B, H, T, v.shape[-1], dtype=q.dtype)
    lse = torch.empty(B, H, T, dtype=q.dtype)
    for i in range(0, T, block_q):
        q_i = q[:, :, i : i + block_q] * scale
        rows = torch.arange(i, i + q_i.shape[2])
        m = torch.full((B, H, q_i.shape[2]), float("-inf"), dtype=q.dtype)
        l_i = torch.zeros(B, H, q_i.shape[2], dtype=q.dtype)
        acc = torch.zeros(B, H, q_i.shape[2], v.shape[-1], dtype=q.dtype)
        for j in range(0, T, block_k):
            k_j, v_j = k[:, :, j : j + block_k], v[:, :, j : j + block_k]
            s = q_i @ k_j.transpose(-2, -1)
            if causal:
                cols = torch.arange(j, j + k_j.shape[2])
                s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l_i = alpha * l_i + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v_j
            m = m_new
        out[:, :, i : i + block_q] = acc / l_i[..., None]
        lse[:, :, i : i + block_q] = m + torch.log(l_i)
    return out, lse
