"""Tests for llama_blocks: torch's F.rms_norm and F.silu and the rotary formula in float64
as oracles, the worked example, and RoPE's two defining properties (norms kept,
scores that depend only on the relative position)."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FULL = (torch.float32, torch.float64)
HALF = (torch.float16, torch.bfloat16)
ALL = FULL + HALF
RTOL = {torch.float16: 2e-3, torch.bfloat16: 1.6e-2, torch.float32: 1e-5, torch.float64: 1e-12}
LAYOUTS = ("contiguous", "transposed", "strided")
# Angles computed in float32, as Hugging Face does even for float64 inputs, are off by a few
# float32 ulps of base^(-2i/D) times the position: allow that, times the size of x.
ANGLE_ERROR_PER_POSITION = 32 * 2**-24


def randn(generator, *shape, dtype=torch.float64, scale=1.0):
    return (scale * torch.randn(shape, generator=generator, dtype=torch.float64)).to(dtype)


def check_tensor(got, call, like):
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert got.shape == like.shape, f"{call} returned shape {list(got.shape)}, expected {list(like.shape)}"
    assert got.dtype == like.dtype, f"{call} returned dtype {got.dtype}, expected {like.dtype} (the input's)"


# --- RMSNorm -------------------------------------------------------------------------------


@st.composite
def rms_inputs(draw, dtypes=ALL, scales=(1e-3, 1.0, 30.0, 300.0)):
    """(x, weight, eps): x of 1 to 3 dimensions with a last one of 1 to 64, magnitudes from 1e-3
    (where eps matters) to hundreds (where float16 squares overflow), in a drawn memory layout;
    eps None (the default) or given."""
    dtype = draw(st.sampled_from(dtypes))
    leading = draw(st.lists(st.integers(1, 4), max_size=2))
    d = draw(st.one_of(st.integers(1, 8), st.integers(9, 64)))
    scale = draw(st.sampled_from(scales))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(LAYOUTS))
    x = laid_out(randn(generator, *leading, d, dtype=dtype, scale=scale), layout)
    weight = laid_out((1.0 + randn(generator, d, scale=0.5)).to(dtype), layout)
    eps = draw(st.sampled_from([None, 1e-6, 1e-5, 1e-8]))
    return x, weight, eps


def call_rms_norm(submission, x, weight, eps):
    return submission.rms_norm(x, weight) if eps is None else submission.rms_norm(x, weight, eps)


def rms_norm_oracle(x, weight, eps):
    """torch's F.rms_norm on float64 copies, rounded to x's dtype."""
    eps = 1e-6 if eps is None else eps
    return F.rms_norm(x.double(), (x.shape[-1],), weight.double(), eps).to(x.dtype)


def describe_rms(x, weight, eps):
    eps_text = "" if eps is None else f", eps={eps}"
    scale = float(x.double().abs().max())
    return f"rms_norm(x {list(x.shape)} {x.dtype} with max |x| {scale:.3g}, weight {list(weight.shape)}{eps_text})"


def check_rms_norm(submission, x, weight, eps):
    got = call_rms_norm(submission, x, weight, eps)
    call = describe_rms(x, weight, eps)
    check_tensor(got, call, x)
    assert_close(got, rms_norm_oracle(x, weight, eps), rtol=RTOL[x.dtype], name=f"{call}, against F.rms_norm")


# --- RoPE ----------------------------------------------------------------------------------


@st.composite
def positions(draw, length, max_position=4096):
    """Positions 0, 1, ... from an offset (a continuing sequence), or arbitrary ones (unsorted,
    repeated, restarting at 0 as in packed sequences)."""
    if draw(st.booleans()):
        start = draw(st.one_of(st.just(0), st.integers(0, max_position - length)))
        return torch.arange(start, start + length)
    return torch.tensor(draw(st.lists(st.integers(0, max_position), min_size=length, max_size=length)))


@st.composite
def rope_inputs(draw, dtypes=FULL, min_position=0, max_position=4096):
    """(x (B, H, T, D), positions (T,), base): D even from 2 to 64, T from 1, in a drawn layout;
    base None (the default), LLaMA 3's 500000, or small."""
    dtype = draw(st.sampled_from(dtypes))
    b, h, t = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 6))
    d = 2 * draw(st.one_of(st.integers(1, 4), st.integers(5, 32)))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1.0, 10.0]))
    x = laid_out(randn(generator, b, h, t, d, dtype=dtype, scale=scale), draw(st.sampled_from(LAYOUTS)))
    where = draw(positions(t, max_position - min_position)) + min_position
    base = draw(st.sampled_from([None, 10000.0, 500000.0, 100.0]))
    return x, where, base


