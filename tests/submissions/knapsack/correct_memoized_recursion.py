"""Correct, written differently from the reference: top-down recursion with a
cache over (item, remaining capacity), and the items recovered by comparing
the two choices at each step."""

import sys
from functools import lru_cache

EXPECTED_TO_FAIL = ()

sys.setrecursionlimit(10_000)


def _solver(weights, values):
    @lru_cache(maxsize=None)
    def best(i, room):
        if i == len(weights):
            return 0
        skip = best(i + 1, room)
        if weights[i] > room:
            return skip
        return max(skip, values[i] + best(i + 1, room - weights[i]))

    return best


def max_value(weights, values, capacity):
    return _solver(tuple(weights), tuple(values))(0, capacity)


def best_items(weights, values, capacity):
    best = _solver(tuple(weights), tuple(values))
    chosen, room = [], capacity
    for i in range(len(weights)):
        if best(i, room) != best(i + 1, room):
            chosen.append(i)
            room -= weights[i]
    return chosen
