"""Reference solution: maximum gap in linear time with buckets (pigeonhole), no sorting."""


def maximum_gap(nums: list[int]) -> int:
    n = len(nums)
    if n < 2:
        return 0
    lo, hi = min(nums), max(nums)
    if lo == hi:
        return 0
    # The n - 1 gaps of the sorted list add up to hi - lo, so the largest is at
    # least their average, rounded up: width. Two numbers in the same bucket of
    # this width differ by at most width - 1, so the largest gap is never inside
    # a bucket: it runs from one bucket's max to a later bucket's min.
    width = -(-(hi - lo) // (n - 1))  # ceil((hi - lo) / (n - 1)), at least 1
    count = (hi - lo) // width + 1  # bucket of hi is (hi - lo) // width: the +1 makes room for it
    bucket_min: list[int | None] = [None] * count
    bucket_max: list[int | None] = [None] * count
    for x in nums:
        b = (x - lo) // width
        if bucket_min[b] is None:
            bucket_min[b] = bucket_max[b] = x
        else:
            bucket_min[b] = min(bucket_min[b], x)
            bucket_max[b] = max(bucket_max[b], x)
    # Walk the buckets in order; empty ones are skipped, so a gap may span them.
    best, previous_max = 0, lo
    for b in range(count):
        if bucket_min[b] is not None:
            best = max(best, bucket_min[b] - previous_max)
            previous_max = bucket_max[b]
    return best
