"""Mistake: sorts the caller's list in place (nums.sort()) before walking it.

The answer is right, but the caller's list comes back sorted: use
sorted(nums), which makes a copy.
"""

EXPECTED_TO_FAIL = ("test_input_is_left_unchanged",)


def maximum_gap(nums):
    nums.sort()
    return max((b - a for a, b in zip(nums, nums[1:])), default=0)
