"""Tests for triton_softmax: a float64 softmax as the oracle, rows of every
length (not only powers of two), huge logits, strided inputs, and a check that
the work happens in the learner's own Triton kernel.

Without a CUDA GPU the kernels run in Triton's interpreter on the CPU, at
small sizes; bfloat16 cases run only on a GPU (the interpreter computes
bfloat16 wrongly without an error).
"""

import math
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

# Against a float64 softmax: the output's rounding (half a unit in the last
# place: 4.9e-4 relative in float16, 3.9e-3 in bfloat16) plus float32 arithmetic.
TOLERANCES = {
    torch.float16: {"rtol": 1e-3, "atol": 1e-5},
    torch.bfloat16: {"rtol": 1e-2, "atol": 1e-5},
    torch.float32: {"rtol": 1e-5, "atol": 1e-6},
}
MAX_ROWS, MAX_COLS = (64, 8192) if ON_GPU else (8, 300)
KERNEL_RUNS = kernel_runs(on_gpu=40, interpreted=25)
FEW_KERNEL_RUNS = kernel_runs(on_gpu=10, interpreted=10)
# Torch ops that would be doing the softmax's arithmetic instead of the kernel.
TORCH_SOFTMAX_OPS = {"_softmax", "_safe_softmax", "_log_softmax", "exp", "exp_", "amax", "max", "sum", "div", "div_"}


def row_lengths(max_cols=MAX_COLS):
    """Lengths around powers of two (where a padded block begins and ends), 1, and any other."""
    edges = sorted({n for p in range(12) for n in (2**p - 1, 2**p, 2**p + 1) if 1 <= n <= max_cols})
    return st.one_of(st.sampled_from(edges), st.integers(1, max_cols))


