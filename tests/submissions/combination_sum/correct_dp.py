"""Correct, without backtracking: dynamic programming over the targets and over counts of each value.

combination_sum fills a table like the coin-change count, but stores the
combinations themselves: ways[t] lists every combination of the values seen
so far that adds up to t. Values are taken in ascending order and appended
at the end, so each combination comes out non-decreasing and exactly once.

combination_sum_once groups equal values and decides, for each distinct
value, how many of its copies to take (0 up to how often it appears).
"""

from collections import Counter

EXPECTED_TO_FAIL = ()


def combination_sum(candidates, target):
    ways = [[] for _ in range(target + 1)]
    ways[0] = [[]]
    for value in sorted(candidates):
        # t ascending: ways[t - value] already holds combinations using this value, so it can repeat
        for t in range(value, target + 1):
            ways[t] += [combination + [value] for combination in ways[t - value]]
    return ways[target]


def combination_sum_once(candidates, target):
    partial = [(0, [])]  # (total, combination) for every choice of counts so far
    for value, available in sorted(Counter(candidates).items()):
        partial = [
            (total + k * value, combination + [value] * k)
            for total, combination in partial
            for k in range(available + 1)
            if total + k * value <= target
        ]
    return [combination for total, combination in partial if total == target]
