"""Mistake: combination_sum_once does not skip equal neighbours in the sorted candidates.

With candidates [1, 1, 7] and target 8 it finds [1, 7] twice, once with each 1,
and with many repeated values it builds every sub-list one by one: 20 ones
and 10 twos are too many. (combination_sum is correct.)
"""

EXPECTED_TO_FAIL = (
    "test_once_known_answers",
    "test_once_no_combination_is_listed_twice",
    "test_once_matches_brute_force",
    "test_once_many_repeated_candidates",
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
            # missing: if i > start and values[i] == values[i - 1]: continue
            chosen.append(values[i])
            extend(i + 1, remaining - values[i], chosen)
            chosen.pop()

    extend(0, target, [])
    return found
