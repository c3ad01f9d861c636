"""Tests for activations: torch's own functions as oracles (in float64), known
values, large magnitudes, symmetries and half precision."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

HALF = (torch.float16, torch.bfloat16)
FLOAT32_VS_FLOAT64 = {"rtol": 1e-5, "atol": 1e-6}
# No bound on the relative error norm: gelu(-7) is 1e-12, where even float64 rounding of
# 1 + erf(x/√2) is a large relative error; the elementwise atol bounds it instead.
ANY_NORM = {"rel_norm": math.inf}

# name -> the oracle, applied to a float64 copy of the input
ORACLES = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
}
ELEMENTWISE = list(ORACLES)


@st.composite
def tensors(draw, dtypes=(torch.float32, torch.float64), scales=(1.0, 3.0, 10.0, 100.0)):
    """A float tensor of 1 to 3 dimensions, from a drawn seed, with some exact zeros and ±1s
    mixed in, in a drawn memory layout."""
    shape = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    dtype = draw(st.sampled_from(dtypes))
    scale = draw(st.sampled_from(scales))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    x = scale * torch.randn(shape, generator=generator, dtype=torch.float64)
    special = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64)
    pick = torch.randint(0, 12, shape, generator=generator)  # 1 in 4 entries becomes 0, 1 or -1
    x = torch.where(pick < 3, special[pick.clamp(max=2)], x)
    return laid_out(x.to(dtype), layout)


def expected(name, x, **kwargs):
    """torch's function on a float64 copy of ``x``, rounded to ``x``'s dtype."""
    return ORACLES[name](x.double(), **kwargs).to(x.dtype)


def tolerance(x):
    return {**ANY_NORM, **FLOAT32_VS_FLOAT64} if x.dtype == torch.float32 else ANY_NORM


def check(submission, name, x, **kwargs):
    got = getattr(submission, name)(x, **kwargs)
    arguments = "".join(f", {key}={value}" for key, value in kwargs.items())
    assert_close(got, expected(name, x, **kwargs), name=f"{name}(x{arguments}) for x of shape {list(x.shape)} {x.dtype}",
                 **tolerance(x))  # fmt: skip


@pytest.mark.points(2)
def test_known_values(submission):
    x = torch.tensor([-1000.0, -1.0, 0.0, 1.0, 1000.0], dtype=torch.float64)
    e = math.e
    cases = [
        ("sigmoid", {}, [0.0, 1 / (1 + e), 0.5, 1 / (1 + 1 / e), 1.0]),
        ("tanh", {}, [-1.0, math.tanh(-1), 0.0, math.tanh(1), 1.0]),
        ("relu", {}, [0.0, 0.0, 0.0, 1.0, 1000.0]),
        ("leaky_relu", {}, [-10.0, -0.01, 0.0, 1.0, 1000.0]),
        ("leaky_relu", {"negative_slope": 0.2}, [-200.0, -0.2, 0.0, 1.0, 1000.0]),
        ("elu", {}, [-1.0, 1 / e - 1, 0.0, 1.0, 1000.0]),
        ("elu", {"alpha": 2.0}, [-2.0, 2 * (1 / e - 1), 0.0, 1.0, 1000.0]),
        # Φ(1) = 0.8413447460685429; gelu(-1) = -1·Φ(-1) = -(1 - Φ(1))
        ("gelu", {}, [0.0, -(1 - 0.8413447460685429), 0.0, 0.8413447460685429, 1000.0]),
        # 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768
        ("gelu_tanh", {}, [0.0, -(1 - 0.8411919906082768), 0.0, 0.8411919906082768, 1000.0]),
        ("silu", {}, [0.0, -1 / (1 + e), 0.0, 1 / (1 + 1 / e), 1000.0]),
    ]
    for name, kwargs, values in cases:
        got = getattr(submission, name)(x.clone(), **kwargs)
        arguments = "".join(f", {key}={value}" for key, value in kwargs.items())
        assert_close(got, torch.tensor(values, dtype=torch.float64), name=f"{name}([-1000, -1, 0, 1, 1000]{arguments})")
    got = submission.glu(torch.tensor([1.0, 2.0, 0.0, 0.0], dtype=torch.float64))
    assert_close(
        got, torch.tensor([0.5, 1.0], dtype=torch.float64), name="glu([1, 2, 0, 0]) (a = [1, 2] gated by σ([0, 0]))"
    )
    got = submission.glu(torch.tensor([[3.0], [0.0]], dtype=torch.float64), dim=0)
    assert_close(got, torch.tensor([[1.5]], dtype=torch.float64), name="glu([[3], [0]], dim=0)")
    x, w, v = (torch.tensor(rows, dtype=torch.float64) for rows in ([[1.0, 2.0]], [[1.0, 0.0]], [[0.0, 1.0]]))
    # silu(x·w) · (x·v) = silu(1) · 2
    got = submission.swiglu(x, w, v)
    assert_close(
        got, torch.tensor([[2 / (1 + 1 / e)]], dtype=torch.float64), name="swiglu([[1, 2]], w=[[1, 0]], v=[[0, 1]])"
    )


@pytest.mark.points(2)
@given(x=tensors())
def test_sigmoid_and_tanh_match_torch(submission, x):
    check(submission, "sigmoid", x)
    check(submission, "tanh", x)


@given(
    x=tensors(),
    slope=st.sampled_from([0.0, 0.01, 0.1, 0.3, 0.9]),
    alpha=st.sampled_from([0.1, 1.0, 1.6732632423543772, 3.0]),
)
def test_relu_leaky_relu_and_elu_match_torch(submission, x, slope, alpha):
    check(submission, "relu", x)
    check(submission, "leaky_relu", x, negative_slope=slope)
    check(submission, "elu", x, alpha=alpha)


@pytest.mark.points(2)
@given(x=tensors(scales=(1.0, 3.0, 10.0)))
def test_gelu_matches_torch(submission, x):
    check(submission, "gelu", x)


@pytest.mark.points(2)
@given(x=tensors(scales=(1.0, 3.0, 10.0)))
def test_gelu_tanh_matches_torch(submission, x):
    check(submission, "gelu_tanh", x)


@given(x=tensors())
def test_silu_matches_torch(submission, x):
    check(submission, "silu", x)


@st.composite
def glu_inputs(draw):
    """A tensor and a dimension of even size (given as negative or non-negative)."""
    x = draw(tensors())
    dim = draw(st.integers(0, x.dim() - 1))
    x = torch.cat([x, -0.5 * x.flip(dim) + 1], dim=dim)  # doubles that dimension: now even
    x = laid_out(x, draw(st.sampled_from(["contiguous", "transposed", "strided"])))
    return x, draw(st.sampled_from([dim, dim - x.dim()]))


@given(case=glu_inputs())
def test_glu_matches_torch(submission, case):
    x, dim = case
    got = submission.glu(x, dim=dim)
    want = F.glu(x.double(), dim=dim).to(x.dtype)
    assert_close(got, want, name=f"glu(x, dim={dim}) for x of shape {list(x.shape)}", **tolerance(x))


@st.composite
def swiglu_inputs(draw):
    d_in, d_hidden = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    batch = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    x = torch.randn(*batch, d_in, generator=generator, dtype=torch.float64)
    w = torch.randn(d_hidden, d_in, generator=generator, dtype=torch.float64) / math.sqrt(d_in)
    v = torch.randn(d_hidden, d_in, generator=generator, dtype=torch.float64) / math.sqrt(d_in)
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    return tuple(laid_out(t.to(dtype), layout) for t in (x, w, v))


@pytest.mark.points(2)
@given(case=swiglu_inputs())
def test_swiglu_matches_the_formula(submission, case):
    x, w, v = case
    got = submission.swiglu(x, w, v)
    x64, w64, v64 = x.double(), w.double(), v.double()
    want = (F.silu(x64 @ w64.T) * (x64 @ v64.T)).to(x.dtype)
    assert_close(got, want, name=f"swiglu(x {list(x.shape)}, w {list(w.shape)}, v {list(v.shape)}) = silu(x Wᵀ) ⊙ (x Vᵀ)",
                 **tolerance(x))  # fmt: skip


LARGE = {
    torch.float16: [-6e4, -1e4, -1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0, 1e4, 6e4],
    torch.bfloat16: [-1e6, -1e4, -1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0, 1e4, 1e6],
    torch.float32: [-1e6, -1e4, -1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0, 1e4, 1e6],
    torch.float64: [-1e6, -1e4, -1000.0, -800.0, -20.0, 20.0, 800.0, 1000.0, 1e4, 1e6],
}


@pytest.mark.points(2)
def test_large_magnitudes_stay_finite(submission):
    for dtype, values in LARGE.items():
        x = torch.tensor(values, dtype=dtype)
        for name in ELEMENTWISE:
            got = getattr(submission, name)(x)
            bad = [value for value, out in zip(values, got.tolist()) if not math.isfinite(out)]
            assert not bad, f"{name}(x) is {got.tolist()} for x = {values} in {dtype}: not finite at {bad}"
            assert_close(got, expected(name, x), name=f"{name}(x) for x = {values} in {dtype}", **ANY_NORM)
        pairs = torch.tensor([[3.0, -1000.0], [3.0, 1000.0], [-1e4, 1e4]], dtype=dtype)
        got = submission.glu(pairs)
        assert_close(got, F.glu(pairs.double()).to(dtype), name=f"glu({pairs.tolist()}) in {dtype}")
        got = submission.sigmoid(torch.tensor([-1000.0, 1000.0], dtype=dtype))
        assert got.tolist() == [0.0, 1.0], (
            f"sigmoid([-1000, 1000]) in {dtype} returned {got.tolist()}, expected [0.0, 1.0]"
        )


@given(x=tensors(scales=(1.0, 3.0, 10.0)))
def test_symmetries(submission, x):
    x = x.double()
    plus, minus = submission.sigmoid(x), submission.sigmoid(-x)
    assert_close(plus + minus, torch.ones_like(x), name="sigmoid(x) + sigmoid(-x) (should be 1)")
    assert_close(submission.tanh(-x), -submission.tanh(x), name="tanh(-x) (should be -tanh(x))")
    for name in ("gelu", "gelu_tanh", "silu"):
        f = getattr(submission, name)
        # x·Φ(x) + x·Φ(-x) = x, because Φ(x) + Φ(-x) = 1; likewise for σ and the tanh form
        assert_close(f(x) - f(-x), x, name=f"{name}(x) - {name}(-x) (should be x)", atol=1e-12)


@pytest.mark.points(2)
@given(x=tensors(dtypes=HALF, scales=(1.0, 3.0, 10.0)))
def test_half_precision_rounds_once(submission, x):
    for name in ELEMENTWISE:
        got = getattr(submission, name)(x)
        want = expected(name, x)  # the exact value, rounded once to x's dtype
        assert_close(
            got,
            want,
            name=f"{name}(x) for x of shape {list(x.shape)} in {x.dtype} (compute in float32, round once at the end)",
            **ANY_NORM,
        )


@given(x=tensors())
def test_inputs_are_left_unchanged(submission, x):
    for name in ELEMENTWISE:
        before = x.clone()
        getattr(submission, name)(x)
        assert torch.equal(x, before), f"{name}(x) changed its input from {before.tolist()} to {x.tolist()}"
    pair = torch.cat([x, x + 1], dim=-1)
    before = pair.clone()
    submission.glu(pair)
    assert torch.equal(pair, before), "glu(x) changed its input"
