"""Tests for stochastic_approximation: batch means and one-step-at-a-time loops as oracles,
the link between the two functions, and convergence under seeded noise."""

import math
import random
import reprlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REL_TOL = 1e-9  # float64 loops that evaluate in another order differ by ~1e-15 relative

_shortener = reprlib.Repr()
_shortener.maxlist = 8


def shown(values):
    """A list as messages show it: long ones are cut with an ellipsis."""
    return _shortener.repr(values)


def batch_mean(xs):
    """The definition: the correctly rounded sum, divided by the count."""
    return math.fsum(xs) / len(xs)


def g(coeffs, w):
    """The polynomial as written in the statement: sum of coeffs[i] * w**i."""
    return sum(c * w**i for i, c in enumerate(coeffs))


def size_of_g(coeffs, w):
    """sum |coeffs[i]| * |w|**i: how large the terms of g(w) are, for a tolerance."""
    return sum(abs(c) * abs(w) ** i for i, c in enumerate(coeffs))


def check_iterate_list(got, noise, call):
    assert isinstance(got, list), f"{call} returned a {type(got).__name__}, expected a list of floats"
    assert len(got) == len(noise), f"{call} returned {len(got)} iterates, expected one per noise value: {len(noise)}"


sample_values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    st.integers(-5, 5).map(float),  # small repeated values
)


@st.composite
def increasing_polynomials(draw):
    """Coefficients, lowest degree first, of a polynomial whose derivative is positive everywhere:
    linear, linear with a zero quadratic term, or cubic with c2² < 3·c1·c3."""
    c0 = draw(st.floats(-100, 100))
    c1 = draw(st.floats(0.01, 10))
    shape = draw(st.sampled_from(["linear", "zero quadratic", "cubic"]))
    if shape == "linear":
        return [c0, c1]
    if shape == "zero quadratic":
        return [c0, c1, 0.0]
    c3 = draw(st.floats(0.001, 2))
    c2 = draw(st.floats(-0.99, 0.99)) * math.sqrt(3 * c1 * c3)
    return [c0, c1, c2, c3]


@st.composite
def robbins_monro_runs(draw):
    """(coeffs, w0, noise, a), with the noise cut where the iterates would leave [-10**6, 10**6]
    (a large step on a cubic can throw w far out, and the next one further)."""
    coeffs = draw(increasing_polynomials())
    w0 = draw(st.floats(-100, 100))
    a = draw(st.floats(0.01, 4))
    noise = draw(st.lists(st.floats(-10, 10), max_size=30))
    w = w0
    for k, e in enumerate(noise, start=1):
        w = w - (a / k) * (g(coeffs, w) + e)
        if not abs(w) <= 1e6:
            noise = noise[: k - 1]
            break
    return coeffs, w0, noise, a


@st.composite
def linear_problems(draw):
    """g(w) = slope·(w - root) from a start up to 20 away, with 2000 Gaussian noise values (σ = 1), a = 1."""
    root = draw(st.floats(-10, 10))
    slope = draw(st.floats(1, 3))
    w0 = root + draw(st.floats(-20, 20))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    noise = [rng.gauss(0, 1) for _ in range(2000)]
    return [-slope * root, slope], w0, noise, 1.0, root


@st.composite
def cubic_problems(draw):
    """g(w) = c3·(w - root)³ + c1·(w - root), expanded, from a start up to 1 away,
    with 2000 uniform noise values in [-1, 1], a = 0.5."""
    root = draw(st.floats(-3, 3))
    c1 = draw(st.floats(1, 2))
    c3 = draw(st.floats(0, 0.5))
    w0 = root + draw(st.floats(-1, 1))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    noise = [rng.uniform(-1, 1) for _ in range(2000)]
    coeffs = [-c3 * root**3 - c1 * root, 3 * c3 * root**2 + c1, -3 * c3 * root, c3]
    return coeffs, w0, noise, 0.5, root


