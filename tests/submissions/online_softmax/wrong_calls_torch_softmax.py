"""online_softmax that calls torch.softmax on the whole row: the right numbers without the
online algorithm the exercise is about."""

import math

import torch

EXPECTED_TO_FAIL = ("test_online_softmax_does_not_call_torch_softmax",)


def online_softmax(x, block_size):
    return torch.softmax(x.float() if x.element_size() < 4 else x, dim=-1).to(x.dtype)


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
