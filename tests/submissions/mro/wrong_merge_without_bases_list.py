"""The merge leaves out the last list, the direct bases in declaration order:
L[C] = C + merge(L[B1], ..., L[Bn]) instead of C + merge(L[B1], ..., L[Bn],
[B1, ..., Bn]). The local precedence order is then not enforced: for F, E(F),
G(F, E) it returns G E F where Python raises TypeError, since G lists F
before E but E must precede F."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_c3_raises_type_error_where_python_does",
)


def c3_linearize(bases, cls):
    return [cls] + _merge([c3_linearize(bases, base) for base in bases[cls]])  # + [bases[cls]] left out


def _merge(sequences):
    sequences = [list(seq) for seq in sequences if seq]
    result = []
    while sequences:
        for seq in sequences:
            head = seq[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            raise TypeError("Cannot create a consistent method resolution order (MRO)")
        result.append(head)
        sequences = [seq[1:] if seq[0] == head else seq for seq in sequences]
        sequences = [seq for seq in sequences if seq]
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
