"""The rolling array iterated upwards: best[c - w] already includes the current
item, so items are reused (the unbounded knapsack)."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_max_value_equals_best_subset",
    "test_large_instances_match_a_sparse_dp",
)


def max_value(weights, values, capacity):
    best = [0] * (capacity + 1)
    for weight, value in zip(weights, values):
        for c in range(weight, capacity + 1):
            best[c] = max(best[c], best[c - weight] + value)
    return best[capacity]


def best_items(weights, values, capacity):
    best = [0] * (capacity + 1)
    taken = [[] for _ in range(capacity + 1)]
    for i, (weight, value) in enumerate(zip(weights, values)):
        for c in range(weight, capacity + 1):
            if best[c - weight] + value > best[c]:
                best[c] = best[c - weight] + value
                taken[c] = taken[c - weight] + [i]
    return sorted(set(taken[capacity]))
