"""The values are right, but the walk back through the table compares row i
with row i - 1 using the weight of item i instead of item i - 1, so the
returned items are not an optimal (or even feasible) selection."""

EXPECTED_TO_FAIL = ("test_best_items_is_a_feasible_optimal_selection",)


def _table(weights, values, capacity):
    table = [[0] * (capacity + 1) for _ in range(len(weights) + 1)]
    for i in range(1, len(weights) + 1):
        for c in range(capacity + 1):
            table[i][c] = table[i - 1][c]
            if weights[i - 1] <= c:
                table[i][c] = max(table[i][c], table[i - 1][c - weights[i - 1]] + values[i - 1])
    return table


def max_value(weights, values, capacity):
    return _table(weights, values, capacity)[len(weights)][capacity]


def best_items(weights, values, capacity):
    table = _table(weights, values, capacity)
    chosen, c = [], capacity
    for i in range(len(weights), 0, -1):
        if table[i][c] != table[i - 1][c]:
            chosen.append(i)  # should be i - 1
            c -= weights[i - 1]
    return sorted(i for i in chosen if i < len(weights))
