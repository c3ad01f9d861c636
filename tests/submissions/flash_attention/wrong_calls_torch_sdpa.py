"""torch.nn.functional.scaled_dot_product_attention does the work and no
Triton kernel is written: every value is right, but the exercise is the kernel."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_the_work_happens_in_your_own_kernel_without_n_by_n_scores",)


def flash_attention(q, k, v, causal=False, sm_scale=None):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=sm_scale)
