"""Mistake: combination_sum_once recurses from i instead of i + 1, so an element can be used again.

That is combination_sum's rule: with candidates [2, 3] and target 4 it
returns [[2, 2]] although there is only one 2. (combination_sum is correct.)
"""

EXPECTED_TO_FAIL = (
    "test_once_known_answers",
    "test_once_each_combination_uses_each_element_at_most_once",
    "test_once_matches_brute_force",
)


def combination_sum(candidates, target):
    values = sorted(candidates)
    found = []

    def extend(start, remaining, chosen):
        if remaining == 0:
            found.append(list(chosen))
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            chosen.append(values[i])
            extend(i, remaining - values[i], chosen)
            chosen.pop()

    extend(0, target, [])
    return found


def combination_sum_once(candidates, target):
    values = sorted(candidates)
    found = []

    def extend(start, remaining, chosen):
        if remaining == 0:
            found.append(list(chosen))
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            if i > start and values[i] == values[i - 1]:
                continue
            chosen.append(values[i])
            extend(i, remaining - values[i], chosen)  # should be i + 1
            chosen.pop()

    extend(0, target, [])
    return found
