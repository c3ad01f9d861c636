"""heapify sifts down every parent once from the root to the last parent (top
down) instead of from the last parent to the root. A sift-down needs heaps
below it; top down, an item that rises from a lower level never gets compared
with the levels above (heapify([5, 3, 8, 1, 9, 2]) gives [3, 1, 2, 5, 9, 8])."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_heapify_makes_a_heap_in_place",
    "test_pops_after_heapify_come_out_sorted",
    "test_heapsort_matches_sorted",
    "test_nsmallest_matches_heapq",
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
    last = heap.pop()
    if not heap:
        return last
    smallest, heap[0] = heap[0], last
    _sift_down(heap, 0)
    return smallest


def heapify(items):
    for i in range(len(items) // 2):  # should go from the last parent up to the root
        _sift_down(items, i)


def heapsort(items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(len(heap))]


def nsmallest(n, items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(min(n, len(heap)))]
