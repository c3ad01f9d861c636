"""heappop moves the last item into the hole at the root without checking
whether that was the only item: on a heap of one item, ``heap[0] = heap.pop()``
pops the item, then assigns into an empty list and raises IndexError."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_popping_an_empty_heap_raises_index_error",
    "test_operation_sequences_keep_the_heap_invariant",
    "test_pop_order_matches_heapq",
    "test_pops_after_heapify_come_out_sorted",
    "test_heapsort_matches_sorted",
    "test_nsmallest_matches_heapq",
    "test_heapsort_and_nsmallest_leave_their_input_unchanged",
    "test_large_inputs",
)


def _sift_up(heap, i):
    while i > 0 and heap[i] < heap[(i - 1) // 2]:
        parent = (i - 1) // 2
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent


def _sift_down(heap, i):
    n = len(heap)
    while 2 * i + 1 < n:
        child = 2 * i + 1
        if child + 1 < n and heap[child + 1] < heap[child]:
            child += 1  # the smaller child
        if not heap[child] < heap[i]:
            return
        heap[i], heap[child] = heap[child], heap[i]
        i = child


def heappush(heap, item):
    heap.append(item)
    _sift_up(heap, len(heap) - 1)


def heappop(heap):
    if not heap:
        raise IndexError("heappop from an empty heap")
    smallest = heap[0]
    heap[0] = heap.pop()  # IndexError when that was the only item
    _sift_down(heap, 0)
    return smallest


def heapify(items):
    for i in reversed(range(len(items) // 2)):
        _sift_down(items, i)


def heapsort(items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(len(heap))]


def nsmallest(n, items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(min(n, len(heap)))]
