"""Reference solution: 0/1 knapsack by dynamic programming."""


def max_value(weights: list[int], values: list[int], capacity: int) -> int:
    # best[c] = the best value with total weight <= c using the items seen so far.
    # One row is enough: iterating c downwards means best[c - w] still holds the
    # previous row's value, so each item is used at most once. (Iterating
    # upwards would let an item be reused: the unbounded knapsack.)
    best = [0] * (capacity + 1)
    for weight, value in zip(weights, values):
        for c in range(capacity, weight - 1, -1):
            best[c] = max(best[c], best[c - weight] + value)
    return best[capacity]


def best_items(weights: list[int], values: list[int], capacity: int) -> list[int]:
    # To recover the items we keep the whole table:
    # table[i][c] = the best value using the first i items with total weight <= c.
    n = len(weights)
    table = [[0] * (capacity + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        weight, value = weights[i - 1], values[i - 1]
        for c in range(capacity + 1):
            table[i][c] = table[i - 1][c]
            if weight <= c:
                table[i][c] = max(table[i][c], table[i - 1][c - weight] + value)
    # Walk back from the last item: if item i - 1 changed the best value at c, it was taken.
    chosen, c = [], capacity
    for i in range(n, 0, -1):
        if table[i][c] != table[i - 1][c]:
            chosen.append(i - 1)
            c -= weights[i - 1]
    return sorted(chosen)
