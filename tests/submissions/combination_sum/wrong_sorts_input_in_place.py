"""Mistake: both functions sort the caller's list in place (candidates.sort()).

The combinations are right, but the caller's list comes back reordered:
sort a copy (sorted(candidates)) instead.
"""

EXPECTED_TO_FAIL = ("test_inputs_are_left_unchanged",)


def _search(values, target, next_start, skip_equal):
    found = []

    def extend(start, remaining, chosen):
        if remaining == 0:
            found.append(list(chosen))
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            if skip_equal and i > start and values[i] == values[i - 1]:
                continue
            chosen.append(values[i])
            extend(next_start(i), remaining - values[i], chosen)
            chosen.pop()

    extend(0, target, [])
    return found


def combination_sum(candidates, target):
    candidates.sort()
    return _search(candidates, target, lambda i: i, skip_equal=False)


def combination_sum_once(candidates, target):
    candidates.sort()
    return _search(candidates, target, lambda i: i + 1, skip_equal=True)
