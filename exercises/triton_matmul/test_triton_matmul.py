"""Tests for triton_matmul: a float64 product as the oracle, sizes that are not
multiples of any block, strided inputs, (AB)ᵀ = BᵀAᵀ, and a check that the
work happens in the learner's own Triton kernel.

Without a CUDA GPU the kernels run in Triton's interpreter on the CPU, at
small sizes; bfloat16 cases run only on a GPU (the interpreter computes
bfloat16 wrongly without an error).
"""

from functools import partial

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out
from grader.triton_checks import (
    DEVICE,
    DTYPES,
    ON_GPU,
    assert_no_nan,
    assert_own_kernel,
    kernel_runs,
    report_speed,
    torch_ops,
)

# Each output element is a dot product of K terms; its rounding error is
# bounded relative to Σ_k |a_ik b_kj|, so the absolute tolerance is a fraction
# of the largest of those sums ("scale"), and the relative one covers rounding
# the result to the output dtype. float32 on a GPU: tl.dot rounds its inputs
# to TF32 (10-bit mantissa) by default, an error of up to 2⁻¹⁰ per product;
# the interpreter multiplies in true float32.
RTOL = {torch.float16: 1e-3, torch.bfloat16: 1e-2, torch.float32: 1e-3 if ON_GPU else 1e-5}
ATOL_PER_SCALE = {torch.float16: 1e-4, torch.bfloat16: 1e-3, torch.float32: 1e-3 if ON_GPU else 1e-6}
MAX_DIM = 700 if ON_GPU else 80
KERNEL_RUNS = kernel_runs(on_gpu=30, interpreted=20)
FEW_KERNEL_RUNS = kernel_runs(on_gpu=10, interpreted=10)
# Torch ops that would be doing the multiplication instead of the kernel.
TORCH_PRODUCT_OPS = {
    "mm", "bmm", "addmm", "addbmm", "baddbmm", "matmul", "dot", "vdot", "mv", "addmv", "linear",
    "einsum", "tensordot", "_scaled_mm", "_int_mm", "mul", "mul_", "sum",
}  # fmt: skip


def sizes(max_dim=MAX_DIM):
    """Sizes next to multiples of 16 (where a block ends), 1, and any other."""
    edges = sorted({n for m in (16, 32, 64, 128, 256) for n in (m - 1, m, m + 1) if n <= max_dim} | {1, 2, 3})
    return st.one_of(st.sampled_from(edges), st.integers(1, max_dim))


@st.composite
def products(draw):
    """How to build random a (M, K) and b (K, N): the sizes and a seed."""
    return {"M": draw(sizes()), "N": draw(sizes()), "K": draw(sizes()), "seed": draw(st.integers(0, 2**32 - 1))}


def build(spec, dtype):
    """a and b with N(0, 1) entries, drawn on the CPU from the seed, in ``dtype`` on the kernel device."""
    generator = torch.Generator().manual_seed(spec["seed"])
    a = torch.randn(spec["M"], spec["K"], generator=generator, dtype=torch.float64)
    b = torch.randn(spec["K"], spec["N"], generator=generator, dtype=torch.float64)
    return a.to(dtype).to(DEVICE), b.to(dtype).to(DEVICE)


def tolerances(a, b):
    scale = float((a.double().abs() @ b.double().abs()).max())
    return {"rtol": RTOL[a.dtype], "atol": ATOL_PER_SCALE[a.dtype] * scale}


def describe(t):
    layout = "" if t.is_contiguous() else f" with strides {tuple(t.stride())}"
    return f"{tuple(t.shape)}{layout}"


def check(submission, a, b):
    got = submission.matmul(a, b)
    call = f"matmul(a {describe(a)}, b {describe(b)}), {str(a.dtype).removeprefix('torch.')}"
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert got.dtype == a.dtype, f"{call} returned {got.dtype}, expected the inputs' dtype {a.dtype}"
    assert_no_nan(got, call)
    assert_close(got, a.double() @ b.double(), check_dtype=False, name=call, **tolerances(a, b))


