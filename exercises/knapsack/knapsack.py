"""0/1 knapsack. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/knapsack``."""


def max_value(weights: list[int], values: list[int], capacity: int) -> int:
    """The largest total value of items whose total weight is at most ``capacity``.

    ``weights[i] >= 1`` and ``values[i] >= 0`` describe item ``i``; each item is
    taken at most once. ``capacity >= 0``. An empty list gives 0.
    """
    raise NotImplementedError


def best_items(weights: list[int], values: list[int], capacity: int) -> list[int]:
    """Indices, in ascending order, of one selection that reaches ``max_value``.

    Any optimal selection is accepted. The selection's total weight is at most
    ``capacity``; no index appears twice.
    """
    raise NotImplementedError
