"""Tests for feature_columns: bisect, zlib.crc32 and Counter as oracles for the list
transforms; a float64 formula and torch's embedding_bag for the combined embeddings."""

import bisect
import math
import zlib
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import assert_close

COMBINERS = ["sum", "mean", "sqrtn"]


def counts(row, depth):
    """The definition: how often each j in [0, depth) occurs in the row."""
    seen = Counter(row)
    return [seen[j] for j in range(depth)]


def oov_id(value, vocabulary, num_oov_buckets, default_value):
    if num_oov_buckets == 0:
        return default_value
    return len(vocabulary) + zlib.crc32(value.encode("utf-8")) % num_oov_buckets


def combine_float64(ids, table, combiner):
    """The formula in float64: s, s / n or s / sqrt(n) per row; zeros for an empty row."""
    weights, dim = table.double().tolist(), table.shape[1]
    rows = []
    for row in ids:
        total = [math.fsum(weights[i][d] for i in row) for d in range(dim)]
        divisor = {"sum": 1, "mean": len(row), "sqrtn": math.sqrt(len(row))}[combiner] or 1
        rows.append([x / divisor for x in total])
    return torch.tensor(rows, dtype=torch.float64).reshape(len(ids), dim)


def tolerances(ids, table):
    """float32: relative 1e-5, absolute 1e-6 per unit of the largest entry per id summed
    (sums of large entries may cancel); float64: assert_close's defaults."""
    if table.dtype == torch.float64:
        return {}
    longest = max((len(row) for row in ids), default=1)
    return {"rtol": 1e-5, "atol": 1e-6 * float(table.abs().max()) * max(1, longest)}


floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def bucketize_cases(draw):
    """Sorted boundaries with repeats, and values of which many sit exactly on a boundary."""
    boundaries = sorted(draw(st.lists(st.one_of(st.integers(-3, 3).map(float), floats), max_size=10)))
    on_boundary = st.sampled_from(boundaries) if boundaries else floats
    values = draw(st.lists(st.one_of(on_boundary, st.integers(-4, 4).map(float), floats), max_size=30))
    return values, boundaries


words = st.text(alphabet="abcAB é", max_size=4)


@st.composite
def lookup_cases(draw):
    """(values, vocabulary, num_oov_buckets, default_value): many values in the vocabulary, many not."""
    vocabulary = draw(st.lists(words, max_size=10, unique=True))
    known = st.sampled_from(vocabulary) if vocabulary else words
    values = draw(st.lists(st.one_of(known, words, st.text(max_size=6)), max_size=30))
    num_oov_buckets = draw(st.integers(0, 10))
    default_value = draw(st.sampled_from([-1, 0, len(vocabulary), 99]))
    return values, vocabulary, num_oov_buckets, default_value


@st.composite
def indicator_cases(draw):
    depth = draw(st.integers(1, 10))
    ids = draw(st.lists(st.lists(st.integers(-3, depth + 2), max_size=8), max_size=10))
    return ids, depth


