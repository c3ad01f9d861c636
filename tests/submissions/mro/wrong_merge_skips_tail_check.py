"""The merge takes the head of the first non-empty list without checking that
it appears in no other list's tail, so a class can come before a subclass
that must precede it: for the diamond D(B, C), B(A), C(A) it gives D B A C,
putting A before C. It never raises TypeError either."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_c3_matches_pythons_mro",
    "test_c3_raises_type_error_where_python_does",
)


def c3_linearize(bases, cls):
    return [cls] + _merge([c3_linearize(bases, base) for base in bases[cls]] + [list(bases[cls])])


def _merge(sequences):
    sequences = [list(seq) for seq in sequences if seq]
    result = []
    while sequences:
        head = sequences[0][0]  # should be the first head that is in no list's tail
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
