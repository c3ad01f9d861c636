"""Selects the kept tokens with hidden[attention_mask]: right for a bool mask, but the int64
mask a tokenizer returns is read as indices (rows 0 and 1 of hidden), not as a mask."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_unpad_and_pad_known_answer",
    "test_unpad_input_matches_a_loop_over_the_mask",
    "test_pad_after_unpad_restores_the_kept_tokens",
)


def pack_sequences(seqs, max_length):
    if any(len(s) > max_length for s in seqs):
        raise ValueError("a sequence is longer than max_length")
    bins, room = [], []
    for s in sorted(seqs, key=len, reverse=True):
        for p in range(len(bins)):
            if len(s) <= room[p]:
                bins[p].append(s)
                room[p] -= len(s)
                break
        else:
            bins.append([s])
            room.append(max_length - len(s))
    packs = []
    for members in bins:
        ids, pos, cu = [], [], [0]
        for s in members:
            ids += s
            pos += range(len(s))
            cu.append(len(ids))
        packs.append({"input_ids": ids, "position_ids": pos, "cu_seqlens": cu})
    return packs


def unpad_input(hidden, attention_mask):
    mask = attention_mask.bool()
    seqlens = mask.sum(dim=1, dtype=torch.int32)
    indices = torch.nonzero(mask.flatten()).flatten()
    cu_seqlens = torch.nn.functional.pad(torch.cumsum(seqlens, dim=0, dtype=torch.int32), (1, 0))
    return hidden[attention_mask], indices, cu_seqlens, int(seqlens.max())  # should be hidden[mask] (bool)


def pad_input(hidden_unpad, indices, batch, seqlen):
    out = hidden_unpad.new_zeros(batch * seqlen, *hidden_unpad.shape[1:])
    out[indices] = hidden_unpad
    return out.reshape(batch, seqlen, *hidden_unpad.shape[1:])


def varlen_attention(q, k, v, cu_seqlens, causal=False):
    out = torch.empty_like(q)
    bounds = cu_seqlens.tolist()
    for start, end in zip(bounds[:-1], bounds[1:]):
        if end > start:
            q_i, k_i, v_i = (t[start:end].transpose(0, 1) for t in (q, k, v))
            scores = q_i @ k_i.transpose(-2, -1) / math.sqrt(q.shape[-1])
            if causal:
                scores = scores.masked_fill(
                    torch.ones(end - start, end - start, dtype=torch.bool).triu(1), float("-inf")
                )
            out[start:end] = (scores.softmax(-1) @ v_i).transpose(0, 1)
    return out
