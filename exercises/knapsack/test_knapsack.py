"""Tests for knapsack: brute force on small inputs, properties on larger ones."""

from itertools import combinations

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader.strategies import knapsack_items


def brute_force_value(weights, values, capacity):
    """The best value over every subset: the definition, checked one subset at a time."""
    n = len(weights)
    best = 0
    for size in range(n + 1):
        for subset in combinations(range(n), size):
            if sum(weights[i] for i in subset) <= capacity:
                best = max(best, sum(values[i] for i in subset))
    return best


def sparse_value(weights, values, capacity):
    """An independent DP: the reachable total weights and the best value at each."""
    reachable = {0: 0}
    for weight, value in zip(weights, values):
        for total, best in list(reachable.items()):
            if total + weight <= capacity and reachable.get(total + weight, -1) < best + value:
                reachable[total + weight] = best + value
    return max(reachable.values())


@pytest.mark.points(2)
def test_known_answers(submission):
    cases = [
        (([1, 3, 4, 5], [1, 4, 5, 7], 7), 9),  # items 1 and 2
        (([10, 20, 30], [60, 100, 120], 50), 220),  # the ratio-greedy choice (60 + 100) loses
        (([5], [10], 4), 0),  # the only item does not fit
        (([], [], 10), 0),
    ]
    for (weights, values, capacity), expected in cases:
        got = submission.max_value(weights, values, capacity)
        assert got == expected, f"max_value({weights}, {values}, {capacity}) returned {got}, expected {expected}"


@pytest.mark.points(2)
@given(items=knapsack_items(max_items=8))
def test_max_value_equals_best_subset(submission, items):
    weights, values, capacity = items
    got = submission.max_value(weights, values, capacity)
    expected = brute_force_value(weights, values, capacity)
    assert got == expected, f"max_value returned {got}, but the best subset is worth {expected}"


@pytest.mark.points(2)
@given(items=knapsack_items(max_items=8))
def test_best_items_is_a_feasible_optimal_selection(submission, items):
    weights, values, capacity = items
    chosen = submission.best_items(weights, values, capacity)
    assert isinstance(chosen, list), f"best_items returned a {type(chosen).__name__}, expected a list of indices"
    assert all(isinstance(i, int) and 0 <= i < len(weights) for i in chosen), f"{chosen} holds an invalid index"
    assert chosen == sorted(set(chosen)), f"indices {chosen} are not ascending without repeats"
    weight = sum(weights[i] for i in chosen)
    assert weight <= capacity, f"items {chosen} weigh {weight}, more than the capacity {capacity}"
    value, best = sum(values[i] for i in chosen), brute_force_value(weights, values, capacity)
    assert value == best, f"items {chosen} are worth {value}, but the best selection is worth {best}"


@given(items=knapsack_items(max_items=8), extra=st.integers(0, 20))
def test_more_capacity_never_lowers_the_value(submission, items, extra):
    weights, values, capacity = items
    smaller = submission.max_value(weights, values, capacity)
    larger = submission.max_value(weights, values, capacity + extra)
    assert larger >= smaller, f"capacity {capacity} gives {smaller} but capacity {capacity + extra} gives {larger}"


@st.composite
def items_and_order(draw):
    items = draw(knapsack_items(max_items=8))
    return items, draw(st.permutations(range(len(items[0]))))


@given(case=items_and_order())
def test_item_order_does_not_matter(submission, case):
    (weights, values, capacity), order = case
    original = submission.max_value(weights, values, capacity)
    shuffled = submission.max_value([weights[i] for i in order], [values[i] for i in order], capacity)
    assert shuffled == original, f"reordering the items as {order} changed the value from {original} to {shuffled}"


@given(items=knapsack_items(max_items=8))
def test_inputs_are_left_unchanged(submission, items):
    weights, values, capacity = items
    weights_before, values_before = list(weights), list(values)
    submission.best_items(weights, values, capacity)
    assert (weights, values) == (weights_before, values_before), "best_items changed its input lists"


@pytest.mark.points(2)
# Real-sized instances: few of them, and not shrunk (the small-input tests
# above find the small counterexamples; shrinking these would cost minutes).
@settings(max_examples=10, phases=[Phase.explicit, Phase.generate])
@given(items=knapsack_items(max_items=100, max_weight=100, max_capacity=2000))
def test_large_instances_match_a_sparse_dp(submission, items):
    weights, values, capacity = items
    got = submission.max_value(weights, values, capacity)
    expected = sparse_value(weights, values, capacity)
    assert got == expected, f"max_value returned {got}, expected {expected}"
