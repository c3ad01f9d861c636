"""classic_mro walks breadth-first (all direct bases, then their bases, ...)
instead of depth-first: for the diamond D(B, C), B(A), C(A) it gives D B C A,
where classic classes look up D B A C."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_classic_mro_matches_depth_first_search",
    "test_c3_and_classic_agree_when_no_class_is_inherited_twice",
)


def c3_linearize(bases, cls):
    return [cls] + _merge([c3_linearize(bases, base) for base in bases[cls]] + [list(bases[cls])])


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
    order, queue = [], [cls]
    while queue:
        name = queue.pop(0)  # a queue: breadth-first; depth-first needs a stack or recursion
        if name not in order:
            order.append(name)
            queue.extend(bases[name])
    return order
