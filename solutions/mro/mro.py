"""Reference solution: C3 linearization (Python's MRO since 2.3) and the classic depth-first order."""


def c3_linearize(bases: dict[str, list[str]], cls: str) -> list[str]:
    # L[C] = [C] + merge(L[B1], ..., L[Bn], [B1, ..., Bn]) for C(B1, ..., Bn).
    # The last list, the bases themselves, keeps their declaration order
    # (the "local precedence order") in the result.
    return [cls] + _merge([c3_linearize(bases, base) for base in bases[cls]] + [list(bases[cls])])


def _merge(sequences: list[list[str]]) -> list[str]:
    sequences = [list(seq) for seq in sequences if seq]
    result = []
    while sequences:
        # A good head: the first element of some list that is in no list's tail
        # (tail = all but the first element). Taking a class that still appears
        # in a tail would put it before something that must precede it.
        for seq in sequences:
            head = seq[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            heads = sorted({seq[0] for seq in sequences})
            raise TypeError(f"Cannot create a consistent method resolution order (MRO) for {', '.join(heads)}")
        result.append(head)
        # Remove the chosen class from the front of every list it heads.
        sequences = [seq[1:] if seq[0] == head else seq for seq in sequences]
        sequences = [seq for seq in sequences if seq]
    return result


def classic_mro(bases: dict[str, list[str]], cls: str) -> list[str]:
    # Depth-first, left to right; a class reached again later is skipped.
    order = []

    def visit(name: str) -> None:
        if name in order:
            return
        order.append(name)
        for base in bases[name]:
            visit(base)

    visit(cls)
    return order
