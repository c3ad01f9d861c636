"""``grade watch``: grade again whenever the submission changes.

A simple poll of the file's modification time and size: no busy loop (it
sleeps between looks), no platform-specific watcher. A burst of saves is
graded once, after the file has stayed unchanged for ``settle_s``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.result import GradingResult, Status


@dataclass(frozen=True)
class Changes:
    newly_passing: list[str]
    newly_failing: list[str]


def changes(previous: GradingResult | None, current: GradingResult) -> Changes:
    """Tests that pass now and did not, and that fail now and did not."""
    if previous is None:
        return Changes([], [])
    before = {test.name: test.status is Status.PASSED for test in previous.tests}
    now = {test.name: test.status is Status.PASSED for test in current.tests}
    return Changes(
        [name for name, passed in now.items() if passed and before.get(name) is False],
        [name for name, passed in now.items() if not passed and before.get(name) is True],
    )


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:  # an editor replacing the file: it comes back
        return None
    return status.st_mtime_ns, status.st_size


def watch(
    path: Path,
    grade_once: Callable[[], GradingResult],
    show: Callable[[GradingResult, Changes], None],
    stop: threading.Event,
    *,
    poll_s: float = 0.25,
    settle_s: float = 0.3,
) -> None:
    """Grade now, then after every change of ``path``, until ``stop`` is set."""
    previous = None
    seen = _signature(path)
    while not stop.is_set():
        current = grade_once()
        show(current, changes(previous, current))
        previous = current
        while not stop.is_set():  # wait for a change
            stop.wait(poll_s)
            signature = _signature(path)
            if signature != seen and signature is not None:
                break
        while not stop.is_set():  # then for the saving to settle
            stop.wait(settle_s)
            settled = _signature(path)
            if settled == signature:
                break
            signature = settled
        seen = signature
