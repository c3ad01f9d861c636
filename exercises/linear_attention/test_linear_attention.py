"""Tests for linear_attention: the explicit O(T²) formula in float64 as the oracle, the
recurrent and parallel forms against each other, causality and key order as metamorphic
relations, the shapes of the tensors a call creates (never T × S), and a sequence too long
for a T × T matrix to fit in memory."""

import math

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FULL = (torch.float32, torch.float64)
RTOL = {torch.float32: 1e-5, torch.float64: 1e-10}
LAYOUTS = ("contiguous", "transposed", "strided")
LONG = 20_000  # a T × T matrix of float64 at this length is 3.2 GB, over the 1 GB limit


def randn(generator, *shape, scale=1.0):
    return scale * torch.randn(shape, generator=generator, dtype=torch.float64)


@st.composite
def attention_inputs(draw, causal=None, max_length=12):
    """A dict of q (B, H, T, D), k (B, H, S, D), v (B, H, S, Dv), causal and eps (None: the
    default), from a drawn seed: T from 1 (often below 4), S = T when causal, Dv often not D,
    one memory layout. Entries of q and k stay above about -16: below that, float32
    elu(x) + 1 rounds e^x to 0, and the standard implementation is not wrong for it."""
    dtype = draw(st.sampled_from(FULL))
    causal = draw(st.booleans()) if causal is None else causal
    b, h = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    t = draw(st.one_of(st.integers(1, 3), st.integers(1, max_length)))
    s = t if causal else draw(st.one_of(st.just(t), st.integers(1, max_length)))
    d, dv = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    scale = draw(st.sampled_from([0.3, 1.0, 3.0]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(LAYOUTS))

    def tensor(*shape, scale=1.0):
        return laid_out(randn(generator, *shape, scale=scale).to(dtype), layout)

    return {
        "q": tensor(b, h, t, d, scale=scale),
        "k": tensor(b, h, s, d, scale=scale),
        "v": tensor(b, h, s, dv),
        "causal": causal,
        "eps": draw(st.sampled_from([None, 1e-6, 0.1, 1.0])),
    }


def keywords(case, causal=True):
    """The keyword arguments of a call: causal (for linear_attention) and eps when not the default."""
    options = {"causal": case["causal"]} if causal else {}
    return options if case["eps"] is None else {**options, "eps": case["eps"]}


def describe(function, case, causal=True):
    q, k, v = case["q"], case["k"], case["v"]
    options = "".join(f", {key}={value}" for key, value in keywords(case, causal).items())
    return f"{function}(q {list(q.shape)}, k {list(k.shape)}, v {list(v.shape)}{options}) in {q.dtype}"


def phi(x):
    """elu(x) + 1, written out: x + 1 above 0, e^x at or below."""
    return torch.where(x > 0, x + 1, torch.exp(x))


def explicit_attention(q, k, v, causal, eps):
    """The O(T·S) definition in float64: out_i = Σ_j A_ij v_j / (Σ_j A_ij + eps) with
    A_ij = φ(q_i)·φ(k_j), over j <= i when causal."""
    eps = 1e-6 if eps is None else eps
    scores = phi(q.double()) @ phi(k.double()).transpose(-1, -2)
    if causal:
        scores = scores.tril()
    return (scores @ v.double()) / (scores.sum(dim=-1, keepdim=True) + eps)


def close(got, expected, values, name):
    """The dtype's rtol and an atol relative to the largest |v|: each output is a weighted
    average of the values (shrunk towards 0 by eps), so its rounding is relative to them."""
    rtol = RTOL[values.dtype]
    size = float(values.double().abs().max())
    largest = float(expected.double().abs().max())
    cancellation = size / largest if largest > 0 else 1.0
    assert_close(got, expected, rtol=rtol, atol=4 * rtol * size, rel_norm=4 * rtol * max(1.0, cancellation), name=name)


def check_output(got, call, q, v):
    """A tensor of shape (B, H, T, Dv) in q's dtype."""
    shape = [*q.shape[:-1], v.shape[-1]]
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert list(got.shape) == shape, f"{call} returned shape {list(got.shape)}, expected {shape} (B, H, T, Dv)"
    assert got.dtype == q.dtype, f"{call} returned dtype {got.dtype}, expected {q.dtype} (the input's)"


@pytest.mark.points(2)
def test_worked_example(submission):
    # φ(k) = [1, 1/2] and [3, 1]; φ(q) = [1, 1] and [2, 1] (elu(x) + 1 is x + 1 above 0, e^x below).
    q = torch.tensor([[[[0.0, 0.0], [1.0, 0.0]]]], dtype=torch.float64)
    k = torch.tensor([[[[0.0, -math.log(2)], [2.0, 0.0]]]], dtype=torch.float64)
    v = torch.tensor([[[[2.0, 0.0], [5.0, 1.0]]]], dtype=torch.float64)
    # S = Σ φ(k_j) v_jᵀ = [[17, 3], [6, 1]], z = Σ φ(k_j) = [4, 1.5]:
    # out_0 = [23, 4] / (5.5 + eps), out_1 = [40, 7] / (9.5 + eps).
    # Causal: query 0 sees key 0 only, so out_0 = v_0 · 1.5 / (1.5 + eps).
    cases = [
        ({}, [[23 / (5.5 + 1e-6), 4 / (5.5 + 1e-6)], [40 / (9.5 + 1e-6), 7 / (9.5 + 1e-6)]]),
        ({"eps": 1.0}, [[23 / 6.5, 4 / 6.5], [40 / 10.5, 7 / 10.5]]),
        ({"causal": True}, [[2 * 1.5 / (1.5 + 1e-6), 0.0], [40 / (9.5 + 1e-6), 7 / (9.5 + 1e-6)]]),
        ({"causal": True, "eps": 1.0}, [[2 * 1.5 / 2.5, 0.0], [40 / 10.5, 7 / 10.5]]),
    ]
    for options, rows in cases:
        expected = torch.tensor([[rows]], dtype=torch.float64)
        shown = "".join(f", {key}={value}" for key, value in options.items())
        call = f"linear_attention(q, k, v{shown}) for the README's example"
        got = submission.linear_attention(q, k, v, **options)
        check_output(got, call, q, v)
        assert_close(got, expected, name=call)
        if options.get("causal"):
            eps = {"eps": options["eps"]} if "eps" in options else {}
            got = submission.linear_attention_recurrent(q, k, v, **eps)
            call = f"linear_attention_recurrent(q, k, v{''.join(f', eps={e}' for e in eps.values())}) for the README's example"
            check_output(got, call, q, v)
            assert_close(got, expected, name=call)


@pytest.mark.points(2)
@given(case=attention_inputs())
def test_matches_the_explicit_quadratic_formula(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    got = submission.linear_attention(q, k, v, **keywords(case))
    call = describe("linear_attention", case)
    check_output(got, call, q, v)
    expected = explicit_attention(q, k, v, case["causal"], case["eps"]).to(q.dtype)
    close(got, expected, v, f"{call}, against Σ_j φ(q_i)·φ(k_j) v_j / (Σ_j φ(q_i)·φ(k_j) + eps) in float64")


@pytest.mark.points(2)
@given(case=attention_inputs(causal=True))
def test_recurrent_matches_the_explicit_causal_formula(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    got = submission.linear_attention_recurrent(q, k, v, **keywords(case, causal=False))
    call = describe("linear_attention_recurrent", case, causal=False)
    check_output(got, call, q, v)
    expected = explicit_attention(q, k, v, True, case["eps"]).to(q.dtype)
    close(got, expected, v, f"{call}, against the causal formula over keys j <= i in float64")


@pytest.mark.points(2)
@given(case=attention_inputs(causal=True))
def test_causal_parallel_form_equals_the_recurrent_form(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    parallel = submission.linear_attention(q, k, v, **keywords(case))
    recurrent = submission.linear_attention_recurrent(q, k, v, **keywords(case, causal=False))
    check_output(parallel, describe("linear_attention", case), q, v)
    close(parallel, recurrent, v,
          f"{describe('linear_attention', case)} against linear_attention_recurrent on the same inputs: "
          f"the prefix sums and the RNN state are the same numbers")  # fmt: skip


@st.composite
def inputs_and_key_order(draw):
    case = draw(attention_inputs(causal=False))
    return case, draw(st.permutations(range(case["k"].shape[2])))


@given(case_and_order=inputs_and_key_order())
def test_noncausal_output_ignores_the_order_of_the_keys(submission, case_and_order):
    case, order = case_and_order
    q, k, v = case["q"], case["k"], case["v"]
    original = submission.linear_attention(q, k, v, **keywords(case))
    shuffled = submission.linear_attention(q, k[:, :, order], v[:, :, order], **keywords(case))
    close(shuffled, original, v,
          f"{describe('linear_attention', case)} with keys and values reordered as {list(order)}, against the "
          f"original order: without a mask, the sums over keys do not depend on their order")  # fmt: skip


@st.composite
def inputs_and_new_future(draw):
    """A causal case with T >= 2, a cut 1 <= c < T, and other keys and values from c on."""
    case = draw(attention_inputs(causal=True).filter(lambda case: case["q"].shape[2] >= 2))
    k, v = case["k"], case["v"]
    cut = draw(st.integers(1, k.shape[2] - 1))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    new_k, new_v = k.clone(), v.clone()
    new_k[:, :, cut:] = randn(generator, *k[:, :, cut:].shape, scale=3.0).to(k.dtype)
    new_v[:, :, cut:] = randn(generator, *v[:, :, cut:].shape, scale=3.0).to(v.dtype)
    return case, cut, new_k, new_v


@given(case_and_future=inputs_and_new_future())
def test_causal_output_ignores_the_future(submission, case_and_future):
    case, cut, new_k, new_v = case_and_future
    q, k, v = case["q"], case["k"], case["v"]
    original = submission.linear_attention(q, k, v, **keywords(case))
    changed = submission.linear_attention(q, new_k, new_v, **keywords(case))
    close(changed[:, :, :cut], original[:, :, :cut], v,
          f"the first {cut} outputs of {describe('linear_attention', case)} after changing the keys and values from "
          f"position {cut} on: query i may only see keys j <= i")  # fmt: skip


RECORDED_T, RECORDED_S = 48, 40  # sizes no other dimension of these inputs has


@st.composite
def recorded_inputs(draw):
    """q (1, 2, 48, 8), k (1, 2, S, 8), v (1, 2, S, 4) with S = 40, or 48 when causal."""
    causal = draw(st.booleans())
    s = RECORDED_T if causal else RECORDED_S
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from(FULL))
    q, k, v = (randn(generator, 1, 2, n, d).to(dtype) for n, d in ((RECORDED_T, 8), (s, 8), (s, 4)))
    return {"q": q, "k": k, "v": v, "causal": causal, "eps": None}


def is_a_score_matrix(shape, t, s):
    """Whether a tensor of this shape has a dimension of length T and another of length S."""
    rest = list(shape)
    for length in (t, s):
        if length not in rest:
            return False
        rest.remove(length)
    return True


@pytest.mark.points(2)
# Each recorded call runs under a dispatch mode; a few cases show what the code builds.
@settings(max_examples=4, phases=[Phase.explicit, Phase.generate])
@given(case=recorded_inputs())
def test_never_builds_a_matrix_of_scores(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    got, log = submission.call_recording("linear_attention", q, k, v, causal=case["causal"])
    call = describe("linear_attention", case)
    check_output(got, call, q, v)
    t, s = q.shape[2], k.shape[2]
    quadratic = sorted((op, shape) for op, shape in log.tensors if is_a_score_matrix(shape, t, s))
    assert not quadratic, (
        f"{call} created a tensor of shape {list(quadratic[0][1])} (by {quadratic[0][0]}): one entry per query "
        f"and key, a T × S matrix (T = {t}, S = {s}). Linear attention computes Σ_j φ(k_j) v_jᵀ and Σ_j φ(k_j) "
        f"first, so the cost grows with T, not T · S"
    )


@st.composite
def long_inputs(draw):
    """One sequence of LONG tokens in float64: q, k (1, 1, LONG, 8), v (1, 1, LONG, 4)."""
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q, k, v = randn(generator, 1, 1, LONG, 8), randn(generator, 1, 1, LONG, 8), randn(generator, 1, 1, LONG, 4)
    return {"q": q, "k": k, "v": v}


def prefix_sum_attention(q, k, v, causal):
    """The same formula through running sums, in float64: O(T·D·Dv), not O(T²)."""
    phi_q, phi_k = phi(q), phi(k)
    outer = phi_k[..., :, None] * v[..., None, :]  # (..., T, D, Dv)
    S = outer.cumsum(dim=-3) if causal else outer.sum(dim=-3, keepdim=True)
    z = phi_k.cumsum(dim=-2) if causal else phi_k.sum(dim=-2, keepdim=True)
    numerator = (phi_q[..., :, None] * S).sum(dim=-2)
    return numerator / ((phi_q * z).sum(dim=-1, keepdim=True) + 1e-6)


@pytest.mark.points(2)
# Long inputs: a few, not shrunk.
@settings(max_examples=3, phases=[Phase.explicit, Phase.generate])
@given(case=long_inputs())
def test_long_sequences_never_build_a_t_by_t_matrix(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    for causal in (False, True):
        got = submission.linear_attention(q, k, v, causal=causal)
        call = f"linear_attention(q, k, v, causal={causal}) for {LONG} tokens"
        check_output(got, call, q, v)
        close(got, prefix_sum_attention(q, k, v, causal), v, f"{call}, against running sums in float64")


@given(case=attention_inputs())
def test_inputs_are_left_unchanged(submission, case):
    q, k, v = case["q"], case["k"], case["v"]
    copies = [t.clone() for t in (q, k, v)]
    submission.linear_attention(*copies, **keywords(case))
    if case["causal"]:
        submission.linear_attention_recurrent(*copies, **keywords(case, causal=False))
    for name, before, after in zip("qkv", (q, k, v), copies):
        assert torch.equal(before, after), (
            f"linear_attention or linear_attention_recurrent changed its argument {name} in place: "
            f"compute into new tensors instead"
        )