@st.composite
def embedding_cases(draw, min_rows=0):
    """(ids, table, combiner): a seeded table of float32 or float64 at one of three scales,
    rows with repeats and empty rows."""
    vocab_size, dim = draw(st.integers(1, 8)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    scale = draw(st.sampled_from([1e-2, 1.0, 1e2]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    table = (torch.randn(vocab_size, dim, generator=generator, dtype=torch.float64) * scale + scale / 4).to(dtype)
    ids = draw(st.lists(st.lists(st.integers(0, vocab_size - 1), max_size=6), min_size=min_rows, max_size=8))
    return ids, table, draw(st.sampled_from(COMBINERS))


@pytest.mark.points(2)
def test_known_answers(submission):
    bucket_cases = [
        (([-1.0, 0.0, 0.5, 1.0, 2.0, 10.0], [0.0, 1.0, 2.0]), [0, 1, 1, 2, 3, 3]),
        (([3.5, -3.5], []), [0, 0]),  # no boundaries: one bucket
        (([0.0, 1.0, 1.5, 2.0], [1.0, 1.0, 2.0]), [0, 2, 2, 3]),  # repeated boundary: bucket 1 stays empty
        (([], [1.0]), []),
    ]
    for (values, boundaries), expected in bucket_cases:
        got = submission.bucketize(list(values), list(boundaries))
        assert got == expected, (
            f"bucketize({values}, {boundaries}) returned {got!r}, expected {expected} "
            "(the bucket is the number of boundaries <= value)"
        )
    colors, values = ["red", "green", "blue"], ["green", "pink", "red", "cyan"]
    lookup_cases = [
        ((values, colors), {}, [1, -1, 0, -1]),
        ((values, colors), {"default_value": 7}, [1, 7, 0, 7]),
        ((values, colors), {"num_oov_buckets": 3}, [1, 5, 0, 4]),  # crc32: pink % 3 = 2, cyan % 3 = 1
        ((["Red"], colors), {"num_oov_buckets": 4}, [6]),  # case-sensitive; crc32(b"Red") % 4 = 3
        ((["x"], []), {"num_oov_buckets": 1}, [0]),
    ]
    for (values, vocabulary), options, expected in lookup_cases:
        got = submission.vocabulary_lookup(list(values), list(vocabulary), **options)
        call = ", ".join([repr(values), repr(vocabulary)] + [f"{k}={v!r}" for k, v in options.items()])
        assert got == expected, f"vocabulary_lookup({call}) returned {got!r}, expected {expected}"
    indicator_cases = [
        (([[0, 2, 2], [], [5, -1, 1]], 4), [[1, 0, 2, 0], [0, 0, 0, 0], [0, 1, 0, 0]]),
        (([], 3), []),
        (([[-1, -1]], 2), [[0, 0]]),  # -1 is missing, not the last column
    ]
    for (ids, depth), expected in indicator_cases:
        got = submission.indicator([list(row) for row in ids], depth)
        assert got == expected, f"indicator({ids}, {depth}) returned {got!r}, expected {expected}"
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    ids = [[0, 1], [2], [], [0, 0]]
    root2 = math.sqrt(2)
    expected = {
        "sum": [[4.0, 6.0], [5.0, 6.0], [0.0, 0.0], [2.0, 4.0]],
        "mean": [[2.0, 3.0], [5.0, 6.0], [0.0, 0.0], [1.0, 2.0]],
        "sqrtn": [[4 / root2, 6 / root2], [5.0, 6.0], [0.0, 0.0], [2 / root2, 4 / root2]],
    }
    for combiner, rows in expected.items():
        got = submission.embedding_combine(ids, table.clone(), combiner)
        assert_close(got, torch.tensor(rows), name=f'embedding_combine({ids}, [[1, 2], [3, 4], [5, 6]], "{combiner}")')
    got = submission.embedding_combine([], table.clone(), "mean")
    assert_close(got, torch.zeros(0, 2), name="embedding_combine([], a 3 × 2 table)")


@pytest.mark.points(2)
@given(case=bucketize_cases())
def test_bucketize_matches_bisect_right(submission, case):
    values, boundaries = case
    got = submission.bucketize(list(values), list(boundaries))
    expected = [bisect.bisect_right(boundaries, value) for value in values]
    assert isinstance(got, list) and len(got) == len(values), (
        f"bucketize returned {got!r} for {len(values)} values, expected a list of {len(values)} ints"
    )
    for value, bucket, want in zip(values, got, expected):
        at_or_below = [b for b in boundaries if b <= value]
        assert bucket == want, (
            f"bucketize({values}, {boundaries}) put {value!r} in bucket {bucket!r}, expected {want}: "
            f"the number of boundaries <= {value!r} ({at_or_below})"
        )


@pytest.mark.points(2)
@given(case=lookup_cases())
def test_vocabulary_lookup_matches_the_definition(submission, case):
    values, vocabulary, num_oov_buckets, default_value = case
    got = submission.vocabulary_lookup(list(values), list(vocabulary), num_oov_buckets, default_value)
    call = f"vocabulary_lookup({values!r}, {vocabulary!r}, {num_oov_buckets}, {default_value})"
    assert isinstance(got, list) and len(got) == len(values), f"{call} returned {got!r}, expected {len(values)} ids"
    for value, id_ in zip(values, got):
        if value in vocabulary:
            want, why = vocabulary.index(value), "its index in the vocabulary"
        elif num_oov_buckets:
            want = oov_id(value, vocabulary, num_oov_buckets, default_value)
            why = f"len(vocabulary) + zlib.crc32({value.encode('utf-8')!r}) % {num_oov_buckets}"
        else:
            want, why = default_value, "default_value, as there are no OOV buckets"
        assert id_ == want, f"{call} gave {value!r} the id {id_!r}, expected {want}: {why}"


@pytest.mark.points(2)
@given(case=indicator_cases())
def test_indicator_counts_the_ids_in_range(submission, case):
    ids, depth = case
    got = submission.indicator([list(row) for row in ids], depth)
    assert isinstance(got, list) and len(got) == len(ids), (
        f"indicator({ids}, {depth}) returned {got!r}, expected {len(ids)} rows"
    )
    for row, counted in zip(ids, got):
        expected = counts(row, depth)
        assert counted == expected, (
            f"indicator({ids}, {depth}): the row {row} gave {counted!r}, expected {expected} "
            f"(counts of 0..{depth - 1}; ids outside that range are ignored)"
        )


@pytest.mark.points(2)
@given(case=embedding_cases())
def test_embedding_combine_matches_the_float64_formula(submission, case):
    ids, table, combiner = case
    expected = combine_float64(ids, table, combiner).to(table.dtype)
    got = submission.embedding_combine(ids, table.clone(), combiner)
    name = f'embedding_combine({ids}, a {tuple(table.shape)} {str(table.dtype).removeprefix("torch.")} table, "{combiner}")'
    assert_close(got, expected, name=name, **tolerances(ids, table))


@given(case=embedding_cases(min_rows=1))
def test_embedding_combine_matches_torch_embedding_bag(submission, case):
    ids, table, combiner = case
    if combiner == "sqrtn":
        combiner = "mean"  # embedding_bag has no sqrtn
    flat = torch.tensor([i for row in ids for i in row], dtype=torch.long)
    offsets = torch.tensor([0] + [len(row) for row in ids[:-1]], dtype=torch.long).cumsum(0)
    expected = F.embedding_bag(flat, table, offsets, mode=combiner)  # empty bags give zeros
    got = submission.embedding_combine(ids, table.clone(), combiner)
    name = f'embedding_combine({ids}, a {tuple(table.shape)} {str(table.dtype).removeprefix("torch.")} table, "{combiner}"), compared with embedding_bag'
    assert_close(got, expected, name=name, **tolerances(ids, table))


def test_unknown_combiner_raises_value_error(submission):
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    for combiner in ["max", "Mean", "", "sqrt"]:
        try:
            got = submission.embedding_combine([[0, 1], [1]], table.clone(), combiner)
        except ValueError:
            continue
        pytest.fail(
            f"embedding_combine([[0, 1], [1]], table, combiner={combiner!r}) returned {got!r}; "
            'expected ValueError: the combiners are "sum", "mean" and "sqrtn"'
        )


# Changing an input shows on any input: fewer examples suffice.
@settings(max_examples=25)
@given(indicators=indicator_cases(), embeddings=embedding_cases(), buckets=bucketize_cases())
def test_inputs_are_left_unchanged(submission, indicators, embeddings, buckets):
    ids, depth = indicators
    before = [list(row) for row in ids]
    submission.indicator(ids, depth)
    assert ids == before, f"indicator changed its ids from {before} to {ids}"
    ids, table, combiner = embeddings
    ids_before, table_before = [list(row) for row in ids], table.clone()
    submission.embedding_combine(ids, table, combiner)
    assert ids == ids_before, f"embedding_combine changed its ids from {ids_before} to {ids}"
    assert torch.equal(table, table_before), "embedding_combine changed the table in place"
    values, boundaries = buckets
    values_before, boundaries_before = list(values), list(boundaries)
    submission.bucketize(values, boundaries)
    assert (values, boundaries) == (values_before, boundaries_before), "bucketize changed its input lists"
