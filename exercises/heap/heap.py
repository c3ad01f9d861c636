"""Binary heap. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/heap``."""


def heappush(heap: list, item) -> None:
    """Add ``item`` to ``heap``, in place, keeping the heap invariant.

    ``heap`` is a min-heap in a plain list: the children of ``heap[i]`` are
    ``heap[2 * i + 1]`` and ``heap[2 * i + 2]``, and no item is smaller than its
    parent. Items are compared with ``<`` only (ints, or tuples such as
    ``(priority, name)``). Returns None.
    """
    raise NotImplementedError


def heappop(heap: list):
    """Remove and return the smallest item of ``heap``, in place, keeping the invariant.

    Raises ``IndexError`` when ``heap`` is empty.
    """
    raise NotImplementedError


def heapify(items: list) -> None:
    """Rearrange ``items`` in place into a heap, in O(n): bottom-up, sifting down
    every parent from the last one to the root. Returns None.
    """
    raise NotImplementedError


def heapsort(items: list) -> list:
    """A new list with the items of ``items`` in ascending order, made with a heap.

    ``items`` is left unchanged.
    """
    raise NotImplementedError


def nsmallest(n: int, items: list) -> list:
    """The ``n`` smallest items of ``items``, in ascending order, as ``heapq.nsmallest``.

    ``n >= 0``; ``n = 0`` gives ``[]``, and ``n >= len(items)`` gives all the
    items, sorted. ``items`` is left unchanged.
    """
    raise NotImplementedError
