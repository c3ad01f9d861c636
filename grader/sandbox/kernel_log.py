"""Which Triton kernels a call launched, recorded inside the worker.

An exercise whose learner writes Triton kernels lists this module in
``requires`` right after torch, before ``tensor_log`` and ``poison``; ``submission.call_recording`` then fills
``CallLog.kernels`` with the name of every kernel launched during the call and
whether the submission defined it, so a test can tell a learner's own kernel
from ``torch.matmul`` or a library's kernel.

Importing this module also picks Triton's backend for the worker, before
Triton is imported: without a CUDA GPU, ``TRITON_INTERPRET=1``, which runs
kernels on CPU tensors through numpy. ``grader.devices.kernel_device`` makes
the same choice for the tests.

Like ``tensor_log`` this is a structural check, not a proof; correctness is
always checked on the outputs.
"""

from __future__ import annotations

import contextlib
import os
import sys

from grader.devices import kernel_device

if kernel_device() == "cpu":
    if "triton" in sys.modules and os.environ.get("TRITON_INTERPRET") != "1":
        # Triton reads the variable once, when imported; torch imports it on the
        # first op under a dispatch mode, which tensor_log and poison run.
        raise ImportError(
            "grader.sandbox.kernel_log must come before every other grader module in `requires` "
            "(right after torch): Triton was imported before its interpreter could be chosen"
        )
    os.environ["TRITON_INTERPRET"] = "1"

from triton.runtime.interpreter import InterpretedFunction  # after the backend is chosen
from triton.runtime.jit import JITFunction

LOG_NAME = "kernels"  # the field of CallLog this fills
_launched: set[tuple[str, str]] | None = None  # (kernel, file it is defined in), while recording


def _noting_launches(run):
    # Every launch, also through triton.autotune and triton.heuristics, ends in
    # the kernel's own `run`.
    def run_and_note(self, *args, **kwargs):
        if _launched is not None:
            _launched.add((self.fn.__name__, self.fn.__code__.co_filename))
        return run(self, *args, **kwargs)

    return run_and_note


JITFunction.run = _noting_launches(JITFunction.run)
InterpretedFunction.run = _noting_launches(InterpretedFunction.run)


@contextlib.contextmanager
def recording():
    """Yields a set that fills with ``(kernel name, defining file)`` while the block runs."""
    global _launched
    _launched = launched = set()
    try:
        yield launched
    finally:
        _launched = None


def as_plain_data(launched: set[tuple[str, str]], submission_file: str) -> list[list]:
    """``[[kernel name, defined in the submission?], ...]``, sorted."""
    return [[name, mine] for name, mine in sorted({(name, file == submission_file) for name, file in launched})]
