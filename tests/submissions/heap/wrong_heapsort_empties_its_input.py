"""heapsort heapifies and pops the caller's own list instead of a copy: the
result is sorted, but the input is left empty."""

EXPECTED_TO_FAIL = ("test_heapsort_and_nsmallest_leave_their_input_unchanged",)


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
    for i in reversed(range(len(items) // 2)):
        _sift_down(items, i)


def heapsort(items):
    heap = items  # should be a copy: list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(len(heap))]


def nsmallest(n, items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(min(n, len(heap)))]
