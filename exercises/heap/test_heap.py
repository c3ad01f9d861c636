"""Tests for heap: the standard library's heapq as the oracle, the heap invariant checked after every step."""

import heapq
import random
import reprlib

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

_shortener = reprlib.Repr()
_shortener.maxlist = 16
_shortener.maxtuple = 3


def shown(value):
    """A list as messages show it: long ones are cut with an ellipsis."""
    return _shortener.repr(value)


def violation(heap):
    """The first parent larger than one of its children, as a sentence; None for a valid heap."""
    for child in range(1, len(heap)):
        parent = (child - 1) // 2
        if heap[child] < heap[parent]:
            return (
                f"heap[{parent}] = {heap[parent]!r} is larger than its child heap[{child}] = {heap[child]!r} "
                "(heap[i] may be no larger than heap[2i+1] and heap[2i+2])"
            )
    return None


def history(steps):
    """The operations done so far, as a message shows them: ``push 5, push 3, pop -> 3``."""
    shown_steps = steps[-12:]
    return ("…, " if len(steps) > len(shown_steps) else "") + ", ".join(shown_steps)


# -- strategies ----------------------------------------------------------------------------------


def item_values():
    """Items of one comparable kind: small ints (many ties), large ints, or (priority, name) tuples."""
    return st.sampled_from(
        [
            st.integers(0, 9),
            st.integers(-(10**12), 10**12),
            st.tuples(st.integers(0, 4), st.sampled_from(["a", "b", "c", "d"])),
        ]
    )


@st.composite
def operation_sequences(draw):
    """``[("push", x), ("pop",), ...]``: a run of pushes that builds a heap of a few levels, then
    about two pushes per pop (pops on an empty heap included), then enough pops to empty the
    heap and one more."""
    items = draw(item_values())
    push = st.tuples(st.just("push"), items)
    pop = st.just(("pop",))
    operations = draw(st.lists(push, min_size=6, max_size=12)) + draw(st.lists(st.one_of(push, push, pop), max_size=20))
    size = 0
    for operation in operations:
        size = size + 1 if operation[0] == "push" else max(size - 1, 0)
    return operations + [("pop",)] * (size + 1)


@st.composite
def item_lists(draw, max_size=40):
    """Lists of one kind of item, as drawn, in descending order (every parent must move) or ascending."""
    items = draw(st.lists(draw(item_values()), max_size=max_size))
    order = draw(st.sampled_from(["as drawn", "descending", "ascending"]))
    if order == "descending":
        items.sort(reverse=True)
    elif order == "ascending":
        items.sort()
    return items


@st.composite
def count_and_items(draw):
    items = draw(item_lists(max_size=20))
    return draw(st.integers(0, len(items) + 3)), items


