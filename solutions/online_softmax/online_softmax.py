"""Reference solution: the online softmax (Milakov & Gimelshein, 2018) and FlashAttention's
forward loop (Dao et al., 2022), in PyTorch."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def online_softmax(x: Tensor, block_size: int) -> Tensor:
    # Half-precision inputs keep their statistics in float32, as FlashAttention does.
    work = x.float() if x.element_size() < 4 else x
    m_i = torch.full((*x.shape[:-1], 1), float("-inf"), dtype=work.dtype)  # running maximum
    l_i = torch.zeros((*x.shape[:-1], 1), dtype=work.dtype)  # running sum of exp(x - m_i)
    for start in range(0, x.shape[-1], block_size):  # the last block may be shorter
        block = work[..., start : start + block_size]
        m_new = torch.maximum(m_i, block.amax(dim=-1, keepdim=True))
        # The terms summed so far were exp(x - m_i); rescale them to exp(x - m_new).
        l_i = l_i * torch.exp(m_i - m_new) + torch.exp(block - m_new).sum(dim=-1, keepdim=True)
        m_i = m_new
    return (torch.exp(work - m_i) / l_i).to(x.dtype)  # the one normalisation


def tiled_attention(
    q: Tensor, k: Tensor, v: Tensor, block_q: int, block_k: int, causal: bool = False, scale: float | None = None
) -> tuple[Tensor, Tensor]:
    B, H, T, D = q.shape
    scale = 1.0 / math.sqrt(D) if scale is None else scale
    out = torch.empty(B, H, T, v.shape[-1], dtype=q.dtype)
    lse = torch.empty(B, H, T, dtype=q.dtype)
    for i in range(0, T, block_q):
        q_i = q[:, :, i : i + block_q] * scale  # (B, H, Bq, D)
        rows = torch.arange(i, i + q_i.shape[2])
        m_i = torch.full((B, H, q_i.shape[2]), float("-inf"), dtype=q.dtype)  # running max of the scores
        l_i = torch.zeros(B, H, q_i.shape[2], dtype=q.dtype)  # running sum of exp(score - m_i)
        acc = torch.zeros(B, H, q_i.shape[2], v.shape[-1], dtype=q.dtype)  # running sum of exp(score - m_i) v
        for j in range(0, T, block_k):
            if causal and j > rows[-1]:
                break  # this key block and all later ones are in every query's future
            k_j, v_j = k[:, :, j : j + block_k], v[:, :, j : j + block_k]
            s = q_i @ k_j.transpose(-2, -1)  # (B, H, Bq, Bk): one tile of the scores, never all of them
            if causal:
                cols = torch.arange(j, j + k_j.shape[2])
                s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
            m_new = torch.maximum(m_i, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            # When the maximum grows, everything accumulated so far was weighted by exp(score - m_i):
            # multiply by exp(m_i - m_new) to reweight it by exp(score - m_new).
            alpha = torch.exp(m_i - m_new)
            l_i = alpha * l_i + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v_j
            m_i = m_new
        out[:, :, i : i + block_q] = acc / l_i[..., None]
        lse[:, :, i : i + block_q] = m_i + torch.log(l_i)  # log Σ exp(score) = m_i + log Σ exp(score - m_i)
    return out, lse
