"""The block is the row itself: ``BLOCK_N=n_cols``. It works for the lengths
tried first (4, 8, 1024), but tl.arange only takes powers of two, so any
other row length fails to compile: pad to triton.next_power_of_2(n_cols) and
mask the tail."""

import torch
import triton
import triton.language as tl

EXPECTED_TO_FAIL = (
    "test_matches_float64[float16]",
    "test_matches_float64[float32]",
    "test_huge_logits_neither_overflow_nor_vanish[float16]",
    "test_huge_logits_neither_overflow_nor_vanish[float32]",
    "test_adding_a_constant_to_a_row_changes_nothing",
    "test_strided_inputs_match_float64",
    "test_the_work_happens_in_your_own_triton_kernel",
)


@triton.jit
def softmax_kernel(x_ptr, y_ptr, stride_xm, stride_xn, stride_ym, BLOCK_N: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_N)
    x = tl.load(x_ptr + row * stride_xm + cols * stride_xn).to(tl.float32)
    numerator = tl.exp(x - tl.max(x, axis=0))
    y = numerator / tl.sum(numerator, axis=0)
    tl.store(y_ptr + row * stride_ym + cols, y.to(y_ptr.dtype.element_ty))


def softmax(x):
    n_rows, n_cols = x.shape
    y = torch.empty((n_rows, n_cols), dtype=x.dtype, device=x.device)
    softmax_kernel[(n_rows,)](x, y, x.stride(0), x.stride(1), y.stride(0), BLOCK_N=n_cols)
    return y
