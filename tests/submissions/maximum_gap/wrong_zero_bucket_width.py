"""Mistake: bucket width (hi - lo) // (n - 1), rounded down and not kept at least 1.

When the numbers span less than their count (say [1, 3, 3, 3, 2]: a span of
2 over 5 numbers) the width is 0 and the bucket index divides by zero.
"""

EXPECTED_TO_FAIL = ("test_known_answers", "test_duplicates")


def maximum_gap(nums):
    n = len(nums)
    if n < 2:
        return 0
    lo, hi = min(nums), max(nums)
    if lo == hi:
        return 0
    width = (hi - lo) // (n - 1)  # should be max(1, ...) or rounded up
    count = (hi - lo) // width + 1
    bucket_min = [None] * count
    bucket_max = [None] * count
    for x in nums:
        b = (x - lo) // width
        if bucket_min[b] is None:
            bucket_min[b] = bucket_max[b] = x
        else:
            bucket_min[b] = min(bucket_min[b], x)
            bucket_max[b] = max(bucket_max[b], x)
    best, previous_max = 0, lo
    for b in range(count):
        if bucket_min[b] is not None:
            best = max(best, bucket_min[b] - previous_max)
            previous_max = bucket_max[b]
    return best
