"""Reference solution: a binary min-heap in a plain list, as the standard library's heapq."""

# The list is a complete binary tree stored level by level: the children of
# heap[i] are heap[2 * i + 1] and heap[2 * i + 2], its parent is heap[(i - 1) // 2].
# The heap invariant: no item is smaller than its parent, so heap[0] is the smallest.


def _sift_up(heap: list, i: int) -> None:
    """Move heap[i] up while it is smaller than its parent."""
    while i > 0:
        parent = (i - 1) // 2
        if not heap[i] < heap[parent]:
            break
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent


def _sift_down(heap: list, i: int) -> None:
    """Move heap[i] down while a child is smaller: swap with the SMALLER child,
    so the item that moves up is no larger than its new children."""
    n = len(heap)
    while True:
        smallest = i
        for child in (2 * i + 1, 2 * i + 2):
            if child < n and heap[child] < heap[smallest]:
                smallest = child
        if smallest == i:
            return
        heap[i], heap[smallest] = heap[smallest], heap[i]
        i = smallest


def heappush(heap: list, item) -> None:
    heap.append(item)
    _sift_up(heap, len(heap) - 1)


def heappop(heap: list):
    if not heap:
        raise IndexError("heappop from an empty heap")
    last = heap.pop()
    if not heap:  # that was the only item
        return last
    smallest, heap[0] = heap[0], last  # the last leaf fills the hole at the root...
    _sift_down(heap, 0)  # ...and sinks to its place
    return smallest


def heapify(items: list) -> None:
    # Floyd's bottom-up construction: leaves (the second half) are heaps of one
    # item already; sift down every parent from the last one to the root, so
    # each sift-down starts above two subtrees that are already heaps. Most
    # nodes sit near the bottom and sink only a level or two: O(n) in total.
    for i in reversed(range(len(items) // 2)):
        _sift_down(items, i)


def heapsort(items: list) -> list:
    heap = list(items)  # a copy: the caller's list stays as it was
    heapify(heap)
    return [heappop(heap) for _ in range(len(heap))]


def nsmallest(n: int, items: list) -> list:
    heap = list(items)
    heapify(heap)
    return [heappop(heap) for _ in range(min(n, len(heap)))]