@pytest.mark.points(2)
def test_known_answers(submission):
    mean_cases = [
        ([2.0, 4.0, 9.0], [2.0, 3.0, 5.0]),
        ([], []),
        ([-7.5], [-7.5]),
        ([1.0, 1.0, 1.0, 5.0], [1.0, 1.0, 1.0, 2.0]),
    ]
    for xs, expected in mean_cases:
        got = submission.incremental_means(list(xs))
        assert (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(math.isclose(x, y, rel_tol=REL_TOL) for x, y in zip(got, expected))
        ), f"incremental_means({xs}) returned {got!r}, expected {expected}"
    # The worked example of the statement: g(w) = w - 2, from 0.
    got = submission.robbins_monro([-2.0, 1.0], 0.0, [0.5, -1.0, 0.5])
    expected = [1.5, 2.25, 2.0]
    assert (
        isinstance(got, list)
        and len(got) == 3
        and all(math.isclose(x, y, rel_tol=REL_TOL) for x, y in zip(got, expected))
    ), (
        f"robbins_monro([-2.0, 1.0], 0.0, [0.5, -1.0, 0.5]) returned {got!r}, expected {expected} "
        "(steps of size 1, 1/2, 1/3)"
    )
    # a = 0.5 on g(w) = 4w - 4: w1 = 3 - 0.5·(8 + 0) = -1, w2 = -1 - 0.25·(-8 + 2) = 0.5
    got = submission.robbins_monro([-4.0, 4.0], 3.0, [0.0, 2.0], 0.5)
    expected = [-1.0, 0.5]
    assert (
        isinstance(got, list)
        and len(got) == 2
        and all(math.isclose(x, y, rel_tol=REL_TOL) for x, y in zip(got, expected))
    ), f"robbins_monro([-4.0, 4.0], 3.0, [0.0, 2.0], a=0.5) returned {got!r}, expected {expected}"
    got = submission.robbins_monro([-2.0, 1.0], 5.0, [])
    assert got == [], f"robbins_monro([-2.0, 1.0], 5.0, []) returned {got!r}: no noise means no step, expected []"


def test_huge_samples_do_not_overflow(submission):
    # Each sample is finite, but the sum of two of them is not: a running sum
    # divided by k gives inf, the update w + (x - w)/k never holds the sum.
    xs = [1.7e308, 1.7e308, 1.6e308, 1.5e308]
    expected = [1.7e308, 1.7e308, 1.6666666666666667e308, 1.625e308]
    got = submission.incremental_means(list(xs))
    assert isinstance(got, list) and len(got) == len(xs), f"incremental_means({xs}) returned {got!r}"
    for k, (x, y) in enumerate(zip(got, expected), start=1):
        overflow = (
            " A running sum overflows to inf here: update the mean itself, w += (x - w) / k."
            if isinstance(x, float) and math.isinf(x)
            else ""
        )
        assert math.isclose(x, y, rel_tol=REL_TOL), (
            f"incremental_means({xs}) returned {got!r}; the mean of the first {k} samples is {y!r}.{overflow}"
        )


@pytest.mark.points(2)
@given(xs=st.lists(sample_values, max_size=100))
def test_every_running_mean_equals_the_batch_mean(submission, xs):
    got = submission.incremental_means(list(xs))
    assert isinstance(got, list), f"incremental_means returned a {type(got).__name__}, expected a list"
    assert len(got) == len(xs), f"incremental_means({shown(xs)}) returned {len(got)} means, expected {len(xs)}"
    largest = 0.0
    for k, mean in enumerate(got, start=1):
        largest = max(largest, abs(xs[k - 1]))
        expected = batch_mean(xs[:k])
        assert abs(mean - expected) <= REL_TOL * largest, (
            f"incremental_means({shown(xs)}): element {k - 1} is {mean!r}, "
            f"but the mean of the first {k} samples is {expected!r}"
        )


@pytest.mark.points(2)
@given(run=robbins_monro_runs())
def test_each_iterate_is_one_step_from_the_previous(submission, run):
    coeffs, w0, noise, a = run
    call = f"robbins_monro({coeffs}, {w0!r}, {shown(noise)}, a={a!r})"
    got = submission.robbins_monro(list(coeffs), w0, list(noise), a)
    check_iterate_list(got, noise, call)
    # Each step is checked from the submission's own previous iterate, so
    # rounding differences do not pile up along the way.
    w = w0
    for k, (e, w_next) in enumerate(zip(noise, got), start=1):
        expected = w - (a / k) * (g(coeffs, w) + e)
        scale = abs(w) + (a / k) * (size_of_g(coeffs, w) + abs(e))
        assert abs(w_next - expected) <= REL_TOL * scale, (
            f"{call}: step {k} went from w={w!r} to {w_next!r}, expected "
            f"w - ({a!r}/{k})·(g(w) + {e!r}) = {w!r} - {a / k!r}·({g(coeffs, w)!r} + {e!r}) = {expected!r}"
        )
        w = w_next


