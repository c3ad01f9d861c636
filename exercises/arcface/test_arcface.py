"""Tests for arcface: a float64 oracle written from the formula with Python
floats, the README's hand example, and the properties of the margin."""

import math

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out


def oracle(embeddings, weight, labels, s, m, easy_margin):
    """The logits from the definition, one entry at a time in Python floats.

    Also returns the cosines, so tests can tell which case each target fell in.
    """
    units = []
    for rows in (embeddings.double().tolist(), weight.double().tolist()):
        units.append([[value / math.sqrt(math.fsum(v * v for v in row)) for value in row] for row in rows])
    cosines = [[math.fsum(a * b for a, b in zip(e, w)) for w in units[1]] for e in units[0]]
    logits = []
    for row, label in zip(cosines, labels.tolist()):
        out = [s * cos for cos in row]
        cos = max(-1.0, min(1.0, row[label]))
        if easy_margin and cos <= 0:
            phi = cos
        elif not easy_margin and cos <= math.cos(math.pi - m):
            phi = cos - m * math.sin(m)
        else:
            theta = math.acos(cos)
            phi = math.cos(theta + m)
        out[label] = s * phi
        logits.append(out)
    return torch.tensor(logits, dtype=torch.float64), torch.tensor(cosines, dtype=torch.float64)


def tolerance(dtype, s):
    """In units of s: float32 cosines carry ~1e-7 rounding, and sin θ = √(1 - cos²θ)
    magnifies it to ~3e-4 when θ is near 0 or π. No relative-norm bound: the
    elementwise atol covers logits near 0."""
    atol = (1e-3 if dtype == torch.float32 else 1e-6) * s
    return {"rtol": 1e-4 if dtype == torch.float32 else 1e-7, "atol": atol, "rel_norm": math.inf}


@st.composite
def arcface_inputs(draw, margins=(0.0, 0.1, 0.5, 0.5, 0.8, 1.2)):
    """(embeddings, weight, labels, s, m, easy_margin): low dimensions so that every
    angle occurs, rows of lengths from 0.01 to 100, in a drawn memory layout."""
    batch, classes, dim = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(2, 6))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))

    def rows(count):
        lengths = 10 ** (4 * torch.rand(count, 1, generator=generator, dtype=torch.float64) - 2)
        return torch.randn(count, dim, generator=generator, dtype=torch.float64) * lengths

    embeddings, weight = rows(batch), rows(classes)
    labels = torch.randint(0, classes, (batch,), generator=generator)
    s = draw(st.sampled_from([1.0, 30.0, 64.0]))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    embeddings, weight = laid_out(embeddings.to(dtype), layout), laid_out(weight.to(dtype), layout)
    return embeddings, weight, labels, s, draw(st.sampled_from(margins)), draw(st.booleans())


def call(submission, embeddings, weight, labels, s, m, easy_margin):
    got = submission.arcface_logits(embeddings, weight, labels, s, m, easy_margin)
    assert isinstance(got, torch.Tensor) and got.shape == (embeddings.shape[0], weight.shape[0]), (
        f"arcface_logits returned {type(got).__name__} of shape {list(getattr(got, 'shape', []))}, "
        f"expected a tensor of shape {[embeddings.shape[0], weight.shape[0]]}"
    )
    return got


def described(embeddings, weight, labels, s, m, easy_margin):
    return (
        f"arcface_logits(embeddings {list(embeddings.shape)} {embeddings.dtype}, weight {list(weight.shape)}, "
        f"labels {labels.tolist()}, s={s}, m={m}, easy_margin={easy_margin})"
    )


def away_from_boundaries(cosines, labels, m, easy_margin):
    """True when no target cosine is within rounding of the point where φ switches formula."""
    switch = 0.0 if easy_margin else math.cos(math.pi - m)
    return all(abs(cosines[b, label].item() - switch) > 1e-5 for b, label in enumerate(labels.tolist()))


