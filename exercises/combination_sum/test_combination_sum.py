"""Tests for combination_sum: known answers, brute force on small inputs, and properties."""

import reprlib
from collections import Counter
from itertools import combinations, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import distinct_positive_ints

_shortener = reprlib.Repr()
_shortener.maxlist = 20
_shortener.maxlevel = 3


def shown(value):
    """A list as messages show it: long ones are cut with an ellipsis."""
    return _shortener.repr(value)


def brute_force(candidates, target):
    """Every combination with repetition: try every count of every candidate, keep those adding up to target."""
    values = sorted(candidates)
    counts = [range(target // value + 1) for value in values]
    found = []
    for how_many in product(*counts):
        if sum(n * value for n, value in zip(how_many, values)) == target:
            found.append([value for n, value in zip(how_many, values) for _ in range(n)])
    return sorted(found)


def brute_force_once(candidates, target):
    """Every sub-list of the sorted candidates that adds up to target, each distinct one kept once."""
    values = sorted(candidates)
    found = set()
    for size in range(len(values) + 1):
        for chosen in combinations(values, size):  # taken from a sorted list, so already non-decreasing
            if sum(chosen) == target:
                found.add(chosen)
    return sorted(list(chosen) for chosen in found)


def as_combinations(got, call):
    """The learner's answer as a list of lists of ints, after checking that it has that shape."""
    assert isinstance(got, list), f"{call} returned a {type(got).__name__}, expected a list of lists"
    for combination in got:
        assert isinstance(combination, list | tuple) and all(type(x) is int for x in combination), (
            f"{call} returned {shown(got)}: {combination!r} is not a list of ints"
        )
    return [list(combination) for combination in got]


def canonical(got, call):
    """The answer with each combination sorted and the combinations sorted: equal answers look equal."""
    return sorted(sorted(combination) for combination in as_combinations(got, call))


def difference(got, expected):
    """What a comparison message says: the combinations missing, and those not expected or listed too often."""
    got_count, expected_count = Counter(map(tuple, got)), Counter(map(tuple, expected))
    missing = sorted(list(c) for c in (expected_count - got_count).elements())
    extra = sorted(list(c) for c in (got_count - expected_count).elements())
    parts = []
    if missing:
        parts.append(f"missing: {shown(missing)}")
    if extra:
        parts.append(f"not expected (or listed too often): {shown(extra)}")
    return "; ".join(parts)


def repeated(combinations_):
    """The combinations listed more than once, each counted as a multiset (so [3, 2] repeats [2, 3])."""
    counts = Counter(tuple(sorted(c)) for c in combinations_)
    return sorted(list(c) for c, n in counts.items() if n > 1)


def listing(combinations_):
    """``[1, 2]`` or ``[1, 2] and [3]``: combinations named in a sentence."""
    names = [str(c) for c in combinations_]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def times(n):
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def candidates_with_repeats(max_size=10, max_value=8):
    """Positive ints where some values usually appear more than once."""
    return st.lists(st.integers(1, max_value), max_size=max_size)


@st.composite
def list_and_reordering(draw, elements):
    """A list drawn from ``elements`` and the same list in another order."""
    original = draw(elements)
    return original, draw(st.permutations(original))


# -- combination_sum: each candidate any number of times ----------------------------------------


@pytest.mark.points(2)
def test_known_answers(submission):
    cases = [
        (([2, 3, 6, 7], 7), [[2, 2, 3], [7]]),
        (([2, 3, 5], 8), [[2, 2, 2, 2], [2, 3, 3], [3, 5]]),
        (([8, 4, 2], 8), [[2, 2, 2, 2], [2, 2, 4], [4, 4], [8]]),  # candidates in any order
        (([2], 1), []),  # no combination
        (([1], 3), [[1, 1, 1]]),
        (([], 3), []),
    ]
    for (candidates, target), expected in cases:
        call = f"combination_sum({candidates}, {target})"
        got = as_combinations(submission.combination_sum(list(candidates), target), call)
        assert sorted(got) == expected, (
            f"{call} returned {shown(got)}, expected {expected} (combinations in any order, "
            f"each in non-decreasing order); {difference(got, expected)}"
        )


@given(candidates=distinct_positive_ints(max_size=5, max_value=12), target=st.integers(1, 16))
def test_each_combination_adds_up_to_target_from_candidates(submission, candidates, target):
    call = f"combination_sum({candidates}, {target})"
    got = as_combinations(submission.combination_sum(list(candidates), target), call)
    for combination in got:
        assert sum(combination) == target, f"{call} returned {shown(got)}: {combination} adds up to {sum(combination)}"
        strangers = sorted(set(combination) - set(candidates))
        assert not strangers, f"{call} returned {shown(got)}: {combination} uses {strangers}, not candidates"


@given(candidates=distinct_positive_ints(max_size=5, max_value=12), target=st.integers(1, 16))
def test_each_combination_is_non_decreasing(submission, candidates, target):
    call = f"combination_sum({candidates}, {target})"
    got = as_combinations(submission.combination_sum(list(candidates), target), call)
    for combination in got:
        assert combination == sorted(combination), (
            f"{call} returned {shown(got)}: {combination} is not in non-decreasing order, "
            f"expected {sorted(combination)}"
        )


@given(candidates=distinct_positive_ints(max_size=5, max_value=12), target=st.integers(1, 16))
def test_no_combination_is_listed_twice(submission, candidates, target):
    call = f"combination_sum({candidates}, {target})"
    got = as_combinations(submission.combination_sum(list(candidates), target), call)
    twice = repeated(got)
    assert not twice, (
        f"{call} returned {shown(got)}, which lists {listing(twice)} more than once "
        "(the same values in another order are the same combination)"
    )


@pytest.mark.points(2)
@given(candidates=distinct_positive_ints(max_size=5, max_value=12), target=st.integers(1, 16))
def test_matches_brute_force(submission, candidates, target):
    call = f"combination_sum({candidates}, {target})"
    got = as_combinations(submission.combination_sum(list(candidates), target), call)
    expected = brute_force(candidates, target)
    assert sorted(got) == expected, (
        f"{call} returned {shown(got)}, expected {shown(expected)} (in any order); {difference(got, expected)}"
    )


@given(lists=list_and_reordering(distinct_positive_ints(max_size=5, max_value=12)), target=st.integers(1, 16))
def test_candidate_order_does_not_matter(submission, lists, target):
    candidates, reordered = lists
    first = canonical(submission.combination_sum(list(candidates), target), f"combination_sum({candidates}, {target})")
    second = canonical(submission.combination_sum(list(reordered), target), f"combination_sum({reordered}, {target})")
    assert first == second, (
        f"combination_sum({candidates}, {target}) gave {shown(first)}, but the same candidates "
        f"as {reordered} gave {shown(second)}; {difference(second, first)}"
    )


# -- combination_sum_once: each element at most once, values may repeat --------------------------


@pytest.mark.points(2)
def test_once_known_answers(submission):
    cases = [
        (([10, 1, 2, 7, 6, 1, 5], 8), [[1, 1, 6], [1, 2, 5], [1, 7], [2, 6]]),
        (([2, 5, 2, 1, 2], 5), [[1, 2, 2], [5]]),
        (([1, 1, 1], 2), [[1, 1]]),  # three ways to pick two 1s, one combination
        (([2, 3], 4), []),  # 2 + 2 would use the single 2 twice
        (([4, 4, 4], 8), [[4, 4]]),
        (([], 3), []),
    ]
    for (candidates, target), expected in cases:
        call = f"combination_sum_once({candidates}, {target})"
        got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
        assert sorted(got) == expected, (
            f"{call} returned {shown(got)}, expected {expected} (combinations in any order, "
            f"each in non-decreasing order); {difference(got, expected)}"
        )


@given(candidates=candidates_with_repeats(), target=st.integers(1, 24))
def test_once_each_combination_uses_each_element_at_most_once(submission, candidates, target):
    call = f"combination_sum_once({candidates}, {target})"
    got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
    available = Counter(candidates)
    for combination in got:
        assert sum(combination) == target, f"{call} returned {shown(got)}: {combination} adds up to {sum(combination)}"
        overused = [
            f"{value} {times(n)} but the candidates hold it {times(available[value])}"
            if available[value]
            else f"{value}, which is not a candidate"
            for value, n in sorted(Counter(combination).items())
            if n > available[value]
        ]
        assert not overused, f"{call} returned {shown(got)}: {combination} uses {', '.join(overused)}"


@given(candidates=candidates_with_repeats(), target=st.integers(1, 24))
def test_once_each_combination_is_non_decreasing(submission, candidates, target):
    call = f"combination_sum_once({candidates}, {target})"
    got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
    for combination in got:
        assert combination == sorted(combination), (
            f"{call} returned {shown(got)}: {combination} is not in non-decreasing order, "
            f"expected {sorted(combination)}"
        )


@given(candidates=candidates_with_repeats(), target=st.integers(1, 24))
def test_once_no_combination_is_listed_twice(submission, candidates, target):
    call = f"combination_sum_once({candidates}, {target})"
    got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
    twice = repeated(got)
    assert not twice, (
        f"{call} returned {shown(got)}, which lists {listing(twice)} more than once (combinations that take "
        "different copies of a repeated value, or the same values in another order, are the same combination)"
    )


@pytest.mark.points(2)
@given(candidates=candidates_with_repeats(), target=st.integers(1, 24))
def test_once_matches_brute_force(submission, candidates, target):
    call = f"combination_sum_once({candidates}, {target})"
    got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
    expected = brute_force_once(candidates, target)
    assert sorted(got) == expected, (
        f"{call} returned {shown(got)}, expected {shown(expected)} (in any order); {difference(got, expected)}"
    )


@given(lists=list_and_reordering(candidates_with_repeats()), target=st.integers(1, 24))
def test_once_candidate_order_does_not_matter(submission, lists, target):
    candidates, reordered = lists
    first = canonical(
        submission.combination_sum_once(list(candidates), target), f"combination_sum_once({candidates}, {target})"
    )
    second = canonical(
        submission.combination_sum_once(list(reordered), target), f"combination_sum_once({reordered}, {target})"
    )
    assert first == second, (
        f"combination_sum_once({candidates}, {target}) gave {shown(first)}, but the same candidates "
        f"as {reordered} gave {shown(second)}; {difference(second, first)}"
    )


def test_once_many_repeated_candidates(submission):
    # 20 ones and 10 twos hold millions of sub-lists adding up to 20, but only 11 combinations:
    # a solution must skip repeated values instead of finding every sub-list and removing duplicates.
    candidates, target = [1] * 20 + [2] * 10, 20
    call = f"combination_sum_once([1] * 20 + [2] * 10, {target})"
    got = as_combinations(submission.combination_sum_once(list(candidates), target), call)
    expected = [[1] * (target - 2 * twos) + [2] * twos for twos in range(11)]
    assert sorted(got) == sorted(expected), (
        f"{call} returned {shown(got)}, expected the 11 combinations of k twos and 20 - 2k ones; "
        f"{difference(got, sorted(expected))}"
    )


# -- both ----------------------------------------------------------------------------------------


def test_target_zero_gives_one_empty_combination(submission):
    for function, candidates in (("combination_sum", [2, 3]), ("combination_sum_once", [2, 2, 3])):
        got = as_combinations(getattr(submission, function)(list(candidates), 0), f"{function}({candidates}, 0)")
        assert got == [[]], (
            f"{function}({candidates}, 0) returned {shown(got)}, expected [[]]: "
            "choosing nothing adds up to 0, and that is the one combination"
        )


@given(
    distinct=distinct_positive_ints(max_size=6, max_value=12),
    repeats=candidates_with_repeats(),
    target=st.integers(1, 16),
)
def test_inputs_are_left_unchanged(submission, distinct, repeats, target):
    before = list(distinct)
    submission.combination_sum(distinct, target)
    assert distinct == before, f"combination_sum({before}, {target}) changed its candidates to {distinct}"
    before = list(repeats)
    submission.combination_sum_once(repeats, target)
    assert repeats == before, f"combination_sum_once({before}, {target}) changed its candidates to {repeats}"