@pytest.mark.points(2)
def test_known_answers(submission):
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float16, device=DEVICE)
    b = torch.tensor([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]], dtype=torch.float16, device=DEVICE)
    got = submission.matmul(a, b)
    expected = torch.tensor([[58.0, 64.0], [139.0, 154.0]], dtype=torch.float16, device=DEVICE)
    assert_close(got, expected, rtol=0, atol=0, name="matmul([[1, 2, 3], [4, 5, 6]], [[7, 8], [9, 10], [11, 12]])")

    ones, ramp = torch.ones(1, 40, device=DEVICE), torch.arange(40.0, device=DEVICE)[:, None]
    got = submission.matmul(ones, ramp)  # K = 40 is not a multiple of any block size
    assert_close(
        got, torch.tensor([[780.0]], device=DEVICE), name="matmul(ones(1, 40), [[0], [1], …, [39]]) = 0 + 1 + … + 39"
    )

    got = submission.matmul(torch.tensor([[3.0]], device=DEVICE), torch.tensor([[-2.0]], device=DEVICE))
    assert_close(got, torch.tensor([[-6.0]], device=DEVICE), name="matmul([[3]], [[-2]])")


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", DTYPES)
@KERNEL_RUNS
@given(spec=products())
def test_matches_float64(submission, dtype, spec):
    check(submission, *build(spec, dtype))


LAYOUTS = ["contiguous", "transposed", "strided"]


@st.composite
def strided_products(draw):
    spec = draw(products())
    layouts = draw(
        st.tuples(st.sampled_from(LAYOUTS), st.sampled_from(LAYOUTS)).filter(lambda pair: pair != ("contiguous",) * 2)
    )
    return spec, layouts


@pytest.mark.points(2)
@FEW_KERNEL_RUNS
@given(case=strided_products())
def test_strided_inputs_match_float64(submission, case):
    """Elements are located through the strides: a transposed `a` or every other column of a wider `b` work as is."""
    spec, (layout_a, layout_b) = case
    a, b = build(spec, torch.float16)
    check(submission, laid_out(a, layout_a), laid_out(b, layout_b))


@FEW_KERNEL_RUNS
@given(spec=products())
def test_transposed_product_is_the_product_of_transposes(submission, spec):
    """(a b)ᵀ = bᵀ aᵀ: the same numbers multiplied in the other orientation."""
    a, b = build(spec, torch.float32)
    product = submission.matmul(a, b)
    swapped = submission.matmul(b.T, a.T)
    assert_close(
        swapped,
        product.T,
        name=f"matmul(b.T, a.T) compared with matmul(a, b).T for a {tuple(a.shape)}, b {tuple(b.shape)}",
        **tolerances(a, b),
    )


@pytest.mark.points(2)
def test_the_work_happens_in_your_own_triton_kernel(submission):
    a, b = build({"M": 20, "N": 24, "K": 40, "seed": 0}, torch.float16)
    _, log = submission.call_recording("matmul", a, b)
    yours = assert_own_kernel(log, "matmul(a, b)")
    torch_work = torch_ops(log, TORCH_PRODUCT_OPS)
    assert not torch_work, (
        f"matmul(a, b) launched {', '.join(yours)} but torch did products too: {', '.join(torch_work)}; "
        "the multiplication belongs in the kernel (tl.dot)"
    )


@pytest.mark.performance
@pytest.mark.points(0)
def test_speed_against_torch(submission, reference, performance):
    """Informational: TFLOP/s (2·M·N·K per product) beside torch.matmul and the reference kernel."""
    if not ON_GPU:
        pytest.skip("no CUDA GPU: speed is measured only on a GPU")
    for m, n, k in [(4096, 4096, 4096), (8192, 8192, 1024), (1000, 1000, 1000)]:
        a = torch.randn(m, k, device="cuda", dtype=torch.float16)
        b = torch.randn(k, n, device="cuda", dtype=torch.float16)
        report_speed(
            performance,
            case=f"{m} × {k} @ {k} × {n}, float16",
            unit="TFLOP/s",
            work=2 * m * n * k,
            seconds=submission.call_timed("matmul", a, b),
            baselines={
                "torch.matmul": partial(torch.matmul, a, b),
                "the reference solution": partial(reference.matmul, a, b),
            },
        )