@pytest.mark.points(2)
def test_known_answers(submission):
    weight = torch.tensor([[2.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    embeddings = torch.tensor([[3.0, 4.0], [-4.0, -3.0], [-4.0, 1.0]], dtype=torch.float64)
    labels = torch.tensor([0, 0, 0])
    c, sn = math.cos(0.5), math.sin(0.5)
    r17 = math.sqrt(17)
    hard = [
        [64 * (0.6 * c - 0.8 * sn), 64 * 0.8],  # cos θ = 3/5: cos(θ + m)
        [64 * (-0.8 * c - 0.6 * sn), 64 * -0.6],  # cos θ = -0.8 > cos(π - 0.5): still cos(θ + m)
        [64 * (-4 / r17 - 0.5 * sn), 64 * 1 / r17],  # cos θ = -0.970 <= -0.878: the fallback
    ]
    easy = [hard[0], [64 * -0.8, 64 * -0.6], [64 * -4 / r17, 64 / r17]]  # cos θ <= 0 kept
    for easy_margin, expected in ((False, hard), (True, easy)):
        for dtype in (torch.float64, torch.float32):
            got = submission.arcface_logits(embeddings.to(dtype), weight.to(dtype), labels, 64.0, 0.5, easy_margin)
            assert_close(
                got,
                torch.tensor(expected, dtype=torch.float64).to(dtype),
                name=f"arcface_logits of the README example in {dtype} (easy_margin={easy_margin})",
                **tolerance(dtype, 64.0),
            )


@pytest.mark.points(2)
@given(case=arcface_inputs())
def test_logits_match_a_float64_formula(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    expected, cosines = oracle(*case)
    assume(away_from_boundaries(cosines, labels, m, easy_margin))
    got = call(submission, *case)
    assert_close(got, expected.to(embeddings.dtype),
                 name=described(*case), **tolerance(embeddings.dtype, s))  # fmt: skip


def target_mask(labels, classes):
    return torch.nn.functional.one_hot(labels, classes).bool()


@given(case=arcface_inputs())
def test_non_target_logits_are_scaled_cosines(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    got = call(submission, *case).double()
    _, cosines = oracle(*case)
    others = ~target_mask(labels, weight.shape[0])
    assert_close(got[others], s * cosines[others], name=f"the non-target logits of {described(*case)} (should be s·cos θ)",
                 **tolerance(embeddings.dtype, s))  # fmt: skip


@given(case=arcface_inputs())
def test_margin_never_raises_the_target_logit(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    got = call(submission, *case).double()
    _, cosines = oracle(*case)
    rows = torch.arange(len(labels))
    target, plain = got[rows, labels], s * cosines[rows, labels]
    slack = tolerance(embeddings.dtype, s)["atol"]
    assert (target <= plain + slack).all(), (
        f"{described(*case)}: target logits {target.tolist()} exceed s·cos θ = {plain.tolist()}; "
        "a margin must make the target class harder, never easier"
    )


@given(case=arcface_inputs(margins=(0.0,)))
def test_zero_margin_gives_scaled_cosines(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    got = call(submission, *case)
    _, cosines = oracle(*case)
    assert_close(got, (s * cosines).to(embeddings.dtype), name=f"{described(*case)} (m = 0: every logit is s·cos θ)",
                 **tolerance(embeddings.dtype, s))  # fmt: skip


@st.composite
def targets_along_their_centres(draw, sign=1.0, margins=(0.0, 0.1, 0.5, 0.8, 1.2)):
    """Every embedding is its class centre times a positive (sign=1) or negative (sign=-1) factor."""
    embeddings, weight, labels, s, _, easy_margin = draw(arcface_inputs())
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    factors = sign * (0.1 + 10 * torch.rand(len(labels), 1, generator=generator, dtype=torch.float64))
    embeddings = (weight[labels].double() * factors).to(weight.dtype)
    return embeddings, weight, labels, s, draw(st.sampled_from(margins)), easy_margin


@pytest.mark.points(2)
@given(case=targets_along_their_centres(sign=1.0))
def test_embedding_along_its_class_centre_gets_cos_m(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    got = call(submission, *case)
    rows = torch.arange(len(labels))
    target = got[rows, labels]
    assert torch.isfinite(got).all(), (
        f"{described(*case)} returned {got.tolist()} for embeddings along their class centres (cos θ = 1 "
        "up to rounding, which can exceed 1): clamp before a square root or acos"
    )
    expected = torch.full((len(labels),), s * math.cos(m), dtype=torch.float64).to(embeddings.dtype)
    assert_close(target, expected, name=f"the target logits of {described(*case)} (θ = 0: s·cos m)",
                 **tolerance(embeddings.dtype, s))  # fmt: skip


@pytest.mark.points(2)
@given(case=targets_along_their_centres(sign=-1.0, margins=(0.3, 0.5, 0.8, 1.2)))
def test_targets_pointing_away_take_the_fallback(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    got = call(submission, *case)
    rows = torch.arange(len(labels))
    if easy_margin:
        expected, rule = torch.full((len(labels),), -s, dtype=torch.float64), "easy margin, cos θ <= 0: s·cos θ"
    else:
        expected, rule = (
            torch.full((len(labels),), s * (-1 - m * math.sin(m)), dtype=torch.float64),
            ("cos θ = -1 <= cos(π - m): s·(cos θ - m·sin m)"),
        )
    assert_close(got[rows, labels], expected.to(embeddings.dtype), name=f"the target logits of {described(*case)} ({rule})",
                 **tolerance(embeddings.dtype, s))  # fmt: skip


@st.composite
def inputs_and_positive_factors(draw):
    case = draw(arcface_inputs())
    embeddings, weight = case[0], case[1]
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    row_factors = 10 ** (4 * torch.rand(embeddings.shape[0], 1, generator=generator, dtype=torch.float64) - 2)
    class_factors = 10 ** (4 * torch.rand(weight.shape[0], 1, generator=generator, dtype=torch.float64) - 2)
    return case, row_factors.to(embeddings.dtype), class_factors.to(weight.dtype)


@given(case=inputs_and_positive_factors())
def test_rescaling_rows_changes_nothing(submission, case):
    (embeddings, weight, labels, s, m, easy_margin), row_factors, class_factors = case
    _, cosines = oracle(embeddings, weight, labels, s, m, easy_margin)
    assume(away_from_boundaries(cosines, labels, m, easy_margin))
    original = call(submission, embeddings, weight, labels, s, m, easy_margin)
    rescaled = call(submission, embeddings * row_factors, weight * class_factors, labels, s, m, easy_margin)
    assert_close(rescaled, original, name=f"{described(embeddings, weight, labels, s, m, easy_margin)} after scaling "
                 "embedding rows and class weights by positive factors", **tolerance(embeddings.dtype, s))  # fmt: skip


@given(case=arcface_inputs())
def test_inputs_are_left_unchanged(submission, case):
    embeddings, weight, labels, s, m, easy_margin = case
    before = [embeddings.clone(), weight.clone(), labels.clone()]
    call(submission, *case)
    for name, tensor, old in zip(("embeddings", "weight", "labels"), (embeddings, weight, labels), before):
        assert torch.equal(tensor, old), f"arcface_logits changed its argument `{name}` (normalise into a new tensor)"
