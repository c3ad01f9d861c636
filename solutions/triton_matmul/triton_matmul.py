"""Reference solution: a blocked matrix multiplication in one Triton kernel.

Each program computes one BLOCK_M × BLOCK_N tile of the output. It walks
along K a BLOCK_K slice at a time, loading a (BLOCK_M, BLOCK_K) tile of `a`
and a (BLOCK_K, BLOCK_N) tile of `b` and adding their product to a float32
accumulator with `tl.dot` (the tensor cores on a GPU). Every tile of `a` and
`b` is read by many programs, so the order in which programs run decides how
often those reads hit the L2 cache.
"""

from __future__ import annotations

import os

import torch
import triton
import triton.language as tl

# Triton's interpreter (no GPU) runs every program in Python: one configuration
# with big tiles. On a GPU the autotuner picks among configurations that do
# well on Hopper and Ampere (those of Triton's matmul tutorial).
INTERPRETED = os.environ.get("TRITON_INTERPRET") == "1"
SMALL_PROBLEM = 1 << 27  # M·N·K below this (512³): too little work to be worth tuning


def _config(block_m, block_n, block_k, stages, warps):
    return triton.Config(
        {"BLOCK_M": block_m, "BLOCK_N": block_n, "BLOCK_K": block_k, "GROUP_M": 8}, num_stages=stages, num_warps=warps
    )


if INTERPRETED:
    CONFIGS = [_config(64, 64, 32, 1, 4)]
else:
    CONFIGS = [
        _config(64, 64, 32, 4, 4),  # first: the one small problems get
        _config(128, 256, 64, 3, 8),
        _config(256, 128, 64, 3, 8),
        _config(128, 128, 64, 4, 8),
        _config(128, 128, 64, 4, 4),
        _config(128, 64, 64, 4, 4),
        _config(64, 128, 64, 4, 4),
        _config(128, 128, 32, 4, 4),
        _config(128, 64, 32, 4, 4),
    ]


def _prune(configs, named_args, **kwargs):
    if named_args["M"] * named_args["N"] * named_args["K"] < SMALL_PROBLEM:
        return configs[:1]
    return configs


@triton.autotune(configs=CONFIGS, key=["M", "N", "K"], prune_configs_by={"early_config_prune": _prune})
@triton.jit
def matmul_kernel(
    a_ptr, b_ptr, c_ptr, M, N, K,
    stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
):  # fmt: skip
    # Which output tile is this program's? Numbering tiles row by row would have
    # consecutive programs sweep a whole row of tiles, reading all of `b`.
    # Going down GROUP_M tile rows first, then across, consecutive programs
    # share both their `a` rows and their `b` columns, which then stay in L2.
    pid = tl.program_id(0)
    tiles_m, tiles_n = tl.cdiv(M, BLOCK_M), tl.cdiv(N, BLOCK_N)
    tiles_per_group = GROUP_M * tiles_n
    first_m = (pid // tiles_per_group) * GROUP_M
    group_m = min(tiles_m - first_m, GROUP_M)  # the last group may be shorter
    pid_m = first_m + (pid % tiles_per_group) % group_m
    pid_n = (pid % tiles_per_group) // group_m

    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, BLOCK_K)
    # Strides, not shapes, locate elements: a transposed or sliced input works as is.
    a_ptrs = a_ptr + offs_m[:, None] * stride_am + offs_k[None, :] * stride_ak
    b_ptrs = b_ptr + offs_k[:, None] * stride_bk + offs_n[None, :] * stride_bn

    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):  # cdiv: the last slice may be partial
        k_left = K - k * BLOCK_K
        # Elements past an edge load as 0, so they add nothing to the dot products.
        a = tl.load(a_ptrs, mask=(offs_m[:, None] < M) & (offs_k[None, :] < k_left), other=0.0)
        b = tl.load(b_ptrs, mask=(offs_k[:, None] < k_left) & (offs_n[None, :] < N), other=0.0)
        acc = tl.dot(a, b, acc)  # acc += a @ b, accumulated in float32
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk

    c = acc.to(c_ptr.dtype.element_ty)
    c_ptrs = c_ptr + offs_m[:, None] * stride_cm + offs_n[None, :] * stride_cn
    tl.store(c_ptrs, c, mask=(offs_m[:, None] < M) & (offs_n[None, :] < N))


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    M, K = a.shape
    _, N = b.shape
    c = torch.empty((M, N), dtype=a.dtype, device=a.device)
    grid = lambda meta: (triton.cdiv(M, meta["BLOCK_M"]) * triton.cdiv(N, meta["BLOCK_N"]),)  # noqa: E731
    matmul_kernel[grid](a, b, c, M, N, K, a.stride(0), a.stride(1), b.stride(0), b.stride(1), c.stride(0), c.stride(1))
    return c
