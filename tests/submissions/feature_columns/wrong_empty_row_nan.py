"""Mistake: every row is combined the same way, empty rows included: the mean of
no rows is 0/0 = nan (as torch's mean of an empty tensor), and so is sqrtn,
instead of zeros."""

import bisect
import math
import zlib

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_embedding_combine_matches_the_float64_formula",
)

COMBINERS = ("sum", "mean", "sqrtn")


def bucketize(values: list[float], boundaries: list[float]) -> list[int]:
    # Bucket i is [boundaries[i-1], boundaries[i]): a value equal to a boundary
    # belongs to the bucket above it. bisect_right counts the boundaries <= value.
    return [bisect.bisect_right(boundaries, value) for value in values]


def vocabulary_lookup(
    values: list[str], vocabulary: list[str], num_oov_buckets: int = 0, default_value: int = -1
) -> list[int]:
    index = {word: i for i, word in enumerate(vocabulary)}
    ids = []
    for value in values:
        if value in index:
            ids.append(index[value])
        elif num_oov_buckets > 0:
            # Hashed out-of-vocabulary buckets come after the vocabulary's ids.
            # zlib.crc32 is the same in every process; Python's hash() of a str is not.
            ids.append(len(vocabulary) + zlib.crc32(value.encode("utf-8")) % num_oov_buckets)
        else:
            ids.append(default_value)
    return ids


def indicator(ids: list[list[int]], depth: int) -> list[list[int]]:
    rows = []
    for row in ids:
        counts = [0] * depth
        for i in row:
            if 0 <= i < depth:  # a bare counts[i] would let -1 count towards the last column
                counts[i] += 1
        rows.append(counts)
    return rows


def embedding_combine(ids: list[list[int]], table: torch.Tensor, combiner: str = "mean") -> torch.Tensor:
    if combiner not in COMBINERS:
        raise ValueError(f"combiner must be one of {COMBINERS}, got {combiner!r}")
    out = torch.zeros(len(ids), table.shape[1], dtype=table.dtype)
    for r, row in enumerate(ids):
        n = len(row)  # repeats count: each id is one lookup with weight 1
        total = table[row].sum(dim=0)  # an empty row: zeros, then 0 / 0 below
        if combiner == "sum":
            out[r] = total
        elif combiner == "mean":
            out[r] = total / n
        else:
            # sqrtn: sum(w·x) / sqrt(sum(w²)), and with unit weights sum(w²) = n.
            # The scale of a sum of n roughly independent vectors grows like sqrt(n).
            out[r] = total / math.sqrt(n)
    return out
