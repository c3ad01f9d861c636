"""Mistake: returns the largest spread inside one bucket (bucket max - bucket min).

The buckets are chosen so that the answer is never inside a bucket: it runs
from one non-empty bucket's max to the next non-empty bucket's min. For
[3, 6, 9, 1] the buckets hold {1, 3}, {6}, {9}, and this returns 2, not 3.
"""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_matches_sorting",
    "test_duplicates",
    "test_large_values_close_together",
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
    return max(high - low for low, high in zip(bucket_min, bucket_max) if low is not None)
