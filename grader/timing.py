"""How long a piece of GPU (or CPU) work takes: the median of timed runs after warm-up.

One function for the learner's kernel (timed inside the worker, see
``submission.call_timed``), torch's baseline (timed in the grading process)
and ``benchmarks/kernels.py``, so their figures compare like with like.
On a CUDA device each run is timed with CUDA events, with the L2 cache
flushed before it so no run reads inputs the previous one left in cache.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

L2_FLUSH_BYTES = 256 * 1024**2  # well past the L2 of any current GPU (H100: 50 MB, H200: 60 MB)
WARMUP_RUNS = 5  # the first runs compile (Triton), autotune and fill caches
TIMED_RUNS = 20
LAUNCH_COVER_CYCLES = 2_000_000  # about a millisecond at the clocks of current GPUs


def median_seconds(run: Callable[[], object], *, cuda: bool, warmup: int = WARMUP_RUNS, repeats: int = TIMED_RUNS):
    """The median duration of ``run()`` in seconds over ``repeats`` runs after ``warmup``."""
    for _ in range(warmup):
        run()
    if not cuda:
        durations = []
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            durations.append(time.perf_counter() - started)
        return statistics.median(durations)
    import torch

    flush = torch.empty(L2_FLUSH_BYTES, dtype=torch.int8, device="cuda")
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    torch.cuda.synchronize()
    for start, end in zip(starts, ends):
        flush.zero_()
        # The GPU spins while the host launches the run, so the run is queued
        # before the GPU reaches it: the events time the kernels, not Python's
        # launch latency, which on a busy or virtual machine can jump from
        # microseconds to hundreds of them for a while (seen on an H100 here:
        # a 26 µs softmax timed at 170 µs for a second, and not in the next process).
        torch.cuda._sleep(LAUNCH_COVER_CYCLES)
        start.record()
        run()
        end.record()
    torch.cuda.synchronize()
    return statistics.median(start.elapsed_time(end) / 1e3 for start, end in zip(starts, ends))