@given(
    c=st.floats(-100, 100),
    w0=st.floats(-100, 100),
    noise=st.lists(st.floats(-10, 10), min_size=1, max_size=50),
)
def test_linear_root_finding_is_a_running_mean(submission, c, w0, noise):
    # With a = 1 and g(w) = w - c the first step forgets w0 and the update is
    # w_k = w_{k-1} + ((c - noise_k) - w_{k-1}) / k: the running mean of c - noise.
    got = submission.robbins_monro([-c, 1.0], w0, list(noise))
    call = f"robbins_monro([{-c!r}, 1.0], {w0!r}, {shown(noise)})"
    check_iterate_list(got, noise, call)
    for k, w in enumerate(got, start=1):
        expected = batch_mean([c - e for e in noise[:k]])
        assert abs(w - expected) <= REL_TOL * (abs(w0) + abs(c) + max(abs(e) for e in noise[:k])), (
            f"{call}: iterate {k} is {w!r}, expected the mean of c - noise over the first {k} "
            f"steps, {expected!r} (with a = 1 and g(w) = w - c, Robbins–Monro is the running mean)"
        )


@given(run=robbins_monro_runs(), power=st.integers(-3, 3))
def test_scaling_g_and_the_noise_against_the_step_changes_nothing(submission, run, power):
    # Multiplying g and the noise by a power of two and dividing a by it gives
    # the same steps: (a/λ)/k · λ·y = (a/k)·y.
    coeffs, w0, noise, a = run
    scale = 2.0**power
    original = submission.robbins_monro(list(coeffs), w0, list(noise), a)
    scaled = submission.robbins_monro([c * scale for c in coeffs], w0, [e * scale for e in noise], a / scale)
    call = f"robbins_monro({coeffs}, {w0!r}, {shown(noise)}, a={a!r})"
    check_iterate_list(scaled, noise, call)
    for k, (x, y) in enumerate(zip(original, scaled), start=1):
        assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6), (
            f"{call} gave iterate {k} = {x!r}, but with g and the noise times {scale} and a divided by "
            f"{scale} it gave {y!r}; the steps (a/k)·(g(w) + noise) are the same, so the iterates should be"
        )


@pytest.mark.points(2)
# 2000 steps per example: fewer examples (a correct answer ends within about 0.06 of the root on
# thousands of seeds, so the bound of 0.25 holds with a wide margin on any of them).
@settings(max_examples=20)
@given(problem=st.one_of(linear_problems(), cubic_problems()))
def test_converges_to_the_root_under_zero_mean_noise(submission, problem):
    coeffs, w0, noise, a, root = problem
    got = submission.robbins_monro(list(coeffs), w0, list(noise), a)
    call = f"robbins_monro({coeffs}, {w0!r}, <{len(noise)} zero-mean noise values>, a={a})"
    check_iterate_list(got, noise, call)
    last = got[-1]
    assert abs(last - root) <= 0.25, (
        f"{call} ended at w = {last!r}, but the root is {root!r}: off by {abs(last - root):.3g}, "
        "expected within 0.25 (with steps a/k the noise averages out and w settles at the root)"
    )


@given(xs=st.lists(sample_values, max_size=20), run=robbins_monro_runs())
def test_inputs_are_left_unchanged(submission, xs, run):
    before = list(xs)
    submission.incremental_means(xs)
    assert xs == before, f"incremental_means changed its input from {shown(before)} to {shown(xs)}"
    coeffs, w0, noise, a = run
    coeffs_before, noise_before = list(coeffs), list(noise)
    submission.robbins_monro(coeffs, w0, noise, a)
    assert (coeffs, noise) == (coeffs_before, noise_before), "robbins_monro changed its coeffs or noise list"
