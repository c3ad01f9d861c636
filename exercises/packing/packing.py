"""Padding-free batches: packing, unpadding and attention within packed sequences. Read
README.md in this folder, then replace each ``raise NotImplementedError`` with your code and
run ``grade exercises/packing``."""

from __future__ import annotations

from torch import Tensor


def pack_sequences(seqs: list[list[int]], max_length: int) -> list[dict]:
    """Pack the token sequences ``seqs`` into rows of at most ``max_length`` tokens.

    Returns a list of packs, each a dict of three lists of ints: ``"input_ids"`` (the tokens of
    its sequences, one after another), ``"position_ids"`` (0, 1, ... restarting at 0 for each
    sequence) and ``"cu_seqlens"`` (where each sequence starts, then the total: ``[0, n_0,
    n_0 + n_1, ...]``). Every sequence appears whole in exactly one pack; no more packs than
    first-fit decreasing needs. Each sequence has at least one token; one longer than
    ``max_length`` raises ``ValueError``. ``[]`` gives ``[]``.
    """
    raise NotImplementedError


def unpad_input(hidden: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor, Tensor, int]:
    """Drop the padding of a batch: ``(hidden_unpad, indices, cu_seqlens, max_seqlen)``.

    ``hidden`` (B, S, ...) any dtype; ``attention_mask`` (B, S), bool or integer, 1/True for a
    real token (padding on the left or on the right). ``hidden_unpad`` (nnz, ...): the kept
    tokens in row-major order; ``indices`` (nnz,) int64: their positions in the flattened B * S
    axis; ``cu_seqlens`` (B + 1,) int32: ``[0, n_0, n_0 + n_1, ...]`` with ``n_b`` the kept tokens
    of row b; ``max_seqlen``: the largest ``n_b``, a Python int.
    """
    raise NotImplementedError


def pad_input(hidden_unpad: Tensor, indices: Tensor, batch: int, seqlen: int) -> Tensor:
    """The inverse of ``unpad_input``: a (batch, seqlen, ...) tensor in ``hidden_unpad``'s dtype,
    with ``hidden_unpad[i]`` at flattened position ``indices[i]`` and zeros everywhere else."""
    raise NotImplementedError


def varlen_attention(q: Tensor, k: Tensor, v: Tensor, cu_seqlens: Tensor, causal: bool = False) -> Tensor:
    """Softmax attention over packed sequences: (nnz, H, D) in ``q``'s dtype.

    ``q``, ``k``, ``v`` (nnz, H, D) hold the tokens of several sequences one after another;
    sequence i is rows ``cu_seqlens[i] : cu_seqlens[i + 1]`` (``cu_seqlens`` int32, from 0 to nnz;
    a sequence may be empty). Each token attends only to the tokens of its own sequence (with
    ``causal``, only to those at or before it), with scores scaled by ``1 / sqrt(D)``.
    """
    raise NotImplementedError