def call_rope(submission, x, where, base):
    return submission.rope(x, where) if base is None else submission.rope(x, where, base)


def rope_oracle(x, where, base):
    """The rotation written pair by pair in float64: pair i is (x[i], x[i + D/2]), turned by
    the angle position · base^(-2i/D)."""
    base = 10000.0 if base is None else base
    x64 = x.double()
    half = x.shape[-1] // 2
    theta = torch.tensor([base ** (-2 * i / x.shape[-1]) for i in range(half)], dtype=torch.float64)
    angle = where.double()[:, None] * theta  # (T, D/2)
    first, second = x64[..., :half], x64[..., half:]
    turned_first = first * angle.cos() - second * angle.sin()
    turned_second = second * angle.cos() + first * angle.sin()
    return torch.cat([turned_first, turned_second], dim=-1).to(x.dtype)


def rope_tolerance(x, where):
    """The dtype's rtol, and an atol for float32 angles and the rounding of x·cos + x'·sin."""
    rtol = RTOL[x.dtype]
    angle_error = ANGLE_ERROR_PER_POSITION * max(1, int(where.max()))
    size = float(x.double().abs().max())
    return {"rtol": rtol, "atol": 2 * size * (angle_error + 2 * rtol), "rel_norm": 10 * rtol + 4 * angle_error}


def describe_rope(x, where, base):
    shown = where.tolist() if where.numel() <= 8 else f"{where[:8].tolist()[:-1]}..."
    base_text = "" if base is None else f", base={base}"
    return f"rope(x {list(x.shape)} {x.dtype}, positions {shown}{base_text})"


def check_rope(submission, x, where, base):
    got = call_rope(submission, x, where, base)
    call = describe_rope(x, where, base)
    check_tensor(got, call, x)
    assert_close(got, rope_oracle(x, where, base), name=f"{call}, against the rotate-half formula in float64",
                 **rope_tolerance(x, where))  # fmt: skip


# --- SwiGLU --------------------------------------------------------------------------------


@st.composite
def ffn_inputs(draw, dtypes=FULL):
    """(x (..., d), w_gate (F, d), w_up (F, d), w_down (d, F)), F usually not d, in a drawn layout."""
    dtype = draw(st.sampled_from(dtypes))
    leading = draw(st.lists(st.integers(1, 4), max_size=2))
    d, hidden = draw(st.integers(1, 16)), draw(st.integers(1, 24))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(LAYOUTS))
    scale = draw(st.sampled_from([0.3, 1.0, 3.0]))  # gates around 0 and well into silu's tails

    def tensor(*shape):
        return laid_out(randn(generator, *shape, dtype=dtype, scale=scale), layout)

    return tensor(*leading, d), tensor(hidden, d), tensor(hidden, d), tensor(d, hidden)


def ffn_oracle(x, w_gate, w_up, w_down):
    x, w_gate, w_up, w_down = (t.double() for t in (x, w_gate, w_up, w_down))
    return F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)


def ffn_size(x, w_gate, w_up, w_down):
    """The largest |W_down| (|x| |W_gate|ᵀ ⊙ |x| |W_up|ᵀ): what the rounding errors are relative to."""
    x, w_gate, w_up, w_down = (t.double().abs() for t in (x, w_gate, w_up, w_down))
    return float(F.linear(F.linear(x, w_gate) * F.linear(x, w_up), w_down).max())


def ffn_close(got, expected, size, name):
    """The dtype's rtol, and an atol scaled by the size of the terms summed."""
    rtol = RTOL[expected.dtype]
    largest = float(expected.double().abs().max())
    cancellation = size / largest if largest > 0 else 1.0
    assert_close(got, expected, rtol=rtol, atol=4 * rtol * size, rel_norm=4 * rtol * max(1.0, cancellation), name=name)


def describe_ffn(x, w_gate, w_up, w_down):
    return (
        f"swiglu_ffn(x {list(x.shape)}, w_gate {list(w_gate.shape)}, w_up {list(w_up.shape)}, "
        f"w_down {list(w_down.shape)}, {x.dtype})"
    )


