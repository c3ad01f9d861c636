"""Correct, written differently from the reference: the chunkwise form that
real linear-attention kernels use. The sequence is cut into chunks of 4;
within a chunk the (masked) 4 × 4 weights are formed explicitly, across chunks
a running state (S, z) carries the earlier keys. The recurrent form keeps its
state as one augmented matrix [S | z] by appending a column of ones to v."""

import torch

EXPECTED_TO_FAIL = ()

CHUNK = 4


def phi(x):
    return torch.where(x > 0, x + 1, torch.exp(torch.clamp(x, max=0)))


def linear_attention(q, k, v, causal=False, eps=1e-6):
    phi_q, phi_k = phi(q), phi(k)
    ones = torch.ones(*v.shape[:-1], 1, dtype=v.dtype)
    v1 = torch.cat([v, ones], dim=-1)  # the last column accumulates the normaliser z
    if not causal:
        state = phi_k.transpose(-1, -2) @ v1
        out = phi_q @ state
        return out[..., :-1] / (out[..., -1:] + eps)
    state = torch.zeros(*q.shape[:-2], q.shape[-1], v1.shape[-1], dtype=q.dtype)
    pieces = []
    for start in range(0, q.shape[-2], CHUNK):
        qc, kc, vc = (t[..., start : start + CHUNK, :] for t in (phi_q, phi_k, v1))
        inside = torch.tril(qc @ kc.transpose(-1, -2)) @ vc  # keys of this chunk, j <= i
        pieces.append(inside + qc @ state)  # plus every key before the chunk
        state = state + kc.transpose(-1, -2) @ vc
    out = torch.cat(pieces, dim=-2)
    return out[..., :-1] / (out[..., -1:] + eps)


def linear_attention_recurrent(q, k, v, eps=1e-6):
    phi_q, phi_k = phi(q), phi(k)
    v1 = torch.cat([v, torch.ones(*v.shape[:-1], 1, dtype=v.dtype)], dim=-1)
    state = torch.zeros(*q.shape[:-2], q.shape[-1], v1.shape[-1], dtype=q.dtype)
    rows = []
    for i in range(q.shape[-2]):
        state = state + torch.einsum("...d,...e->...de", phi_k[..., i, :], v1[..., i, :])
        row = torch.einsum("...d,...de->...e", phi_q[..., i, :], state)
        rows.append(row[..., :-1] / (row[..., -1:] + eps))
    return torch.stack(rows, dim=-2)
