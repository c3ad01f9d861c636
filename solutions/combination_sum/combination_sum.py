"""Reference solution: combination sums by backtracking over the sorted candidates."""


def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    values = sorted(candidates)  # a sorted copy: the caller's list is left alone
    found: list[list[int]] = []
    chosen: list[int] = []

    def extend(start: int, remaining: int) -> None:
        if remaining == 0:
            found.append(list(chosen))
            return
        # The next value comes from position `start` on, never from before it:
        # every combination is built in non-decreasing order, so [2, 2, 3] is
        # found once and its reorderings [2, 3, 2], [3, 2, 2] never are.
        for i in range(start, len(values)):
            if values[i] > remaining:
                break  # sorted: every later value is too big as well
            chosen.append(values[i])
            extend(i, remaining - values[i])  # i, not i + 1: values[i] may be used again
            chosen.pop()

    extend(0, target)
    return found


def combination_sum_once(candidates: list[int], target: int) -> list[list[int]]:
    values = sorted(candidates)  # equal values now sit side by side
    found: list[list[int]] = []
    chosen: list[int] = []

    def extend(start: int, remaining: int) -> None:
        if remaining == 0:
            found.append(list(chosen))
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            # At this position of the combination, try each distinct value once.
            # With values [1, 1, 7], starting with the second 1 would only rebuild
            # what starting with the first 1 already built ([1, 7] twice).
            # Taking both 1s is still possible: the first 1 here, the second one
            # deeper down, where i == start.
            if i > start and values[i] == values[i - 1]:
                continue
            chosen.append(values[i])
            extend(i + 1, remaining - values[i])  # i + 1: each element at most once
            chosen.pop()

    extend(0, target)
    return found
