"""Where an exercise's Triton kernels run: compiled on a CUDA GPU, or in Triton's interpreter.

The trusted side (tests choosing sizes and dtypes) and the worker (choosing
Triton's backend before importing it) ask the same question here, so they
always agree.
"""

from __future__ import annotations

import os

INTERPRETER_NOTE = (
    "no CUDA GPU here: kernels ran in Triton's interpreter on the CPU (TRITON_INTERPRET=1), at small sizes"
)


def kernel_device() -> str:
    """``"cuda"`` where Triton compiles kernels for a GPU; ``"cpu"`` where they run
    in its interpreter: no CUDA device, or ``TRITON_INTERPRET=1`` already set."""
    if os.environ.get("TRITON_INTERPRET") == "1":
        return "cpu"
    # The NVML check leaves CUDA uninitialised: the zygote asks this and then
    # forks workers, which could not use CUDA after a fork of a process that had.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