@st.composite
def large_item_lists(draw, size=20_000):
    """``size`` ints made from a drawn seed (drawing each one would be slow), with or without many repeats."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    high = draw(st.sampled_from([10, size, 10**12]))
    return [rng.randint(0, high) for _ in range(size)]


# -- tests ---------------------------------------------------------------------------------------


@pytest.mark.points(2)
def test_known_answers(submission):
    heap = []
    for item in [5, 3, 8, 1, 9, 2]:
        submission.heappush(heap, item)
    assert heap[0] == 1 and violation(heap) is None, (
        f"after pushing 5, 3, 8, 1, 9, 2 onto [] the list is {heap}, not a heap with 1 at the front "
        f"(heapq gives [1, 3, 2, 5, 9, 8]){'; ' + violation(heap) if violation(heap) else ''}"
    )
    popped = [submission.heappop(heap) for _ in range(6)]
    assert popped == [1, 2, 3, 5, 8, 9], f"popping six times gave {popped}, expected [1, 2, 3, 5, 8, 9]"
    assert heap == [], f"after popping every item the list is {heap}, expected []"

    items = [5, 3, 8, 1, 9, 2]
    submission.heapify(items)
    assert sorted(items) == [1, 2, 3, 5, 8, 9] and violation(items) is None, (
        f"heapify([5, 3, 8, 1, 9, 2]) changed the list to {items}, expected a heap such as [1, 3, 2, 5, 9, 8]"
        f"{'; ' + violation(items) if violation(items) else ''}"
    )

    got = submission.heapsort([5, 3, 8, 1, 9, 2])
    assert got == [1, 2, 3, 5, 8, 9], f"heapsort([5, 3, 8, 1, 9, 2]) returned {got}, expected [1, 2, 3, 5, 8, 9]"
    got = submission.nsmallest(3, [5, 1, 8, 3, 9, 2])
    assert got == [1, 2, 3], f"nsmallest(3, [5, 1, 8, 3, 9, 2]) returned {got}, expected [1, 2, 3]"

    heap = []
    for item in [(2, "b"), (1, "z"), (2, "a")]:
        submission.heappush(heap, item)
    popped = [submission.heappop(heap) for _ in range(3)]
    expected = [(1, "z"), (2, "a"), (2, "b")]
    assert popped == expected, (
        f"pushing (2, 'b'), (1, 'z'), (2, 'a') and popping three times gave {popped}, expected {expected}: "
        "tuples compare by their first element, then by the next on a tie"
    )


def test_popping_an_empty_heap_raises_index_error(submission):
    for pushed in ([], [7], [4, 1]):
        heap = []
        for item in pushed:
            submission.heappush(heap, item)
        for _ in pushed:
            submission.heappop(heap)
        try:
            got = submission.heappop(heap)
        except IndexError:
            continue
        pytest.fail(
            f"after pushing {pushed} and popping {len(pushed)} times, heappop(heap) on the empty heap "
            f"returned {got!r}; expected it to raise IndexError, as heapq.heappop does"
        )


@pytest.mark.points(2)
@given(operations=operation_sequences())
def test_operation_sequences_keep_the_heap_invariant(submission, operations):
    heap, expected, steps = [], [], []
    for operation in operations:
        if operation[0] == "push":
            submission.heappush(heap, operation[1])
            heapq.heappush(expected, operation[1])
            steps.append(f"push {operation[1]!r}")
        elif expected:
            steps.append(f"pop -> {submission.heappop(heap)!r}")
            heapq.heappop(expected)
        else:
            continue  # a pop on the empty heap: test_pop_order_matches_heapq checks that it raises
        assert sorted(heap) == sorted(expected), (
            f"after {history(steps)} the heap holds {shown(sorted(heap))} (sorted), "
            f"but the items pushed and not popped are {shown(sorted(expected))}"
        )
        problem = violation(heap)
        assert problem is None, f"after {history(steps)} the list is {shown(heap)}: {problem}"


@pytest.mark.points(2)
@given(operations=operation_sequences())
def test_pop_order_matches_heapq(submission, operations):
    heap, expected, steps = [], [], []
    for operation in operations:
        if operation[0] == "push":
            submission.heappush(heap, operation[1])
            heapq.heappush(expected, operation[1])
            steps.append(f"push {operation[1]!r}")
        elif expected:
            got, smallest = submission.heappop(heap), heapq.heappop(expected)
            assert got == smallest, (
                f"after {history(steps)}, heappop returned {got!r}, "
                f"but the smallest item in the heap is {smallest!r} (heapq.heappop returns it)"
            )
            steps.append(f"pop -> {got!r}")
        else:
            try:
                got = submission.heappop(heap)
            except IndexError:
                continue
            pytest.fail(f"after {history(steps)} the heap is empty, but heappop returned {got!r}: expected IndexError")


@pytest.mark.points(2)
@given(items=item_lists())
def test_heapify_makes_a_heap_in_place(submission, items):
    original = list(items)
    submission.heapify(items)
    assert sorted(items) == sorted(original), (
        f"heapify({shown(original)}) changed the list to {shown(items)}: not the same items "
        "(heapify rearranges the list in place; it neither adds nor drops items)"
    )
    problem = violation(items)
    assert problem is None, f"heapify({shown(original)}) changed the list to {shown(items)}: {problem}"


@given(items=item_lists())
def test_pops_after_heapify_come_out_sorted(submission, items):
    original = list(items)
    submission.heapify(items)
    popped = [submission.heappop(items) for _ in range(len(original))]
    assert popped == sorted(original), (
        f"heapify({shown(original)}) then popping every item gave {shown(popped)}, expected {shown(sorted(original))}"
    )


@pytest.mark.points(2)
@given(items=item_lists())
def test_heapsort_matches_sorted(submission, items):
    got = submission.heapsort(list(items))
    assert got == sorted(items), f"heapsort({shown(items)}) returned {shown(got)}, expected {shown(sorted(items))}"


@pytest.mark.points(2)
@given(case=count_and_items())
def test_nsmallest_matches_heapq(submission, case):
    n, items = case
    got = submission.nsmallest(n, list(items))
    expected = heapq.nsmallest(n, items)
    assert got == expected, f"nsmallest({n}, {shown(items)}) returned {shown(got)}, expected {shown(expected)}"


@given(case=count_and_items())
def test_heapsort_and_nsmallest_leave_their_input_unchanged(submission, case):
    n, items = case
    before = list(items)
    submission.heapsort(items)
    assert items == before, f"heapsort({shown(before)}) changed its input to {shown(items)}; work on a copy"
    submission.nsmallest(n, items)
    assert items == before, f"nsmallest({n}, {shown(before)}) changed its input to {shown(items)}; work on a copy"


@pytest.mark.points(2)
# 20,000 items: a few inputs, not shrunk (the tests above find small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(items=large_item_lists())
def test_large_inputs(submission, items):
    got, expected = submission.heapsort(list(items)), sorted(items)
    if got != expected:
        where = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        pytest.fail(
            f"heapsort of {len(items)} ints returned {len(got)} items that differ from sorted(items) "
            f"first at index {where}: got {shown(got[where : where + 3])}, expected {shown(expected[where : where + 3])}"
        )
    heap = list(items)
    submission.heapify(heap)
    problem = violation(heap)
    assert problem is None, f"heapify of {len(items)} ints did not make a heap: {problem}"
