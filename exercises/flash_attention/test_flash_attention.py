"""Tests for flash_attention: attention computed in float64 from its
definition as the oracle, sequence lengths that are not multiples of a block,
long sequences (many blocks of keys), strided inputs, causal outputs that
ignore later tokens, and a check that the learner's own Triton kernel does
the work without ever building the N × N scores.

Without a CUDA GPU the kernels run in Triton's interpreter on the CPU, at
small sizes; bfloat16 cases run only on a GPU (the interpreter computes
bfloat16 wrongly without an error).
"""

from functools import partial

import pytest
import torch
import torch.nn.functional as F
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

# (rtol, atol as a fraction of max |v|) against float64. The output is an
# average of rows of v, so its error is measured against their size. float16
# and bfloat16: the weights p are rounded to the input dtype for the p @ v
# product, and the output to the dtype. float32 on a GPU: tl.dot rounds q, k,
# p and v to TF32 (a 10-bit mantissa) by default, which moves scores of a few
# units by ~1e-3; the interpreter multiplies in true float32.
TOLERANCES = {
    torch.float16: (2e-3, 2e-3),
    torch.bfloat16: (1.6e-2, 1e-2),
    torch.float32: (1e-2, 1e-2) if ON_GPU else (1e-5, 2e-5),
}
HEAD_DIMS = [16, 32, 64, 128]
MAX_BATCH, MAX_HEADS, MAX_LEN, LONG_LENS = (2, 4, 600, (1000, 2100)) if ON_GPU else (2, 2, 100, (129, 260))
KERNEL_RUNS = kernel_runs(on_gpu=30, interpreted=15)
FEW_KERNEL_RUNS = kernel_runs(on_gpu=8, interpreted=5)
# Torch ops that would be computing attention instead of the kernel.
TORCH_ATTENTION_OPS = {"mm", "bmm", "matmul", "baddbmm", "addmm", "einsum", "_softmax", "_safe_softmax", "exp", "exp_"}


def sequence_lengths(max_len=MAX_LEN):
    """Lengths next to multiples of 16 (where blocks end), 1, and any other."""
    edges = sorted({n for m in (16, 32, 64, 128, 256, 512) for n in (m - 1, m, m + 1) if n <= max_len} | {1, 2})
    return st.one_of(st.sampled_from(edges), st.integers(1, max_len))


