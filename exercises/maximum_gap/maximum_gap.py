"""Maximum gap. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/maximum_gap``."""


def maximum_gap(nums: list[int]) -> int:
    """The largest difference between two successive elements of ``sorted(nums)``.

    ``nums`` holds ints from 0 to 10**9, in any order, duplicates allowed.
    Fewer than two elements give 0. ``nums`` is left unchanged.
    """
    raise NotImplementedError
