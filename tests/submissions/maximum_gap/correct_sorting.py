"""Correct, O(n log n): sort a copy, then take the largest difference between neighbours.

Not the linear-time answer the interview asks for, but fast enough for the
time limit: the tests check answers, not the algorithm.
"""

from itertools import pairwise

EXPECTED_TO_FAIL = ()


def maximum_gap(nums):
    return max((b - a for a, b in pairwise(sorted(nums))), default=0)
