"""torch.matmul does the work and no Triton kernel is written: every value is
right, but the exercise is the kernel."""

import torch

EXPECTED_TO_FAIL = ("test_the_work_happens_in_your_own_triton_kernel",)


def matmul(a, b):
    return torch.matmul(a, b)
