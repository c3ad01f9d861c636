"""Mistake: returns max(nums) - min(nums), the whole range, not the largest gap between neighbours.

[3, 6, 9, 1] gives 8 instead of 3. The two agree only when there are at most
two distinct values.
"""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_matches_sorting",
    "test_duplicates",
    "test_large_values_close_together",
    "test_large_input",
)


def maximum_gap(nums):
    if len(nums) < 2:
        return 0
    return max(nums) - min(nums)
