"""exp(x) / Σ exp(x) straight from the definition, without subtracting the row
maximum first: exp(89) is already infinite in float32, so rows of large
logits become inf / inf = NaN, and rows of very negative ones 0 / 0."""

import torch
import triton
import triton.language as tl

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_huge_logits_neither_overflow_nor_vanish[float16]",
    "test_huge_logits_neither_overflow_nor_vanish[float32]",
    "test_adding_a_constant_to_a_row_changes_nothing",
)


@triton.jit
def softmax_kernel(x_ptr, y_ptr, n_cols, stride_xm, stride_xn, stride_ym, BLOCK_N: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride_xm + cols * stride_xn, mask=mask, other=-float("inf")).to(tl.float32)
    numerator = tl.exp(x)  # should be tl.exp(x - tl.max(x, axis=0))
    y = numerator / tl.sum(numerator, axis=0)
    tl.store(y_ptr + row * stride_ym + cols, y.to(y_ptr.dtype.element_ty), mask=mask)


def softmax(x):
    n_rows, n_cols = x.shape
    y = torch.empty_like(x, memory_format=torch.contiguous_format)
    softmax_kernel[(n_rows,)](
        x, y, n_cols, x.stride(0), x.stride(1), y.stride(0), BLOCK_N=triton.next_power_of_2(n_cols)
    )
    return y
