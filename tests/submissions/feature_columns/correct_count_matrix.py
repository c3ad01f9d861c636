"""Correct, written differently from the reference: buckets by counting boundaries,
the vocabulary by list.index, indicator rows from Counter, and the embeddings as
one matrix product: (rows × V counts) @ table, then divided per row."""

import zlib
from collections import Counter

import torch

EXPECTED_TO_FAIL = ()


def bucketize(values, boundaries):
    return [sum(1 for b in boundaries if b <= v) for v in values]


def vocabulary_lookup(values, vocabulary, num_oov_buckets=0, default_value=-1):
    out = []
    for v in values:
        if v in vocabulary:
            out.append(vocabulary.index(v))
        elif num_oov_buckets:
            out.append(len(vocabulary) + zlib.crc32(v.encode()) % num_oov_buckets)
        else:
            out.append(default_value)
    return out


def indicator(ids, depth):
    return [[Counter(row)[j] for j in range(depth)] for row in ids]


def embedding_combine(ids, table, combiner="mean"):
    sizes = torch.tensor([len(row) for row in ids], dtype=table.dtype)
    if combiner == "sum":
        divisor = torch.ones_like(sizes)
    elif combiner == "mean":
        divisor = sizes.clamp(min=1)
    elif combiner == "sqrtn":
        divisor = sizes.clamp(min=1).sqrt()
    else:
        raise ValueError(f"unknown combiner {combiner!r}")
    counts = torch.tensor(indicator(ids, table.shape[0]), dtype=table.dtype).reshape(len(ids), table.shape[0])
    return (counts @ table) / divisor[:, None]
