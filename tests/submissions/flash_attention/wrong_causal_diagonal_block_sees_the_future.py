"""Causal attention skips the blocks of keys after each block of queries, but
inside the diagonal block it masks only the keys past the end of the
sequence, not the keys after each query: query i sees the keys up to the end
of its block, i.e. up to BLOCK_M - 1 tokens of the future."""

from __future__ import annotations

import os

import torch
import triton
import triton.language as tl

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_matches_float64[float16]",
    "test_matches_float64[float32]",
    "test_causal_outputs_ignore_later_tokens",
)

# Triton's interpreter (no GPU) runs every program in Python: one small
# configuration. On a GPU the autotuner picks block sizes and pipelining depth.
INTERPRETED = os.environ.get("TRITON_INTERPRET") == "1"
SHORT_SEQUENCE = 1024  # below this: too little work to be worth tuning
LOG2_E = tl.constexpr(1.4426950408889634)  # exp(x) = exp2(x · log2(e)); exp2 is the GPU's native instruction


def _config(block_m, block_n, stages, warps):
    return triton.Config({"BLOCK_M": block_m, "BLOCK_N": block_n}, num_stages=stages, num_warps=warps)


if INTERPRETED:
    CONFIGS = [_config(64, 32, 1, 4)]
else:
    CONFIGS = [
        _config(64, 32, 3, 4),  # first: the one short sequences get
        _config(64, 64, 3, 4),
        _config(128, 32, 3, 4),
        _config(128, 64, 3, 4),
        _config(128, 64, 4, 8),
        _config(128, 128, 3, 8),
    ]


def _prune(configs, named_args, **kwargs):
    if named_args["N_CTX"] < SHORT_SEQUENCE:
        return configs[:1]
    return configs


@triton.jit
def _attend(
    acc, l_i, m_i, q, k_ptrs, v_ptrs, stride_kn, stride_vn, offs_m, offs_n, lo, hi, N_CTX, qk_scale,
    CAUSAL: tl.constexpr, MASKED: tl.constexpr, BLOCK_N: tl.constexpr,
):  # fmt: skip
    """Fold the keys and values lo .. hi - 1 into the running (acc, l_i, m_i).
    MASKED blocks may hold keys past the end or, when CAUSAL, keys after a query."""
    for start_n in range(lo, hi, BLOCK_N):
        cols = start_n + offs_n
        if MASKED:
            k = tl.load(k_ptrs + start_n * stride_kn, mask=cols[:, None] < N_CTX, other=0.0)
        else:
            k = tl.load(k_ptrs + start_n * stride_kn)
        qk = tl.dot(q, tl.trans(k)) * qk_scale  # (BLOCK_M, BLOCK_N) scores, in log2 units
        if MASKED:
            allowed = cols[None, :] < N_CTX
            # (missing: when CAUSAL, also cols[None, :] <= offs_m[:, None])
            qk = tl.where(allowed, qk, float("-inf"))  # weight exp2(-inf) = 0

        # Online softmax. The new running maximum m_new may be larger than m_i:
        # everything summed so far was scaled by exp2(-m_i) and must now be
        # scaled by exp2(-m_new), so both l_i and acc are multiplied by alpha.
        m_new = tl.maximum(m_i, tl.max(qk, 1))
        alpha = tl.exp2(m_i - m_new)
        p = tl.exp2(qk - m_new[:, None])
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None]

        if MASKED:
            v = tl.load(v_ptrs + start_n * stride_vn, mask=cols[:, None] < N_CTX, other=0.0)
        else:
            v = tl.load(v_ptrs + start_n * stride_vn)
        acc = tl.dot(p.to(v.dtype), v, acc)  # acc += p @ v, in float32
        m_i = m_new
    return acc, l_i, m_i


@triton.autotune(configs=CONFIGS, key=["N_CTX", "HEAD_DIM", "CAUSAL"], prune_configs_by={"early_config_prune": _prune})
@triton.jit
def attention_kernel(
    Q, K, V, Out, sm_scale,
    stride_qb, stride_qh, stride_qn, stride_qd,
    stride_kb, stride_kh, stride_kn, stride_kd,
    stride_vb, stride_vh, stride_vn, stride_vd,
    stride_ob, stride_oh, stride_on, stride_od,
    H, N_CTX,
    HEAD_DIM: tl.constexpr, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
):  # fmt: skip
    start_m = tl.program_id(0)  # which block of queries
    batch, head = tl.program_id(1) // H, tl.program_id(1) % H
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_DIM)

    q_ptrs = Q + batch * stride_qb + head * stride_qh + offs_m[:, None] * stride_qn + offs_d[None, :] * stride_qd
    k_ptrs = K + batch * stride_kb + head * stride_kh + offs_n[:, None] * stride_kn + offs_d[None, :] * stride_kd
    v_ptrs = V + batch * stride_vb + head * stride_vh + offs_n[:, None] * stride_vn + offs_d[None, :] * stride_vd
    q = tl.load(q_ptrs, mask=offs_m[:, None] < N_CTX, other=0.0)  # rows past the end: zeros, never stored

    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)  # running maximum of each query's scores
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)  # running sum of exp2(score - m_i)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)  # running sum of exp2(score - m_i) · v
    qk_scale = sm_scale * LOG2_E

    # Split the keys so that only the blocks that need a mask pay for it.
    # Causal: keys before this block of queries are visible to all of them;
    # the keys of the diagonal block are masked; later keys are skipped
    # altogether (half the work). Not causal: only the last, partial block
    # of keys is masked. (BLOCK_M is a multiple of BLOCK_N, so the split
    # falls on a block boundary.)
    if CAUSAL:
        unmasked_end = start_m * BLOCK_M
        end = tl.minimum((start_m + 1) * BLOCK_M, N_CTX)
    else:
        unmasked_end = (N_CTX // BLOCK_N) * BLOCK_N
        end = N_CTX
    args = (q, k_ptrs, v_ptrs, stride_kn, stride_vn, offs_m, offs_n)
    acc, l_i, m_i = _attend(acc, l_i, m_i, *args, 0, unmasked_end, N_CTX, qk_scale, CAUSAL, False, BLOCK_N)
    acc, l_i, m_i = _attend(acc, l_i, m_i, *args, unmasked_end, end, N_CTX, qk_scale, CAUSAL, True, BLOCK_N)
    # Every query sees at least key 0, so l_i > 0.
    out = acc / l_i[:, None]

    o_ptrs = Out + batch * stride_ob + head * stride_oh + offs_m[:, None] * stride_on + offs_d[None, :] * stride_od
    tl.store(o_ptrs, out.to(Out.dtype.element_ty), mask=offs_m[:, None] < N_CTX)


def flash_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False, sm_scale: float | None = None
) -> torch.Tensor:
    B, H, N, D = q.shape
    if sm_scale is None:
        sm_scale = D**-0.5
    out = torch.empty((B, H, N, D), dtype=q.dtype, device=q.device)
    grid = lambda meta: (triton.cdiv(N, meta["BLOCK_M"]), B * H)  # noqa: E731
    attention_kernel[grid](
        q, k, v, out, sm_scale,
        *q.stride(), *k.stride(), *v.stride(), *out.stride(),
        H, N, HEAD_DIM=D, CAUSAL=causal,
    )  # fmt: skip
    return out
