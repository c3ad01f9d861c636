"""Tests for performer: the feature formula and the attention it defines in float64 as
oracles, positivity, torch's softmax attention as the limit when the random features are
many, metamorphic relations on the projection and the keys, and the shapes of the tensors
a call creates (never T × S)."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FULL = (torch.float32, torch.float64)
LAYOUTS = ("contiguous", "transposed", "strided")
RTOL = {torch.float32: 1e-5, torch.float64: 1e-10}


def randn(generator, *shape, scale=1.0):
    return scale * torch.randn(shape, generator=generator, dtype=torch.float64)


def features_in_float64(x, projection):
    """exp(ω_m·x − ‖x‖²/2) / √M, one feature at a time, in float64."""
    x, projection = x.double(), projection.double()
    columns = [torch.exp((x * omega).sum(dim=-1) - (x * x).sum(dim=-1) / 2) for omega in projection]
    return torch.stack(columns, dim=-1) / math.sqrt(projection.shape[0])


def attention_in_float64(q, k, v, projection):
    """The T × S weights φ(q_i')·φ(k_j') with q' = q / D^(1/4), k' = k / D^(1/4), each row
    normalised to sum to 1, times v: the quadratic form of what performer_attention computes."""
    scale = q.shape[-1] ** -0.25
    weights = features_in_float64(q * scale, projection) @ features_in_float64(k * scale, projection).transpose(-1, -2)
    return (weights / weights.sum(dim=-1, keepdim=True)) @ v.double()


def exponent_size(x, projection):
    """The largest |ω·x| + ‖x‖²/2 summed term by term: what the rounding of the exponent is relative to."""
    x, projection = x.double().abs(), projection.double().abs()
    return float((x @ projection.transpose(-1, -2) + (x * x).sum(dim=-1, keepdim=True) / 2).max())


@st.composite
def feature_inputs(draw):
    """(x (..., T, D), projection (M, D)): 0 to 2 leading dimensions, T from 1, D from 1 to 8,
    M from 1 to 32, ω ~ N(0, I), in a drawn dtype and memory layout."""
    dtype = draw(st.sampled_from(FULL))
    leading = draw(st.lists(st.integers(1, 3), max_size=2))
    t, d, m = draw(st.integers(1, 6)), draw(st.integers(1, 8)), draw(st.integers(1, 32))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.3, 1.0, 2.0]))
    layout = draw(st.sampled_from(LAYOUTS))
    x = laid_out(randn(generator, *leading, t, d, scale=scale).to(dtype), layout)
    return x, laid_out(randn(generator, m, d).to(dtype), layout)


@st.composite
def attention_inputs(draw):
    """(q (B, H, T, D), k (B, H, S, D), v (B, H, S, Dv), projection (M, D)): S may differ from
    T, Dv from D, in a drawn dtype and memory layout."""
    dtype = draw(st.sampled_from(FULL))
    b, h = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    t, s = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    d, dv, m = draw(st.integers(1, 8)), draw(st.integers(1, 5)), draw(st.integers(1, 32))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.3, 1.0, 2.0]))
    layout = draw(st.sampled_from(LAYOUTS))

    def tensor(*shape, scale=1.0):
        return laid_out(randn(generator, *shape, scale=scale).to(dtype), layout)

    return tensor(b, h, t, d, scale=scale), tensor(b, h, s, d, scale=scale), tensor(b, h, s, dv), tensor(m, d)


def describe_features(x, projection):
    return f"favor_features(x {list(x.shape)}, projection {list(projection.shape)}) in {x.dtype}"


def describe_attention(q, k, v, projection):
    return (
        f"performer_attention(q {list(q.shape)}, k {list(k.shape)}, v {list(v.shape)}, "
        f"projection {list(projection.shape)}) in {q.dtype}"
    )


def check_tensor(got, call, shape, dtype):
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert list(got.shape) == list(shape), f"{call} returned shape {list(got.shape)}, expected {list(shape)}"
    assert got.dtype == dtype, f"{call} returned dtype {got.dtype}, expected {dtype} (the input's)"


def close_to_attention(got, expected, v, name):
    """The dtype's rtol and an atol relative to the largest |v|: each output is a weighted
    average of the values."""
    rtol = RTOL[v.dtype]
    size = float(v.double().abs().max())
    largest = float(expected.double().abs().max())
    cancellation = size / largest if largest > 0 else 1.0
    assert_close(got, expected, rtol=rtol, atol=4 * rtol * size, rel_norm=4 * rtol * max(1.0, cancellation), name=name)


@pytest.mark.points(2)
def test_worked_example(submission):
    x = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    projection = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    got = submission.favor_features(x, projection)
    # ω·x − ‖x‖²/2 = 0.5, −0.5, −1.5; divided by √3.
    expected = torch.tensor([[math.exp(0.5), math.exp(-0.5), math.exp(-1.5)]], dtype=torch.float64) / math.sqrt(3)
    call = "favor_features([[1, 0]], [[1, 0], [0, 1], [-1, 0]])"
    check_tensor(got, call, (1, 3), torch.float64)
    assert_close(got, expected, name=call)

    # D = 4, so q and k are scaled by 4^(-1/4) = 1/√2: q' = [√2, 0, 0, 0], k'_0 = [0, √2, 0, 0],
    # k'_1 = q'. With ω = √2·e_1 and √2·e_2 the exponents are ±1: φ(q') = [e, 1/e] / √2,
    # φ(k'_0) = [1/e, e] / √2, so the weights are 1 and cosh(2). With v = I the output
    # is the row of normalised weights.
    q = torch.tensor([[[[2.0, 0.0, 0.0, 0.0]]]], dtype=torch.float64)
    k = torch.tensor([[[[0.0, 2.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]]]], dtype=torch.float64)
    v = torch.eye(2, dtype=torch.float64)[None, None]
    projection = math.sqrt(2) * torch.eye(4, dtype=torch.float64)[:2]
    got = submission.performer_attention(q, k, v, projection)
    total = 1 + math.cosh(2)
    expected = torch.tensor([[[[1 / total, math.cosh(2) / total]]]], dtype=torch.float64)  # [0.2100, 0.7900]
    call = "performer_attention(q, k, I, projection) of the README's example"
    check_tensor(got, call, (1, 1, 1, 2), torch.float64)
    assert_close(got, expected, name=call)


@pytest.mark.points(2)
@given(case=feature_inputs())
def test_features_match_the_formula(submission, case):
    x, projection = case
    got = submission.favor_features(x, projection)
    call = describe_features(x, projection)
    check_tensor(got, call, (*x.shape[:-1], projection.shape[0]), x.dtype)
    expected = features_in_float64(x, projection).to(x.dtype)
    # exp turns an absolute error in the exponent into a relative one in the feature.
    rtol = RTOL[x.dtype] * max(1.0, exponent_size(x, projection))
    assert_close(got, expected, rtol=rtol, atol=0.0, name=f"{call}, against exp(ω·x − ‖x‖²/2) / √M in float64")


@given(case=feature_inputs())
def test_features_are_positive(submission, case):
    x, projection = case
    got = submission.favor_features(x, projection)
    call = describe_features(x, projection)
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    if not bool((got > 0).all()):
        index = tuple(int(i) for i in (got > 0).logical_not().nonzero()[0])
        raise AssertionError(
            f"{call} returned {float(got[index]):.4g} at index {index}: every feature must be positive. "
            f"Features that can be negative (sin and cos) make the weights φ(q)·φ(k) negative and the "
            f"normaliser Σ_j φ(q)·φ(k_j) close to 0"
        )


@st.composite
def features_and_row_order(draw):
    x, projection = draw(feature_inputs())
    return x, projection, draw(st.permutations(range(projection.shape[0])))


@given(case=features_and_row_order())
def test_reordering_the_projection_reorders_the_features(submission, case):
    x, projection, order = case
    original = submission.favor_features(x, projection)
    reordered = submission.favor_features(x, projection[order])
    assert_close(reordered, original[..., order],
                 name=f"{describe_features(x, projection)} with the projection's rows reordered as {list(order)}, "
                      f"against the original features in that order")  # fmt: skip


@pytest.mark.points(2)
@given(case=attention_inputs())
def test_attention_matches_the_formula_for_a_given_projection(submission, case):
    q, k, v, projection = case
    got = submission.performer_attention(q, k, v, projection)
    call = describe_attention(q, k, v, projection)
    check_tensor(got, call, (*q.shape[:-1], v.shape[-1]), q.dtype)
    expected = attention_in_float64(q, k, v, projection).to(q.dtype)
    close_to_attention(got, expected, v,
                       f"{call}, against the weights φ(q_i / D^(1/4))·φ(k_j / D^(1/4)), normalised, in float64")  # fmt: skip


@given(case=attention_inputs())
def test_repeating_the_projection_changes_no_output(submission, case):
    # [Ω; Ω] gives each weight twice, and 1/√(2M) instead of 1/√M: the normalisation cancels both.
    q, k, v, projection = case
    once = submission.performer_attention(q, k, v, projection)
    twice = submission.performer_attention(q, k, v, torch.cat([projection, projection]))
    close_to_attention(twice, once, v,
                       f"{describe_attention(q, k, v, projection)} with the projection's rows repeated twice, "
                       f"against the projection once")  # fmt: skip


@st.composite
def attention_and_key_order(draw):
    q, k, v, projection = draw(attention_inputs())
    return q, k, v, projection, draw(st.permutations(range(k.shape[2])))


@given(case=attention_and_key_order())
def test_reordering_the_keys_changes_nothing(submission, case):
    q, k, v, projection, order = case
    original = submission.performer_attention(q, k, v, projection)
    shuffled = submission.performer_attention(q, k[:, :, order], v[:, :, order], projection)
    close_to_attention(shuffled, original, v,
                       f"{describe_attention(q, k, v, projection)} with keys and values reordered as {list(order)}, "
                       f"against the original order")  # fmt: skip


# Fixed cases, so the estimate's randomness cannot make a correct answer fail: queries and
# keys with |q / D^(1/4)| and |k / D^(1/4)| from 0.3 to 0.9, where the positive features'
# variance is moderate (it grows as e^|q' + k'|²), and different, so a factor that depends
# on a key's norm does not cancel.
CONVERGENCE_SEEDS = range(6)
FEW, MANY = 16, 65_536
CONVERGED = 0.01  # the largest error of a weight allowed with MANY features (the reference: 0.0028 at most)


def convergence_case(seed):
    """q (1, 2, 4, D), k (1, 2, 6, D), v = I (so the outputs are the attention weights) and
    projections of FEW and MANY rows, from a fixed seed; D = 2, 4 or 8."""
    generator = torch.Generator().manual_seed(seed)
    d = (2, 4, 8)[seed % 3]

    def vectors(n):
        x = randn(generator, 1, 2, n, d)
        radius = 0.3 + 0.6 * torch.rand(1, 2, n, 1, generator=generator, dtype=torch.float64)
        return radius * d**0.25 * x / x.norm(dim=-1, keepdim=True)

    q, k = vectors(4), vectors(6)
    v = torch.eye(6, dtype=torch.float64).expand(1, 2, 6, 6)
    return q, k, v, randn(generator, FEW, d), randn(generator, MANY, d)


@pytest.mark.points(2)
def test_many_random_features_approach_softmax_attention(submission):
    for seed in CONVERGENCE_SEEDS:
        q, k, v, few, many = convergence_case(seed)
        exact = F.scaled_dot_product_attention(q, k, v)  # softmax(q kᵀ / √D): the attention weights
        errors = {}
        for projection in (few, many):
            got = submission.performer_attention(q, k, v, projection)
            call = describe_attention(q, k, v, projection)
            check_tensor(got, call, exact.shape, torch.float64)
            errors[projection.shape[0]] = float((got - exact).abs().max())
        assert errors[MANY] < CONVERGED, (
            f"{describe_attention(q, k, v, many)} with ω ~ N(0, I) and v = I is off from the softmax attention "
            f"weights (F.scaled_dot_product_attention) by up to {errors[MANY]:.3g}; with {MANY} random features "
            f"the estimate should be within {CONVERGED}. φ(q')·φ(k') must estimate exp(q·k / √D): are q and k "
            f"scaled by D^(-1/4) (D = {q.shape[-1]}), and is each exponent ω·x − ‖x‖²/2?"
        )
        assert errors[MANY] < errors[FEW] / 4, (
            f"with {FEW} random features performer_attention is off from softmax attention by {errors[FEW]:.3g}, "
            f"with {MANY} by {errors[MANY]:.3g}: the error should shrink as the features grow in number "
            f"(about as 1/√M)"
        )


RECORDED_T, RECORDED_S, RECORDED_M = 48, 40, 12  # sizes no other dimension of these inputs has


def is_a_score_matrix(shape):
    """Whether a tensor of this shape has a dimension of length T and another of length S."""
    rest = list(shape)
    for length in (RECORDED_T, RECORDED_S):
        if length not in rest:
            return False
        rest.remove(length)
    return True


@pytest.mark.points(2)
# Each recorded call runs under a dispatch mode; a few cases show what the code builds.
@settings(max_examples=4, phases=[Phase.explicit, Phase.generate])
@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(FULL))
def test_never_builds_a_matrix_of_scores(submission, seed, dtype):
    generator = torch.Generator().manual_seed(seed)
    q, k = randn(generator, 1, 2, RECORDED_T, 8).to(dtype), randn(generator, 1, 2, RECORDED_S, 8).to(dtype)
    v, projection = randn(generator, 1, 2, RECORDED_S, 4).to(dtype), randn(generator, RECORDED_M, 8).to(dtype)
    got, log = submission.call_recording("performer_attention", q, k, v, projection)
    call = describe_attention(q, k, v, projection)
    check_tensor(got, call, (1, 2, RECORDED_T, 4), dtype)
    quadratic = sorted((op, shape) for op, shape in log.tensors if is_a_score_matrix(shape))
    assert not quadratic, (
        f"{call} created a tensor of shape {list(quadratic[0][1])} (by {quadratic[0][0]}): one entry per query "
        f"and key, a T × S matrix (T = {RECORDED_T}, S = {RECORDED_S}). Compute Σ_j φ(k_j) v_jᵀ (M × Dv) and "
        f"Σ_j φ(k_j) first, as linear attention does: that is what makes the Performer linear in T"
    )


@given(case=attention_inputs())
def test_inputs_are_left_unchanged(submission, case):
    copies = [t.clone() for t in case]
    submission.favor_features(copies[0], copies[3])
    submission.performer_attention(*copies)
    for name, before, after in zip(("q", "k", "v", "projection"), case, copies):
        assert torch.equal(before, after), (
            f"favor_features or performer_attention changed its argument {name} in place: "
            f"compute into new tensors instead"
        )
