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
import shutil
import sys
from pathlib import Path

from grader.devices import kernel_device
from grader.sandbox.policy import Toolchain

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


def prepare_worker(sandbox: Path) -> Toolchain | None:
    """On a GPU, what compiling the learner's kernels needs, set up before the
    worker confines itself; the tools Triton may then start. Nothing in the interpreter.

    Triton caches compiled kernels (and its launchers) in the worker's own
    directory: a cache shared between workers would let one learner's worker
    leave compiled code that another's loads.
    """
    if os.environ.get("TRITON_INTERPRET") == "1":
        return None
    os.environ["TRITON_HOME"] = str(sandbox)
    os.environ["TRITON_CACHE_DIR"] = str(sandbox / ".triton" / "cache")
    import torch
    import triton

    # The CUDA context reserves its address space now, before the memory limit
    # is measured from what is mapped.
    torch.empty(1, device="cuda")
    triton.runtime.driver.active.utils  # noqa: B018 - builds Triton's C helpers now (it runs ldconfig and gcc)

    programs = [os.environ.get("CC"), *(shutil.which(name) for name in ("gcc", "clang", "cc"))]
    for tool in ("ptxas", "ptxas_blackwell"):  # the assembler Triton runs on each kernel's PTX
        try:
            programs.append(getattr(triton.knobs.nvidia, tool).path)
        except (AttributeError, RuntimeError):
            pass  # not in this version of Triton, or not installed
    found = (shutil.which(program) for program in programs if program)
    return Toolchain(
        library=os.path.dirname(triton.__file__), programs=frozenset(os.path.realpath(path) for path in found if path)
    )
