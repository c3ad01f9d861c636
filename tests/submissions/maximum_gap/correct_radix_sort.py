"""Correct, linear time by radix sort: sort by base-1024 digits (least significant first), then scan.

Three passes of a stable counting sort cover numbers up to 2**30 > 10**9.
"""

EXPECTED_TO_FAIL = ()


def maximum_gap(nums):
    ordered = list(nums)
    for shift in (0, 10, 20):
        buckets = [[] for _ in range(1024)]
        for x in ordered:
            buckets[(x >> shift) & 1023].append(x)
        ordered = [x for bucket in buckets for x in bucket]
    best = 0
    for i in range(1, len(ordered)):
        best = max(best, ordered[i] - ordered[i - 1])
    return best