# --- Tests ---------------------------------------------------------------------------------


@pytest.mark.points(2)
def test_worked_example(submission):
    # RMSNorm: [3, 4] has mean square 12.5; at magnitude 1e-3 the default eps = 1e-6 shows.
    x, weight = torch.tensor([[3.0, 4.0], [3e-3, 4e-3]]), torch.tensor([1.0, 0.5])
    got = submission.rms_norm(x, weight)
    expected = torch.tensor([[3 / math.sqrt(12.5 + 1e-6), 2 / math.sqrt(12.5 + 1e-6)],
                             [3e-3 / math.sqrt(12.5e-6 + 1e-6), 2e-3 / math.sqrt(12.5e-6 + 1e-6)]])  # fmt: skip
    check_tensor(got, "rms_norm([[3, 4], [3e-3, 4e-3]], [1, 0.5])", x)
    assert_close(got, expected, name="rms_norm([[3, 4], [3e-3, 4e-3]], [1, 0.5]) (eps = 1e-6 by default)")

    # RoPE with D = 4: frequencies 1 and 10000^(-1/2) = 0.01; pairs (x0, x2) and (x1, x3).
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64).expand(1, 1, 3, 4)
    got = submission.rope(x, torch.tensor([0, 1, 2]))

    def turned(m):  # at position m the values (1, 3) turn by m radians, (2, 4) by 0.01·m
        c1, s1, c2, s2 = math.cos(m), math.sin(m), math.cos(0.01 * m), math.sin(0.01 * m)
        return [1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2]

    # position 0: unchanged; position 1: [-1.9841, 1.9599, 2.4624, 4.0198]
    expected = torch.tensor([turned(0), turned(1), turned(2)], dtype=torch.float64).expand(1, 1, 3, 4)
    check_tensor(got, "rope([1, 2, 3, 4] at positions [0, 1, 2])", x)
    assert_close(got, expected, rtol=1e-6, atol=1e-6,
                 name="rope(x, positions [0, 1, 2]) for x = [1, 2, 3, 4] at each position (float64)")  # fmt: skip

    # SwiGLU with d = 2, F = 3: gate = [2, 1, 1], up = [3, 1, 2].
    x = torch.tensor([[2.0, 1.0]])
    w_gate = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    w_up = torch.tensor([[1.0, 1.0], [1.0, -1.0], [0.0, 2.0]])
    w_down = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
    got = submission.swiglu_ffn(x, w_gate, w_up, w_down)
    silu1, silu2 = 1 / (1 + math.exp(-1)), 2 / (1 + math.exp(-2))
    hidden = [silu2 * 3, silu1 * 1, silu1 * 2]  # silu(gate) * up = [5.2848, 0.7311, 1.4621]
    expected = torch.tensor([[hidden[0] + hidden[2], hidden[1] - hidden[2]]])  # [6.7469, -0.7311]
    check_tensor(got, "swiglu_ffn([[2, 1]], ...)", x)
    assert_close(got, expected, name="swiglu_ffn([[2, 1]], w_gate, w_up, w_down) of the README's example")


@pytest.mark.points(2)
@given(case=rms_inputs())
def test_rms_norm_matches_torch(submission, case):
    check_rms_norm(submission, *case)


@given(case=rms_inputs(dtypes=(torch.float16,), scales=(300.0, 1000.0)))
def test_rms_norm_does_not_overflow_in_float16(submission, case):
    # Activations in the hundreds are common in a LLaMA residual stream; their squares are not
    # representable in float16 (largest 65504), so the mean square must be taken in float32.
    check_rms_norm(submission, *case)


@given(case=rms_inputs(dtypes=FULL, scales=(1.0, 30.0)))
def test_unit_weight_gives_unit_rms(submission, case):
    x, _, _ = case
    ones = torch.ones(x.shape[-1], dtype=x.dtype)
    got = submission.rms_norm(x, ones, 0.0)
    check_tensor(got, f"rms_norm(x {list(x.shape)}, ones, 0.0)", x)
    rms = got.double().pow(2).mean(dim=-1).sqrt()
    assert_close(rms, torch.ones_like(rms), rtol=RTOL[x.dtype], atol=0.0,
                 name=f"the root mean square of each row of rms_norm(x {list(x.shape)} {x.dtype}, ones, eps=0.0)")  # fmt: skip


