"""c3_linearize walks depth-first, left to right, and keeps each class at its
LAST occurrence: Python 2.2's order for new-style classes, before C3. It gets
the diamond right (D B C A) but not the first example of "The Python 2.3 Method
Resolution Order" (A B E C D F O instead of A B C D E F O), and it never
detects an inconsistent hierarchy."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_c3_matches_pythons_mro",
    "test_c3_raises_type_error_where_python_does",
)


def c3_linearize(bases, cls):
    def walk(name):
        return [name] + [visited for base in bases[name] for visited in walk(base)]

    order = walk(cls)
    # Keep each class where it appears last: should be the C3 merge.
    return [name for i, name in enumerate(order) if name not in order[i + 1 :]]


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