@st.composite
def attention_problems(draw, lengths=None, causal=None):
    """How to build random q, k, v (B, H, N, D): the sizes, causal, sm_scale, the spread of q and k, a seed."""
    return {
        "B": draw(st.integers(1, MAX_BATCH)),
        "H": draw(st.integers(1, MAX_HEADS)),
        "N": draw(lengths or sequence_lengths()),
        "D": draw(st.sampled_from(HEAD_DIMS)),
        "causal": draw(st.booleans()) if causal is None else causal,
        "sm_scale": draw(st.one_of(st.none(), st.sampled_from([0.05, 0.1, 0.3]))),
        # q and k entries of standard deviation s give scores of standard deviation s²
        # (with the default scale): from gentle to nearly one-hot weights.
        "spread": draw(st.sampled_from([0.7, 1.0, 1.5, 2.0])),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def build(spec, dtype):
    """q, k, v drawn on the CPU from the seed, in ``dtype`` on the kernel device."""
    generator = torch.Generator().manual_seed(spec["seed"])
    shape = (spec["B"], spec["H"], spec["N"], spec["D"])
    q, k = (spec["spread"] * torch.randn(shape, generator=generator, dtype=torch.float64) for _ in range(2))
    v = torch.randn(shape, generator=generator, dtype=torch.float64)
    return tuple(t.to(dtype).to(DEVICE) for t in (q, k, v))


def attention64(q, k, v, causal, sm_scale):
    """The definition in float64: softmax(q kᵀ · scale, over the keys) v, with
    query i seeing keys 0..i when causal."""
    q, k, v = q.double(), k.double(), v.double()
    scale = q.shape[-1] ** -0.5 if sm_scale is None else sm_scale
    scores = q @ k.transpose(-2, -1) * scale
    if causal:
        n = q.shape[-2]
        later = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1)
        scores = scores.masked_fill(later, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def describe(q, k, v, causal, sm_scale):
    def shape(t):
        return f"{tuple(t.shape)}" + ("" if t.is_contiguous() else f" strides {tuple(t.stride())}")

    return (
        f"flash_attention(q {shape(q)}, k {shape(k)}, v {shape(v)}, causal={causal}, sm_scale={sm_scale}), "
        f"{str(q.dtype).removeprefix('torch.')}"
    )


def check(submission, q, k, v, causal, sm_scale):
    got = submission.flash_attention(q, k, v, causal=causal, sm_scale=sm_scale)
    call = describe(q, k, v, causal, sm_scale)
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert got.dtype == q.dtype, f"{call} returned {got.dtype}, expected the inputs' dtype {q.dtype}"
    assert_no_nan(got, call)
    rtol, atol = TOLERANCES[q.dtype]
    expected = attention64(q, k, v, causal, sm_scale)
    assert_close(got, expected, check_dtype=False, rtol=rtol, atol=atol * float(v.abs().max()), name=call)


@pytest.mark.points(2)
def test_known_answers(submission):
    # Every key equal: every score of a query is equal and its weights uniform.
    # v[j] = j, so a query sees the mean of 0..N-1, or of 0..i when causal.
    n, d = 5, 16
    ones = torch.ones(1, 1, n, d, dtype=torch.float16, device=DEVICE)
    ramp = torch.arange(n, dtype=torch.float16, device=DEVICE)[:, None].expand(n, d).reshape(1, 1, n, d)
    got = submission.flash_attention(ones, ones, ramp)
    assert_close(got, torch.full_like(ramp, 2.0), name="uniform weights over v = 0, 1, 2, 3, 4: the mean 2")
    got = submission.flash_attention(ones, ones, ramp, causal=True)
    prefix_means = torch.arange(n, device=DEVICE)[:, None].expand(n, d).reshape(1, 1, n, d) / 2
    assert_close(got, prefix_means.half(), name="causal, uniform weights: query i averages v[0..i] = 0..i, i.e. i/2")
    # Query i and key i are 8·e_i: with the default scale 1/√16 query i scores
    # key i 64/4 = 16 and every other key 0, a weight e¹⁶ ≈ 9·10⁶ times larger.
    eye = 8 * torch.eye(n, d, device=DEVICE).reshape(1, 1, n, d)
    v = torch.arange(n * d, dtype=torch.float32, device=DEVICE).reshape(1, 1, n, d) / 10
    got = submission.flash_attention(eye, eye, v)
    rtol, atol = TOLERANCES[torch.float32]
    assert_close(got, v, rtol=rtol, atol=atol * 8, name="q = k = 8·I (each query picks its own key): the output is v")


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", DTYPES)
@KERNEL_RUNS
@given(spec=attention_problems())
def test_matches_float64(submission, dtype, spec):
    q, k, v = build(spec, dtype)
    check(submission, q, k, v, spec["causal"], spec["sm_scale"])


@pytest.mark.points(2)
@FEW_KERNEL_RUNS
@given(spec=attention_problems(lengths=st.integers(*LONG_LENS)))
def test_long_sequences_match_float64(submission, spec):
    """Many blocks of keys: a later block often raises a query's running maximum,
    and everything accumulated before must be rescaled."""
    q, k, v = build(spec, torch.float16)
    check(submission, q, k, v, spec["causal"], spec["sm_scale"])


LAYOUTS = ["contiguous", "tokens_major", "strided"]


def lay_out(t, layout):
    """``t`` (B, H, N, D) as stored by a model, ``(B, N, H, D)`` transposed to
    (B, H, N, D) ("tokens_major"), as every other element of a wider buffer, or contiguous."""
    if layout == "tokens_major":
        return t.transpose(1, 2).contiguous().transpose(1, 2)
    return laid_out(t, layout)


@st.composite
def strided_problems(draw):
    spec = draw(attention_problems())
    layouts = draw(st.tuples(*[st.sampled_from(LAYOUTS)] * 3).filter(lambda three: three != ("contiguous",) * 3))
    return spec, layouts


@FEW_KERNEL_RUNS
@given(case=strided_problems())
def test_strided_inputs_match_float64(submission, case):
    """q, k and v are read through their four strides: x.view(B, N, H, D).transpose(1, 2) works as is."""
    spec, layouts = case
    q, k, v = (lay_out(t, layout) for t, layout in zip(build(spec, torch.float16), layouts))
    check(submission, q, k, v, spec["causal"], spec["sm_scale"])


@st.composite
def prefixes(draw):
    spec = draw(attention_problems(lengths=sequence_lengths().filter(lambda n: n >= 2), causal=True))
    return spec, draw(st.integers(1, spec["N"] - 1))


@FEW_KERNEL_RUNS
@given(case=prefixes())
def test_causal_outputs_ignore_later_tokens(submission, case):
    """With causal=True, query i sees keys 0..i only: changing the tokens from t on
    leaves the outputs before t as they were."""
    spec, t = case
    q, k, v = build(spec, torch.float32)
    later = {**spec, "seed": spec["seed"] + 1}
    q2, k2, v2 = (torch.cat([x[:, :, :t], y[:, :, t:]], dim=2) for x, y in zip((q, k, v), build(later, torch.float32)))
    before = submission.flash_attention(q, k, v, causal=True, sm_scale=spec["sm_scale"])
    after = submission.flash_attention(q2, k2, v2, causal=True, sm_scale=spec["sm_scale"])
    assert_close(
        after[:, :, :t],
        before[:, :, :t],
        rtol=1e-5,
        atol=1e-6,
        name=f"the outputs for tokens 0..{t - 1} after changing tokens {t}..{spec['N'] - 1} (causal, N = {spec['N']})",
    )


@pytest.mark.points(2)
def test_the_work_happens_in_your_own_kernel_without_n_by_n_scores(submission):
    spec = {"B": 1, "H": 2, "N": 48, "D": 16, "causal": True, "sm_scale": None, "spread": 1.0, "seed": 0}
    q, k, v = build(spec, torch.float16)
    _, log = submission.call_recording("flash_attention", q, k, v, causal=True)
    yours = assert_own_kernel(log, "flash_attention(q, k, v)")
    torch_work = torch_ops(log, TORCH_ATTENTION_OPS, containing=("scaled_dot_product",))
    assert not torch_work, (
        f"flash_attention launched {', '.join(yours)} but torch computed attention too: {', '.join(torch_work)}; "
        "the scores, the softmax and p @ v belong in the kernel"
    )
    scores = sorted({shape for _, shape in log.tensors if shape[-2:] == (48, 48)})
    assert not scores, (
        f"flash_attention(q, k, v) with N = 48 created tensors of shape {scores}: N × N scores in memory, "
        "which FlashAttention exists to avoid; keep each block of scores inside the kernel"
    )


@pytest.mark.performance
@pytest.mark.points(0)
def test_speed_against_torch(submission, reference, performance):
    """Informational: TFLOP/s (4·B·H·N²·D, halved when causal) beside torch's
    scaled_dot_product_attention and the reference kernel."""
    if not ON_GPU:
        pytest.skip("no CUDA GPU: speed is measured only on a GPU")
    for b, h, n, d, causal in [(4, 32, 4096, 64, False), (4, 32, 4096, 64, True), (4, 32, 4096, 128, False)]:
        q, k, v = (torch.randn(b, h, n, d, device="cuda", dtype=torch.float16) for _ in range(3))
        report_speed(
            performance,
            case=f"B {b}, H {h}, N {n}, D {d}, float16" + (", causal" if causal else ""),
            unit="TFLOP/s",
            work=4 * b * h * n * n * d / (2 if causal else 1),
            seconds=submission.call_timed("flash_attention", q, k, v, causal=causal),
            baselines={
                "torch.nn.functional.scaled_dot_product_attention": partial(
                    F.scaled_dot_product_attention, q, k, v, is_causal=causal
                ),
                "the reference solution": partial(reference.flash_attention, q, k, v, causal=causal),
            },
        )
