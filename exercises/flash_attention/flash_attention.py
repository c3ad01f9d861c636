"""FlashAttention forward pass in Triton. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run
``grade exercises/flash_attention``."""

import torch
import triton  # noqa: F401 - for your kernel
import triton.language as tl  # noqa: F401 - for your kernel


def flash_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False, sm_scale: float | None = None
) -> torch.Tensor:
    """``softmax(q kᵀ · sm_scale) v`` per batch and head, computed by a ``@triton.jit`` kernel of yours.

    ``q``, ``k``, ``v`` are (B, H, N, D) of the same dtype (float16, bfloat16 or
    float32), on the GPU (or the CPU, where Triton's interpreter runs the kernel),
    possibly non-contiguous (use their strides). ``D`` is 16, 32, 64 or 128;
    any ``N >= 1``, not only multiples of a block. The softmax runs over the
    keys. ``causal=True``: query ``i`` attends to keys ``0..i`` only.
    ``sm_scale=None`` means ``1/√D``. Returns a new (B, H, N, D) tensor of the
    inputs' dtype. The N × N scores must never be stored in memory.
    """
    raise NotImplementedError
