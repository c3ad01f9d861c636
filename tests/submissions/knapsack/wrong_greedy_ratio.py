"""Greedy by value per unit of weight: optimal for the fractional knapsack,
not for 0/1 (10/60, 20/100, 30/120 at capacity 50 takes 160, not 220)."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_max_value_equals_best_subset",
    "test_best_items_is_a_feasible_optimal_selection",
)


def best_items(weights, values, capacity):
    order = sorted(range(len(weights)), key=lambda i: values[i] / weights[i], reverse=True)
    chosen, room = [], capacity
    for i in order:
        if weights[i] <= room:
            chosen.append(i)
            room -= weights[i]
    return sorted(chosen)


def max_value(weights, values, capacity):
    return sum(values[i] for i in best_items(weights, values, capacity))
