"""Sift-up takes the parent of i as i // 2, the formula of a heap that starts
at index 1. With the root at index 0 the parent is (i - 1) // 2: i // 2 is the
parent only for odd i, so a pushed item at an even index is compared with its
uncle and can stay below a larger parent."""

EXPECTED_TO_FAIL = ("test_operation_sequences_keep_the_heap_invariant",)


def _sift_up(heap, i):
    while i > 0 and heap[i] < heap[i // 2]:
        parent = i // 2  # the 1-based formula: should be (i - 1) // 2
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