@st.composite
def matrices(draw, offsets=(0.0, 0.0, 20.0, -20.0)):
    """How to build a random (M, N) input: its size, a seed, its spread and an offset."""
    return {
        "rows": draw(st.integers(1, MAX_ROWS)),
        "cols": draw(row_lengths()),
        "spread": draw(st.sampled_from([0.1, 1.0, 4.0, 10.0])),
        "offset": draw(st.sampled_from(offsets)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def build(spec, dtype):
    """``offset + spread · N(0, 1)``, drawn on the CPU from the seed, in ``dtype`` on the kernel device."""
    generator = torch.Generator().manual_seed(spec["seed"])
    x = torch.randn(spec["rows"], spec["cols"], generator=generator, dtype=torch.float64)
    return (spec["offset"] + spec["spread"] * x).to(dtype).to(DEVICE)


def softmax64(x):
    """The definition, in float64: exp(x_ij) / Σ_j exp(x_ij), after subtracting the row maximum."""
    x = x.double()
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def describe(x):
    layout = "" if x.is_contiguous() else f" with strides {tuple(x.stride())}"
    return f"x of shape {tuple(x.shape)}{layout}, {str(x.dtype).removeprefix('torch.')}"


def check(submission, x, name=None, **tolerances):
    got = submission.softmax(x)
    assert isinstance(got, torch.Tensor), f"softmax({describe(x)}) returned a {type(got).__name__}, expected a Tensor"
    assert got.dtype == x.dtype, f"softmax({describe(x)}) returned {got.dtype}, expected the input's dtype {x.dtype}"
    assert_no_nan(got, f"softmax({describe(x)})")
    assert_close(
        got,
        softmax64(x),
        check_dtype=False,
        name=name or f"softmax({describe(x)})",
        **(tolerances or TOLERANCES[x.dtype]),
    )
    return got


@pytest.mark.points(2)
def test_known_answers(submission):
    ln2, ln3, ln4, ln5 = (math.log(n) for n in (2, 3, 4, 5))
    x = torch.tensor(
        [
            [0.0, ln2, ln3, ln4],  # exp: 1, 2, 3, 4 out of 10
            [7.0, 7.0, 7.0, 7.0],  # ties: a quarter each
            [1000.0, 1000.0, 1000.0, 1000.0 + ln5],  # exp(1000) overflows: subtract the maximum first
            [float("-inf"), 0.0, 0.0, ln2],  # a masked entry gets probability 0
        ],
        device=DEVICE,
    )
    expected = torch.tensor(
        [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0.125, 0.125, 0.125, 0.625], [0.0, 0.25, 0.25, 0.5]]
    )
    got = submission.softmax(x)
    assert_close(got, expected.to(DEVICE), rtol=1e-4, atol=1e-6, name="softmax of the 4 × 4 example")
    one = submission.softmax(torch.tensor([[3.0]], device=DEVICE))
    assert_close(one, torch.tensor([[1.0]], device=DEVICE), name="softmax([[3.0]]) (a row of one element)")


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", DTYPES)
@KERNEL_RUNS
@given(spec=matrices())
def test_matches_float64(submission, dtype, spec):
    check(submission, build(spec, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@FEW_KERNEL_RUNS
@given(spec=matrices(offsets=(100.0, -100.0, 1000.0, -1000.0, 10000.0, -10000.0)))
def test_huge_logits_neither_overflow_nor_vanish(submission, dtype, spec):
    """exp(89) overflows float32 and exp(-104) underflows to 0: only the subtracted maximum saves the row."""
    check(submission, build(spec, dtype))


@st.composite
def shifted_rows(draw):
    spec = draw(matrices(offsets=(0.0,)))
    shifts = draw(st.lists(st.integers(-1000, 1000), min_size=spec["rows"], max_size=spec["rows"]))
    return spec, shifts


@FEW_KERNEL_RUNS
@given(case=shifted_rows())
def test_adding_a_constant_to_a_row_changes_nothing(submission, case):
    """softmax(x + c) = softmax(x): the constant cancels between numerator and denominator.
    Values are multiples of 2⁻¹⁰ below 2¹², so x + c is exact in float32."""
    spec, shifts = case
    x = torch.round(build(spec, torch.float64) * 1024) / 1024
    shifted = x + torch.tensor(shifts, dtype=torch.float64, device=DEVICE)[:, None]
    x, shifted = x.float(), shifted.float()
    plain, moved = submission.softmax(x), submission.softmax(shifted)
    assert_close(
        moved,
        plain,
        rtol=1e-5,
        atol=1e-6,
        name=f"softmax(x + c) with row constants c = {shifts[:4]}{'…' if len(shifts) > 4 else ''} "
        f"(compared with softmax(x), {describe(x)})",
    )


LAYOUTS = ["transposed", "strided", "sliced"]


def lay_out(x, layout):
    """``x`` as a transposed copy, every other column of a wider buffer, or the left part of a wider matrix."""
    if layout == "sliced":  # row stride larger than the row: x = wide[:, :N]
        wide = torch.full((x.shape[0], x.shape[1] + 3), 1e4, dtype=x.dtype, device=x.device)
        wide[:, : x.shape[1]] = x
        return wide[:, : x.shape[1]]
    return laid_out(x, layout)


@FEW_KERNEL_RUNS
@given(spec=matrices(), layout=st.sampled_from(LAYOUTS))
def test_strided_inputs_match_float64(submission, spec, layout):
    """Rows are read through x.stride(): a kernel that assumes a row starts N elements after the previous one fails."""
    x = lay_out(build(spec, torch.float32), layout)
    check(submission, x)


@pytest.mark.points(2)
def test_the_work_happens_in_your_own_triton_kernel(submission):
    x = build({"rows": 5, "cols": 37, "spread": 1.0, "offset": 0.0, "seed": 0}, torch.float32)
    _, log = submission.call_recording("softmax", x)
    yours = assert_own_kernel(log, "softmax(x)")
    torch_work = torch_ops(log, TORCH_SOFTMAX_OPS)
    assert not torch_work, (
        f"softmax(x) launched {', '.join(yours)} but also computed with torch: {', '.join(torch_work)}; "
        "the max, exp, sum and division belong in the kernel"
    )


@pytest.mark.performance
@pytest.mark.points(0)
def test_speed_against_torch(submission, reference, performance):
    """Informational: bytes read and written per second, beside torch.softmax and the reference kernel."""
    if not ON_GPU:
        pytest.skip("no CUDA GPU: speed is measured only on a GPU")
    for rows, cols in [(8192, 8192), (4096, 4000), (16384, 1024)]:
        x = torch.randn(rows, cols, device="cuda", dtype=torch.float16)
        moved = 2 * x.numel() * x.element_size()  # each element read once and written once
        report_speed(
            performance,
            case=f"{rows} × {cols}, float16",
            unit="TB/s",
            work=moved,
            seconds=submission.call_timed("softmax", x),
            baselines={
                "torch.softmax": partial(torch.softmax, x, dim=-1),
                "the reference solution": partial(reference.softmax, x),
            },
        )
