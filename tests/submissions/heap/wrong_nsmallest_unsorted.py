"""nsmallest keeps the n smallest items seen so far in a max-heap of size n, as
heapq.nsmallest does, but returns that heap as it is instead of sorting it:
the right items, in heap order."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_nsmallest_matches_heapq",
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
    for i in reversed(range(len(items) // 2)):
        _sift_down(items, i)


def heapsort(items):
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(len(heap))]


def nsmallest(n, items):
    if n <= 0:
        return []
    # A max-heap of the n smallest so far, kept with heapq's own layout on reversed items.
    largest_first = _Reversed.wrap(items[:n])
    heapify(largest_first)
    for item in items[n:]:
        if item < largest_first[0].item:
            largest_first[0] = _Reversed(item)
            _sift_down(largest_first, 0)
    return [entry.item for entry in largest_first]  # should be sorted: the heap is not in order


class _Reversed:
    """An item whose order is reversed, so a min-heap of them is a max-heap of the items."""

    def __init__(self, item):
        self.item = item

    def __lt__(self, other):
        return other.item < self.item

    @classmethod
    def wrap(cls, items):
        return [cls(item) for item in items]
