"""Mistake: every recursive call may pick any candidate again, from the first one.

So the same values are found in every order: [2, 2, 3], [2, 3, 2] and
[3, 2, 2] all come back for target 7. The fix is to pass the index of the
last choice down and pick only from there on. (combination_sum_once is correct.)
"""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_each_combination_is_non_decreasing",
    "test_no_combination_is_listed_twice",
    "test_matches_brute_force",
)


def combination_sum(candidates, target):
    found = []

    def extend(remaining, chosen):
        if remaining == 0:
            found.append(list(chosen))
            return
        for value in candidates:  # from the first candidate every time
            if value <= remaining:
                chosen.append(value)
                extend(remaining - value, chosen)
                chosen.pop()

    extend(target, [])
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
            extend(i + 1, remaining - values[i], chosen)
            chosen.pop()

    extend(0, target, [])
    return found
