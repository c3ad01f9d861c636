"""Reference solution: padding-free batches. Sequences packed whole into fixed-length rows
(first-fit decreasing), padded batches unpadded and back (FlashAttention's bert_padding), and
attention over packed tokens that stays inside each sequence."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def pack_sequences(seqs: list[list[int]], max_length: int) -> list[dict]:
    for i, seq in enumerate(seqs):
        if len(seq) > max_length:
            raise ValueError(f"sequence {i} has {len(seq)} tokens, more than max_length={max_length}")
    # First-fit decreasing: longest sequences first, each into the first pack with room.
    # Placing the long ones early leaves the short ones to fill the gaps.
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]), reverse=True)
    members: list[list[int]] = []  # the sequences (by index) in each pack
    room: list[int] = []  # tokens still free in each pack
    for i in order:
        for p in range(len(members)):
            if len(seqs[i]) <= room[p]:
                members[p].append(i)
                room[p] -= len(seqs[i])
                break
        else:
            members.append([i])
            room.append(max_length - len(seqs[i]))

    packs = []
    for pack in members:
        input_ids, position_ids, cu_seqlens = [], [], [0]
        for i in pack:
            input_ids += seqs[i]
            position_ids += range(len(seqs[i]))  # positions restart: each sequence starts at 0
            cu_seqlens.append(len(input_ids))  # where the next sequence starts
        packs.append({"input_ids": input_ids, "position_ids": position_ids, "cu_seqlens": cu_seqlens})
    return packs


def unpad_input(hidden: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor, Tensor, int]:
    mask = attention_mask.bool()  # 1/True = a real token, whatever the mask's dtype
    seqlens = mask.sum(dim=1, dtype=torch.int32)
    # Positions of the kept tokens in the flattened (batch * seqlen) axis, in row-major order.
    indices = torch.nonzero(mask.flatten()).flatten()
    cu_seqlens = F.pad(torch.cumsum(seqlens, dim=0, dtype=torch.int32), (1, 0))  # [0, n_0, n_0 + n_1, ...]
    max_seqlen = int(seqlens.max())
    flat = hidden.reshape(-1, *hidden.shape[2:])  # reshape, not view: hidden may be non-contiguous
    return flat[indices], indices, cu_seqlens, max_seqlen


def pad_input(hidden_unpad: Tensor, indices: Tensor, batch: int, seqlen: int) -> Tensor:
    flat = hidden_unpad.new_zeros(batch * seqlen, *hidden_unpad.shape[1:])
    flat[indices] = hidden_unpad  # scatter the tokens back; padding stays zero
    return flat.reshape(batch, seqlen, *hidden_unpad.shape[1:])


def varlen_attention(q: Tensor, k: Tensor, v: Tensor, cu_seqlens: Tensor, causal: bool = False) -> Tensor:
    # Sequence i occupies rows cu_seqlens[i] : cu_seqlens[i + 1]; its tokens attend only to each other.
    scale = 1.0 / math.sqrt(q.shape[-1])
    out = torch.empty(q.shape[0], q.shape[1], v.shape[-1], dtype=q.dtype)
    bounds = cu_seqlens.tolist()
    for start, end in zip(bounds[:-1], bounds[1:]):
        if start == end:
            continue  # an empty sequence
        q_i, k_i, v_i = (t[start:end].transpose(0, 1) for t in (q, k, v))  # (H, L_i, D)
        scores = scale * q_i @ k_i.transpose(-2, -1)  # (H, L_i, L_i)
        if causal:
            future = torch.ones(end - start, end - start, dtype=torch.bool).triu(diagonal=1)
            scores = scores.masked_fill(future, float("-inf"))
        out[start:end] = (torch.softmax(scores, dim=-1) @ v_i).transpose(0, 1)
    return out
