"""Combination sum. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/combination_sum``."""


def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    """Every combination of ``candidates`` that adds up to ``target``; a candidate may be used any number of times.

    ``candidates`` are distinct positive ints in any order (possibly none);
    ``target >= 0``, and ``target == 0`` gives ``[[]]`` (the empty combination).
    Each combination is a list in non-decreasing order; the combinations may
    come in any order, and none appears twice. ``candidates`` is left unchanged.
    """
    raise NotImplementedError


def combination_sum_once(candidates: list[int], target: int) -> list[list[int]]:
    """Every combination of ``candidates`` that adds up to ``target``, each element used at most once.

    ``candidates`` are positive ints in any order and may repeat: a value that
    appears k times may be used up to k times. Same conventions as
    ``combination_sum``: ``target == 0`` gives ``[[]]``, each combination is in
    non-decreasing order, no combination appears twice (two combinations with
    the same values are the same, whichever copies of a repeated value they
    took), and ``candidates`` is left unchanged.
    """
    raise NotImplementedError
