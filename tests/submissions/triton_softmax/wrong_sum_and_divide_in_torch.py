"""Half fused: the kernel computes exp(x - row max), then torch sums and
divides. The values are right, but the matrix now makes three more trips
through memory, which is what the exercise is about avoiding."""

import torch
import triton
import triton.language as tl

EXPECTED_TO_FAIL = ("test_the_work_happens_in_your_own_triton_kernel",)


@triton.jit
def exp_minus_max_kernel(x_ptr, e_ptr, n_cols, stride_xm, stride_xn, stride_em, BLOCK_N: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride_xm + cols * stride_xn, mask=mask, other=-float("inf")).to(tl.float32)
    tl.store(e_ptr + row * stride_em + cols, tl.exp(x - tl.max(x, axis=0)), mask=mask)


def softmax(x):
    n_rows, n_cols = x.shape
    e = torch.empty((n_rows, n_cols), dtype=torch.float32, device=x.device)
    exp_minus_max_kernel[(n_rows,)](
        x, e, n_cols, x.stride(0), x.stride(1), e.stride(0), BLOCK_N=triton.next_power_of_2(n_cols)
    )
    return (e / e.sum(dim=1, keepdim=True)).to(x.dtype)
