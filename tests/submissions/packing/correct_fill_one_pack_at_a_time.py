"""Correct, written differently from the reference: first-fit decreasing computed one pack at
a time (fill a pack with every remaining sequence that still fits, longest first, which puts
each sequence where first-fit decreasing would), unpadding by boolean masking, padding with
index_put, and varlen attention as one masked attention over all tokens, where the mask allows
a pair only when both tokens belong to the same sequence (segment ids from cu_seqlens)."""

import torch

EXPECTED_TO_FAIL = ()


def pack_sequences(seqs, max_length):
    longest = max((len(s) for s in seqs), default=0)
    if longest > max_length:
        raise ValueError(f"a sequence of {longest} tokens does not fit in max_length={max_length}")
    remaining = sorted(seqs, key=len, reverse=True)
    packs = []
    while remaining:
        chosen, left, room = [], [], max_length
        for seq in remaining:
            if len(seq) <= room:
                chosen.append(seq)
                room -= len(seq)
            else:
                left.append(seq)
        remaining = left
        lengths = [len(seq) for seq in chosen]
        packs.append(
            {
                "input_ids": [token for seq in chosen for token in seq],
                "position_ids": [i for n in lengths for i in range(n)],
                "cu_seqlens": [sum(lengths[:i]) for i in range(len(lengths) + 1)],
            }
        )
    return packs


def unpad_input(hidden, attention_mask):
    keep = attention_mask != 0
    lengths = keep.to(torch.int32).sum(1)
    positions = torch.arange(keep.numel()).reshape(keep.shape)
    cu_seqlens = torch.cat([torch.zeros(1, dtype=torch.int32), lengths.cumsum(0).to(torch.int32)])
    return hidden[keep], positions[keep], cu_seqlens, int(lengths.max().item())


def pad_input(hidden_unpad, indices, batch, seqlen):
    rows, cols = indices // seqlen, indices % seqlen
    out = torch.zeros(batch, seqlen, *hidden_unpad.shape[1:], dtype=hidden_unpad.dtype)
    return out.index_put((rows, cols), hidden_unpad)


def varlen_attention(q, k, v, cu_seqlens, causal=False):
    nnz = q.shape[0]
    lengths = (cu_seqlens[1:] - cu_seqlens[:-1]).long()
    segment = torch.repeat_interleave(torch.arange(len(lengths)), lengths)  # the sequence of each token
    allowed = segment[:, None] == segment[None, :]
    if causal:
        allowed &= torch.ones(nnz, nnz, dtype=torch.bool).tril()
    scores = torch.einsum("ihd,jhd->hij", q, k) * q.shape[-1] ** -0.5
    weights = scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1)
    return torch.einsum("hij,jhd->ihd", weights, v)
