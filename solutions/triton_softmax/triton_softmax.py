"""Reference solution: row-wise softmax fused into one Triton kernel.

Each program loads a tile of whole rows once, normalises it in registers and
writes it once: the softmax costs one read and one write of the matrix, which
is why it can beat a chain of separate max, exp, sum and divide passes.
"""

from __future__ import annotations

import os

import torch
import triton
import triton.language as tl

# Triton's interpreter (no GPU) runs every program in Python: one configuration,
# many rows per program. On a GPU the autotuner picks the number of warps.
INTERPRETED = os.environ.get("TRITON_INTERPRET") == "1"
ELEMENTS_PER_PROGRAM = 16384 if INTERPRETED else 4096  # rows per program = this // the padded row length
SMALL_PROBLEM = 1 << 20  # elements: too little work to be worth tuning
CONFIGS = [triton.Config({}, num_warps=4)] + ([] if INTERPRETED else [triton.Config({}, num_warps=w) for w in (8, 16)])


def _prune(configs, named_args, **kwargs):
    if named_args["n_rows"] * named_args["n_cols"] < SMALL_PROBLEM:
        return configs[:1]
    return configs


@triton.autotune(configs=CONFIGS, key=["n_rows", "n_cols"], prune_configs_by={"early_config_prune": _prune})
@triton.jit
def softmax_kernel(
    x_ptr, y_ptr, n_rows, n_cols, stride_xm, stride_xn, stride_ym, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr
):
    # This program's BLOCK_M rows, each padded to BLOCK_N columns (a power of two, as tl.arange needs).
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    row_inside, col_inside = rows < n_rows, cols < n_cols
    x = tl.load(
        x_ptr + rows[:, None] * stride_xm + cols[None, :] * stride_xn,
        mask=row_inside[:, None] & col_inside[None, :],
        other=0.0,
    ).to(tl.float32)
    # Columns past the end of the row read as -inf: they never win the max and
    # add exp(-inf) = 0 to the sum. (Rows past the last one read as zeros and are never stored.)
    x = tl.where(col_inside[None, :], x, float("-inf"))
    # softmax(x) = softmax(x - c) for any c. With c = the row's maximum, every
    # exponent is <= 0, so exp cannot overflow however large x is.
    numerator = tl.exp(x - tl.max(x, axis=1)[:, None])
    y = numerator / tl.sum(numerator, axis=1)[:, None]
    tl.store(
        y_ptr + rows[:, None] * stride_ym + cols[None, :],
        y.to(y_ptr.dtype.element_ty),
        mask=row_inside[:, None] & col_inside[None, :],
    )


def softmax(x: torch.Tensor) -> torch.Tensor:
    n_rows, n_cols = x.shape
    y = torch.empty((n_rows, n_cols), dtype=x.dtype, device=x.device)
    block_n = triton.next_power_of_2(n_cols)
    # Short rows: several per program, so each program still has a tile's worth of work.
    block_m = min(max(ELEMENTS_PER_PROGRAM // block_n, 1), triton.next_power_of_2(n_rows))
    grid = (triton.cdiv(n_rows, block_m),)
    softmax_kernel[grid](x, y, n_rows, n_cols, x.stride(0), x.stride(1), y.stride(0), BLOCK_M=block_m, BLOCK_N=block_n)
    return y