@pytest.mark.points(2)
@given(case=rope_inputs(dtypes=ALL))
def test_rope_matches_the_rotate_half_formula(submission, case):
    check_rope(submission, *case)


@given(case=rope_inputs(dtypes=HALF, min_position=1000))
def test_rope_in_half_precision_at_long_positions(submission, case):
    # At position 3000, a bfloat16 angle is rounded to a multiple of 16 radians: the angles must
    # be computed in float32 (or float64) and only cos and sin cast to x's dtype.
    check_rope(submission, *case)


@given(case=rope_inputs())
def test_rope_preserves_norms(submission, case):
    x, where, base = case
    got = call_rope(submission, x, where, base)
    call = describe_rope(x, where, base)
    check_tensor(got, call, x)
    assert_close(got.double().norm(dim=-1), x.double().norm(dim=-1), rtol=RTOL[x.dtype], atol=1e-6,
                 name=f"the norm of each vector of {call} against the norm of x's (a rotation keeps lengths)")  # fmt: skip


@st.composite
def query_key_shift(draw):
    """q and k (1, H, T, D) in float64, their positions, and a shift of both."""
    q, where_q, base = draw(rope_inputs(dtypes=(torch.float64,), max_position=2048))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    k = randn(generator, *q.shape)
    where_k = draw(positions(q.shape[2], 2048))
    return q, k, where_q, where_k, base, draw(st.integers(1, 2048))


@pytest.mark.points(2)
@given(case=query_key_shift())
def test_rope_scores_depend_only_on_relative_position(submission, case):
    q, k, where_q, where_k, base, shift = case
    before = call_rope(submission, q, where_q, base) @ call_rope(submission, k, where_k, base).transpose(-1, -2)
    after = call_rope(submission, q, where_q + shift, base) @ call_rope(submission, k, where_k + shift, base).transpose(
        -1, -2
    )
    size = float(q.abs().max() * k.abs().max()) * q.shape[-1]
    angle_error = ANGLE_ERROR_PER_POSITION * (int(max(where_q.max(), where_k.max())) + shift)
    assert_close(after, before, rtol=1e-9, atol=4 * size * angle_error + 1e-9, rel_norm=math.inf,
                 name=f"rope(q, m + {shift}) · rope(k, n + {shift}) against rope(q, m) · rope(k, n) for every query "
                      f"and key, q and k {list(q.shape)}: the score must depend only on m - n")  # fmt: skip


@pytest.mark.points(2)
@given(case=ffn_inputs())
def test_swiglu_matches_the_formula_in_float64(submission, case):
    got = submission.swiglu_ffn(*case)
    call = describe_ffn(*case)
    check_tensor(got, call, case[0])
    ffn_close(
        got, ffn_oracle(*case).to(case[0].dtype), ffn_size(*case), f"{call}, against F.linear and F.silu in float64"
    )


@given(case=ffn_inputs())
def test_swiglu_is_odd_in_the_up_projection(submission, case):
    # Only the gate goes through SiLU; the up projection enters linearly, so negating it
    # negates the output (SiLU is not odd: this does not hold for the gate).
    x, w_gate, w_up, w_down = case
    got = submission.swiglu_ffn(x, w_gate, -w_up, w_down)
    negated = -submission.swiglu_ffn(x, w_gate, w_up, w_down)
    ffn_close(got, negated, ffn_size(*case),
              f"swiglu_ffn(x, w_gate, -w_up, w_down) against -swiglu_ffn(x, w_gate, w_up, w_down) for "
              f"{describe_ffn(*case)}: silu belongs on the gate, not on the up projection")  # fmt: skip


@given(rms=rms_inputs(dtypes=FULL), rotary=rope_inputs(), ffn=ffn_inputs())
def test_inputs_are_left_unchanged(submission, rms, rotary, ffn):
    calls = [("rms_norm", rms[:2]), ("rope", rotary[:2]), ("swiglu_ffn", ffn)]
    for name, arguments in calls:
        copies = [t.clone() for t in arguments]
        getattr(submission, name)(*copies)
        for index, (before, after) in enumerate(zip(arguments, copies)):
            assert torch.equal(before, after), (
                f"{name} changed its argument {index + 1} in place: return a new tensor instead"
            )
