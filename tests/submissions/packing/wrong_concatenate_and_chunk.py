"""Packing as Hugging Face's run_clm.py group_texts does it: concatenate every sequence and
cut the stream into rows of max_length. No room is wasted, but sequences are split across
rows (cu_seqlens marks the pieces), and a long one raises nothing."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_pack_sequences_known_answers",
    "test_packing_never_splits_or_drops_a_sequence",
    "test_a_sequence_longer_than_max_length_raises_value_error",
    "test_packing_a_corpus",
)


def pack_sequences(seqs, max_length):
    bins, room = [], 0
    for s in seqs:
        while s:  # split the sequence across rows where it does not fit
            if not bins or room == 0:
                bins.append([])
                room = max_length
            piece, s = s[:room], s[room:]
            bins[-1].append(piece)
            room -= len(piece)
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
    return hidden.reshape(-1, *hidden.shape[2:])[indices], indices, cu_seqlens, int(seqlens.max())


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
