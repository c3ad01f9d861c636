"""Mistake: one bucket too few, (hi - lo) // width instead of (hi - lo) // width + 1.

The maximum belongs in bucket (hi - lo) // width, one past the end of the
list, so every list with two different values raises IndexError.
"""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_matches_sorting",
    "test_duplicates",
    "test_large_values_close_together",
    "test_order_does_not_matter",
    "test_large_input",
)


def maximum_gap(nums):
    n = len(nums)
    if n < 2:
        return 0
    lo, hi = min(nums), max(nums)
    if lo == hi:
        return 0
    width = -(-(hi - lo) // (n - 1))
    count = (hi - lo) // width  # should be + 1
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
