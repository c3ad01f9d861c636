"""Tests for maximum_gap: known answers, sorting as the oracle, and properties."""

import random
import reprlib

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader.strategies import gap_lists

BILLION = 10**9

_shortener = reprlib.Repr()
_shortener.maxlist = 12


def shown(nums):
    """A list as messages show it: long ones are cut with an ellipsis."""
    return _shortener.repr(nums)


def sorted_gap(nums):
    """The definition: sort, then the largest difference between neighbours."""
    ordered = sorted(nums)
    return max((b - a for a, b in zip(ordered, ordered[1:])), default=0)


def check(submission, nums):
    """Call maximum_gap on a copy of ``nums`` and compare with the sorted oracle."""
    got = submission.maximum_gap(list(nums))
    expected = sorted_gap(nums)
    assert got == expected, f"maximum_gap({shown(nums)}) returned {got!r}, expected {expected}{explain(nums, expected)}"


def explain(nums, expected):
    """Where the largest gap is, for a message: between which neighbours of the sorted list."""
    ordered = sorted(nums)
    for a, b in zip(ordered, ordered[1:]):
        if b - a == expected and expected > 0:
            return f" (from {a} to {b} in the sorted list)"
    return ""


@st.composite
def lists_with_duplicates(draw):
    """Many numbers in a narrow range, so values repeat and the range is often smaller than the count."""
    low = draw(st.one_of(st.integers(0, 20), st.integers(0, BILLION - 10)))
    span = draw(st.integers(0, 10))
    return draw(st.lists(st.integers(low, low + span), min_size=2, max_size=30))


@st.composite
def large_values_close_together(draw):
    """Numbers within a few dozen of 10**9."""
    span = draw(st.integers(1, 100))
    return draw(st.lists(st.integers(BILLION - span, BILLION), min_size=2, max_size=50))


@st.composite
def list_and_reordering(draw):
    nums = draw(gap_lists(max_size=30))
    return nums, draw(st.permutations(nums))


@st.composite
def large_lists(draw, size=100_000):
    """``size`` numbers from 0 to 10**9, made from a drawn seed (drawing each one would be slow)."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([BILLION, size // 2, 10 * size]))  # wide, with repeats, in between
    low = draw(st.integers(0, BILLION - spread))
    return [low + rng.randrange(spread + 1) for _ in range(size)]


@pytest.mark.points(2)
def test_known_answers(submission):
    cases = [
        ([3, 6, 9, 1], 3),  # sorted: 1 3 6 9
        ([10], 0),
        ([], 0),
        ([1, 10_000_000], 9_999_999),
        ([5, 5, 5, 5], 0),
        ([1, 3, 3, 3, 2], 1),  # hi - lo = 2 is less than n - 1 = 4
        ([100, 3, 1, 80], 77),  # sorted: 1 3 80 100
        ([0, BILLION], BILLION),
        ([1, 2, 4, 8, 16, 32, 64], 32),  # the gap spans empty buckets
    ]
    for nums, expected in cases:
        got = submission.maximum_gap(list(nums))
        assert got == expected, f"maximum_gap({nums}) returned {got!r}, expected {expected}{explain(nums, expected)}"


@given(nums=st.lists(st.integers(0, BILLION), max_size=1))
def test_fewer_than_two_numbers_give_zero(submission, nums):
    got = submission.maximum_gap(list(nums))
    assert got == 0, f"maximum_gap({nums}) returned {got!r}, expected 0: with fewer than two numbers there is no gap"


@pytest.mark.points(2)
@given(nums=gap_lists(max_size=50))
def test_matches_sorting(submission, nums):
    check(submission, nums)


@given(nums=lists_with_duplicates())
def test_duplicates(submission, nums):
    check(submission, nums)


@given(value=st.integers(0, BILLION), count=st.integers(2, 50))
def test_all_equal_numbers_give_zero(submission, value, count):
    got = submission.maximum_gap([value] * count)
    assert got == 0, f"maximum_gap([{value}] * {count}) returned {got!r}, expected 0: equal numbers have no gap"


@given(nums=large_values_close_together())
def test_large_values_close_together(submission, nums):
    # Buckets must start at the minimum, not at 0: counting them from 0 here
    # would need hundreds of millions of buckets.
    check(submission, nums)


@given(lists=list_and_reordering())
def test_order_does_not_matter(submission, lists):
    nums, reordered = lists
    first, second = submission.maximum_gap(list(nums)), submission.maximum_gap(list(reordered))
    assert first == second, (
        f"maximum_gap({shown(nums)}) returned {first!r}, but the same numbers in the order "
        f"{shown(reordered)} gave {second!r}"
    )


@given(nums=gap_lists(max_size=30))
def test_input_is_left_unchanged(submission, nums):
    before = list(nums)
    submission.maximum_gap(nums)
    assert nums == before, f"maximum_gap({shown(before)}) changed its input to {shown(nums)}"


@pytest.mark.points(2)
# 100,000 numbers: a few inputs, not shrunk (the tests above find small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(nums=large_lists())
def test_large_input(submission, nums):
    check(submission, nums)
