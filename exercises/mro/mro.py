"""Method resolution order. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/mro``."""


def c3_linearize(bases: dict[str, list[str]], cls: str) -> list[str]:
    """The C3 linearization of ``cls``: Python's method resolution order (MRO).

    ``bases`` maps every class name to the names of its direct bases, in
    declaration order (``class D(B, C)`` is ``"D": ["B", "C"]``); a class with
    no bases maps to ``[]``. There is no implicit ``object``. The result starts
    with ``cls`` and lists each of its ancestors once.

    Raises ``TypeError`` when no consistent order exists (where Python's
    ``class`` statement raises), including when an ancestor of ``cls`` has
    no consistent order. ``bases`` is left unchanged.
    """
    raise NotImplementedError


def classic_mro(bases: dict[str, list[str]], cls: str) -> list[str]:
    """The order of Python 2's classic classes: depth-first, left to right,
    each class kept at its first occurrence.

    ``bases`` as for ``c3_linearize``. Never raises for a valid ``bases``.
    ``bases`` is left unchanged.
    """
    raise NotImplementedError
