"""Correct, written differently from the reference: the update of the first
FlashAttention paper, which keeps the output normalised after every block
(o = o · l_old·alpha / l_new + p v / l_new) instead of dividing once at the
end; natural exp instead of exp2; one loop that masks every block; fixed
32 × 32 blocks; and the inputs made contiguous first, so the kernel needs
only the row length D."""

import torch
import triton
import triton.language as tl

EXPECTED_TO_FAIL = ()


@triton.jit
def flash_v1_kernel(
    q_ptr, k_ptr, v_ptr, o_ptr, scale, N, IS_CAUSAL: tl.constexpr, D: tl.constexpr, BLOCK: tl.constexpr
):
    head = tl.program_id(1)  # which (batch, head): all four tensors are contiguous (B·H, N, D)
    rows = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    dims = tl.arange(0, D)
    base = head * N * D
    q = tl.load(q_ptr + base + rows[:, None] * D + dims[None, :], mask=rows[:, None] < N, other=0.0)
    m = tl.full([BLOCK], float("-inf"), dtype=tl.float32)
    l = tl.zeros([BLOCK], dtype=tl.float32)  # noqa: E741 - the paper's name
    o = tl.zeros([BLOCK, D], dtype=tl.float32)
    end = tl.minimum((tl.program_id(0) + 1) * BLOCK, N) if IS_CAUSAL else N
    for start in range(0, end, BLOCK):
        keys = start + tl.arange(0, BLOCK)
        k = tl.load(k_ptr + base + keys[:, None] * D + dims[None, :], mask=keys[:, None] < N, other=0.0)
        v = tl.load(v_ptr + base + keys[:, None] * D + dims[None, :], mask=keys[:, None] < N, other=0.0)
        s = tl.dot(q, tl.trans(k)) * scale
        visible = keys[None, :] < N
        if IS_CAUSAL:
            visible = visible & (keys[None, :] <= rows[:, None])
        s = tl.where(visible, s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))  # finite: key 0 is in the first block and visible to every row
        alpha = tl.exp(m - m_new)
        p = tl.exp(s - m_new[:, None])
        l_new = l * alpha + tl.sum(p, 1)
        pv = tl.dot(p.to(v.dtype), v)
        o = o * (l * alpha / l_new)[:, None] + pv / l_new[:, None]
        m, l = m_new, l_new  # noqa: E741
    tl.store(o_ptr + base + rows[:, None] * D + dims[None, :], o.to(o_ptr.dtype.element_ty), mask=rows[:, None] < N)


def flash_attention(q, k, v, causal=False, sm_scale=None):
    B, H, N, D = q.shape
    scale = D**-0.5 if sm_scale is None else sm_scale
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()
    out = torch.empty_like(q)
    flash_v1_kernel[(triton.cdiv(N, 32), B * H)](q, k, v, out, scale, N, IS_CAUSAL=causal, D=D, BLOCK=32)
    return out
