"""The merge pops classes off the lists it is given, and the last of them is
the caller's own list of direct bases, not a copy: every call empties the
bases lists of the class it linearizes, in the caller's dictionary."""

EXPECTED_TO_FAIL = ("test_bases_are_left_unchanged",)


def c3_linearize(bases, cls):
    return [cls] + _merge([c3_linearize(bases, base) for base in bases[cls]] + [bases[cls]])  # not a copy


def _merge(sequences):
    result = []
    while any(sequences):
        for seq in sequences:
            if seq and not any(seq[0] in other[1:] for other in sequences):
                head = seq[0]
                break
        else:
            raise TypeError("Cannot create a consistent method resolution order (MRO)")
        result.append(head)
        for seq in sequences:
            if seq and seq[0] == head:
                seq.pop(0)  # changes the lists in place, the caller's bases list among them
    return result


def classic_mro(bases, cls):
    order = []

    def visit(name):
        if name not in order:
            order.append(name)
            for base in bases[name]:
                visit(base)

    visit(cls)
    return order
