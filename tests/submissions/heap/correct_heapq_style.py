"""Correct, written differently from the reference: sift-down as CPython's heapq
does it (move the hole down to a leaf along the smaller children without
comparing with the new item, then sift the item up from there), heapsort as the
classic in-place sort with a max-heap on a copy, and nsmallest with a bounded
max-heap of the n smallest items seen so far."""

EXPECTED_TO_FAIL = ()


def _sift_up(heap, start, pos):
    """Move heap[pos] up towards index ``start`` while it is smaller than its parent (a hole moves instead of swaps)."""
    item = heap[pos]
    while pos > start:
        parent = (pos - 1) >> 1
        if item < heap[parent]:
            heap[pos] = heap[parent]
            pos = parent
            continue
        break
    heap[pos] = item


def _sift_to_leaf(heap, pos):
    """Move the item at ``pos`` down to a leaf along the smaller children, then back up to its place."""
    end, start, item = len(heap), pos, heap[pos]
    child = 2 * pos + 1
    while child < end:
        right = child + 1
        if right < end and not heap[child] < heap[right]:
            child = right
        heap[pos] = heap[child]
        pos = child
        child = 2 * pos + 1
    heap[pos] = item
    _sift_up(heap, start, pos)


def heappush(heap, item):
    heap.append(item)
    _sift_up(heap, 0, len(heap) - 1)


def heappop(heap):
    last = heap.pop()  # raises IndexError on an empty heap, as heapq does
    if heap:
        smallest, heap[0] = heap[0], last
        _sift_to_leaf(heap, 0)
        return smallest
    return last


def heapify(items):
    for pos in range(len(items) // 2 - 1, -1, -1):
        _sift_to_leaf(items, pos)


def _max_sift_down(a, pos, end):
    """Sift a[pos] down in the max-heap a[:end]."""
    while (child := 2 * pos + 1) < end:
        if child + 1 < end and a[child] < a[child + 1]:
            child += 1
        if not a[pos] < a[child]:
            return
        a[pos], a[child] = a[child], a[pos]
        pos = child


def heapsort(items):
    a = items[:]
    for pos in range(len(a) // 2 - 1, -1, -1):
        _max_sift_down(a, pos, len(a))
    for end in range(len(a) - 1, 0, -1):
        a[0], a[end] = a[end], a[0]  # the largest left goes to the end of the sorted tail
        _max_sift_down(a, 0, end)
    return a


def nsmallest(n, items):
    if n <= 0:
        return []
    kept = items[:n]  # a max-heap of the n smallest so far
    for pos in range(len(kept) // 2 - 1, -1, -1):
        _max_sift_down(kept, pos, len(kept))
    for item in items[n:]:
        if item < kept[0]:
            kept[0] = item
            _max_sift_down(kept, 0, len(kept))
    return heapsort(kept)
