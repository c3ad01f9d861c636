"""Correct, written differently from the reference: the linearizations are
computed once each, bases before subclasses (memoized); the merge walks the
lists with positions instead of slicing them and counts, for each class, how
many lists still hold it past their head; the classic order comes from an
explicit stack."""

from collections import Counter
from functools import cache

EXPECTED_TO_FAIL = ()


def c3_linearize(bases, cls):
    frozen = {name: tuple(parents) for name, parents in bases.items()}

    @cache
    def linearization(name):
        lists = [linearization(parent) for parent in frozen[name]] + [frozen[name]]
        return (name, *merge([seq for seq in lists if seq]))

    return list(linearization(cls))


def merge(lists):
    positions = [0] * len(lists)
    in_tails = Counter(name for seq in lists for name in seq[1:])
    result = []
    while any(p < len(seq) for p, seq in zip(positions, lists)):
        candidates = (seq[p] for p, seq in zip(positions, lists) if p < len(seq))
        head = next((name for name in candidates if in_tails[name] == 0), None)
        if head is None:
            raise TypeError("no consistent method resolution order")
        result.append(head)
        for i, seq in enumerate(lists):
            if positions[i] < len(seq) and seq[positions[i]] == head:
                positions[i] += 1
                if positions[i] < len(seq):
                    in_tails[seq[positions[i]]] -= 1  # the new head leaves this list's tail
    return result


def classic_mro(bases, cls):
    order, seen, stack = [], set(), [cls]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(reversed(bases[name]))  # leftmost base on top: visited first
    return order
