"""Blocked matrix multiplication in Triton. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run
``grade exercises/triton_matmul``."""

import torch
import triton  # noqa: F401 - for your kernel
import triton.language as tl  # noqa: F401 - for your kernel


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for ``a`` (M, K) and ``b`` (K, N), computed by a ``@triton.jit`` kernel of yours.

    ``a`` and ``b`` have the same dtype (float16, bfloat16 or float32), are on
    the GPU (or the CPU, where Triton's interpreter runs the kernel) and may be
    non-contiguous (use their strides). Any sizes ``>= 1``, not only multiples
    of a block. Accumulate in float32 (``tl.dot``) and return a new (M, N)
    tensor of the inputs' dtype.
    """
    raise NotImplementedError
