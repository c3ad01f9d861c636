"""Mistake: the largest difference between neighbours of the list as given, without sorting it first.

[3, 6, 9, 1] gives 8 (from 9 to 1) instead of 3: neighbours in the input
are not neighbours in sorted order.
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
    return max((abs(b - a) for a, b in zip(nums, nums[1:])), default=0)
