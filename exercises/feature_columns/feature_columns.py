"""Feature columns. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/feature_columns``."""

import torch


def bucketize(values: list[float], boundaries: list[float]) -> list[int]:
    """The bucket of each value: the number of boundaries less than or equal to it.

    ``boundaries`` are sorted ascending (repeats allowed). Bucket 0 holds values
    below ``boundaries[0]``; bucket ``i`` holds ``boundaries[i-1] <= v < boundaries[i]``;
    bucket ``len(boundaries)`` holds values at or above the last boundary. A value
    equal to a boundary goes to the bucket above it. Returns a new list of ints.
    """
    raise NotImplementedError


def vocabulary_lookup(
    values: list[str], vocabulary: list[str], num_oov_buckets: int = 0, default_value: int = -1
) -> list[int]:
    """The id of each value: its index in ``vocabulary`` (whose words are distinct).

    A value not in the vocabulary gets
    ``len(vocabulary) + zlib.crc32(value.encode("utf-8")) % num_oov_buckets``
    when ``num_oov_buckets > 0``, else ``default_value``. Exact, case-sensitive
    matching. Returns a new list of ints.
    """
    raise NotImplementedError


def indicator(ids: list[list[int]], depth: int) -> list[list[int]]:
    """Multi-hot counts: row ``r`` of the result is a list of ``depth`` ints whose
    element ``j`` counts how often ``j`` occurs in ``ids[r]``. Ids outside
    ``[0, depth)`` (including negative ones) are ignored. An empty row gives
    ``depth`` zeros; ``[]`` gives ``[]``.
    """
    raise NotImplementedError


def embedding_combine(ids: list[list[int]], table: torch.Tensor, combiner: str = "mean") -> torch.Tensor:
    """One combined embedding per row of ids, as TensorFlow's embedding combiners.

    ``table`` is a (V, D) float32 or float64 tensor; every id is in ``[0, V)``.
    With ``n = len(ids[r])`` (repeated ids count each time) and ``s`` the sum of
    the table rows of ``ids[r]``, row ``r`` of the result is ``s`` for "sum",
    ``s / n`` for "mean" and ``s / sqrt(n)`` for "sqrtn"; an empty row gives zeros.
    Returns a (len(ids), D) tensor of ``table``'s dtype. Any other combiner
    raises ``ValueError``. ``table`` is left unchanged.
    """
    raise NotImplementedError
