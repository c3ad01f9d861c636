"""Tests for mixed_precision: struct's IEEE binary16 packing for rounding, and torch's
own loss-scaler kernels and a real torch.amp.GradScaler for the scaling."""

import math
import struct

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FLOAT32_MAX = torch.finfo(torch.float32).max


def struct_bits(x):
    """The binary16 fields of x by ``struct.pack('<e')``, which rounds half to even and raises
    OverflowError exactly when the rounded value is past 65504: infinity."""
    try:
        (h,) = struct.unpack("<H", struct.pack("<e", x))
    except OverflowError:
        return (1 if x < 0 else 0), 31, 0
    return h >> 15, (h >> 10) & 0x1F, h & 0x3FF


def struct_value(x):
    """The binary16 value nearest to x, as a float (inf on overflow)."""
    sign, exponent, mantissa = struct_bits(x)
    (value,) = struct.unpack("<e", struct.pack("<H", sign << 15 | exponent << 10 | mantissa))
    return value


def value_of_bits(h):
    """The value of the binary16 bit pattern h, counting 0x7C00 (inf) as 65536 (2**16),
    the next power of two, so that halfway points to it are well defined."""
    if h & 0x7FFF == 0x7C00:
        return math.copysign(65536.0, -1.0 if h >> 15 else 1.0)
    return struct.unpack("<e", struct.pack("<H", h))[0]


def same_float(a, b):
    """Equal as floats, the sign of zero included."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def check_bits(submission, x, note=""):
    got = submission.fp16_bits(x)
    expected = struct_bits(x)
    assert isinstance(got, tuple) and len(got) == 3, f"fp16_bits({x!r}) returned {got!r}, expected a tuple of 3 ints"
    assert tuple(got) == expected, (
        f"fp16_bits({x!r}) returned {tuple(got)}, expected {expected} (struct.pack('<e'): "
        f"{struct_value(x)!r}, the binary16 value nearest to x, ties to even){note}"
    )


any_floats = st.one_of(
    st.floats(allow_nan=False),  # every size, ±inf, ±0.0, subnormal doubles
    st.floats(-70000, 70000, allow_nan=False),  # fp16's normal range and just past it
    st.floats(-1e-4, 1e-4, allow_nan=False),  # fp16's subnormals and the smallest normals
)


@st.composite
def halfway_values(draw):
    """A value exactly halfway between two neighbouring binary16 values, either sign: a finite
    pattern h and h + 1 (the midpoint to inf is 65520, which rounds to infinity)."""
    h = draw(st.integers(0, 0x7BFF))
    sign = draw(st.sampled_from([1.0, -1.0]))
    return sign * (value_of_bits(h) + value_of_bits(h + 1)) / 2


@st.composite
def beside_halfway_values(draw):
    """A value a hair above or below a halfway point: closer than float32 can tell apart, so
    rounding to float32 first lands on the halfway point and then rounds the wrong way."""
    middle = draw(halfway_values())
    side = draw(st.sampled_from([1.0, -1.0]))
    hair = draw(st.sampled_from([2.0**-30, 2.0**-40, 2.0**-52]))
    return middle * (1 + side * hair), middle


@pytest.mark.points(2)
def test_known_answers(submission):
    cases = [
        (1.0, (0, 15, 0), 1.0),
        (-2.0, (1, 16, 0), -2.0),
        (0.1, (0, 11, 614), 0.0999755859375),
        (65504.0, (0, 30, 1023), 65504.0),  # the largest finite binary16 value
        (65519.0, (0, 30, 1023), 65504.0),
        (65520.0, (0, 31, 0), math.inf),  # halfway to 2**16: rounds to even, which is infinity
        (-1e6, (1, 31, 0), -math.inf),
        (math.inf, (0, 31, 0), math.inf),
        (2.0**-24, (0, 0, 1), 2.0**-24),  # the smallest subnormal
        (2.0**-25, (0, 0, 0), 0.0),  # halfway between 0 and 2**-24: to the even one, 0
        (1.5 * 2.0**-24, (0, 0, 2), 2.0**-23),  # halfway between mantissas 1 and 2: to 2
        (2.0**-14, (0, 1, 0), 2.0**-14),  # the smallest normal
        (2.0**-14 - 2.0**-24, (0, 0, 1023), 2.0**-14 - 2.0**-24),  # the largest subnormal
        (-0.0, (1, 0, 0), -0.0),
        (-1e-10, (1, 0, 0), -0.0),  # underflows to zero, keeping its sign
        (1 + 2.0**-11, (0, 15, 0), 1.0),  # halfway: mantissa 0 is even
        (1 + 3 * 2.0**-11, (0, 15, 2), 1.001953125),  # halfway: mantissa 2 is even
        (2049.0, (0, 26, 0), 2048.0),  # spacing 2 above 2048: halfway, down to even
        (2051.0, (0, 26, 2), 2052.0),  # halfway, up to even
    ]
    for x, bits, value in cases:
        got_bits, got_value = submission.fp16_bits(x), submission.fp16_round(x)
        assert got_bits == bits, f"fp16_bits({x!r}) returned {got_bits!r}, expected {bits}"
        assert same_float(got_value, value), f"fp16_round({x!r}) returned {got_value!r}, expected {value!r}"


def test_scaler_known_answers(submission):
    grads = [torch.tensor([1024.0, 2048.0], dtype=torch.float16), torch.tensor([math.inf])]
    unscaled, found_inf = submission.unscale_grads(grads, 1024.0)
    assert found_inf is True, (
        f"unscale_grads([[1024, 2048], [inf]], 1024.0) returned the flag {found_inf!r}, expected True"
    )
    assert_close(
        unscaled[0], torch.tensor([1.0, 2.0]), name="unscale_grads([[1024, 2048] (float16), [inf]], 1024.0)[0][0]"
    )
    assert_close(
        unscaled[1], torch.tensor([math.inf]), name="unscale_grads([[1024, 2048] (float16), [inf]], 1024.0)[0][1]"
    )
    assert submission.unscale_grads([], 1024.0) == ([], False), "unscale_grads([], 1024.0) must return ([], False)"
    cases = [
        ((65536.0, 1999, False), (131072.0, 0)),  # the 2000th good step in a row: grow
        ((65536.0, 5, False), (65536.0, 6)),
        ((65536.0, 1500, True), (32768.0, 0)),  # overflow: back off and start counting again
        ((1.0, 0, False, 2.0, 0.5, 1), (2.0, 0)),  # growth_interval 1: grow at every good step
    ]
    for args, expected in cases:
        got = submission.update_scale(*args)
        assert tuple(got) == expected, f"update_scale{args} returned {got!r}, expected {expected}"


@pytest.mark.points(2)
@given(x=any_floats)
def test_fp16_bits_match_struct(submission, x):
    check_bits(submission, x)


@pytest.mark.points(2)
@given(x=halfway_values())
def test_halfway_values_round_to_even(submission, x):
    check_bits(submission, x)


@given(case=beside_halfway_values())
def test_values_beside_halfway_are_rounded_once(submission, case):
    x, middle = case
    away = abs(x) > abs(middle)
    note = (
        f"; x is a hair {'farther from' if away else 'nearer to'} zero than the halfway point {middle!r}, so it "
        f"rounds {'away from' if away else 'towards'} zero: converting to float32 first lands on the halfway "
        "point and rounds a second time"
    )
    check_bits(submission, x, note)


@given(x=st.one_of(any_floats, halfway_values()))
def test_fp16_round_matches_struct(submission, x):
    got, expected = submission.fp16_round(x), struct_value(x)
    assert isinstance(got, float), f"fp16_round({x!r}) returned a {type(got).__name__}, expected a float"
    assert same_float(got, expected), f"fp16_round({x!r}) returned {got!r}, expected {expected!r}"


@given(x=any_floats, y=any_floats)
def test_fp16_round_is_odd_monotone_and_idempotent(submission, x, y):
    rx, ry = submission.fp16_round(x), submission.fp16_round(y)
    minus_x = submission.fp16_round(-x)
    assert same_float(minus_x, -rx), f"fp16_round({-x!r}) returned {minus_x!r}, but fp16_round({x!r}) is {rx!r}"
    if x <= y:
        assert rx <= ry, f"{x!r} <= {y!r}, but fp16_round gave {rx!r} > {ry!r}"
    again = submission.fp16_round(rx)
    assert same_float(again, rx), f"fp16_round({rx!r}) returned {again!r}: an fp16 value must round to itself"


@st.composite
def scaled_gradients(draw):
    """(grads, scale): 0 to 4 gradients of assorted shapes, dtypes and memory layouts from a drawn
    seed, at a drawn magnitude (fp16 ones up to its overflow), some with an inf or NaN put in; and a scale,
    a power of two as GradScaler's are, or any positive float."""
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    grads = []
    for _ in range(draw(st.integers(0, 4))):
        shape = draw(st.sampled_from([(1,), (5,), (3, 4), (2, 3, 5), (0,), (17, 9)]))
        dtype = draw(st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64]))
        magnitude = draw(st.sampled_from([1e-3, 1.0, 1e3, 3e4]))
        grad = (magnitude * torch.randn(shape, generator=generator, dtype=torch.float64)).to(dtype)
        bad = draw(st.sampled_from([None, None, math.inf, -math.inf, math.nan]))
        if bad is not None and grad.numel():
            grad.view(-1)[draw(st.integers(0, grad.numel() - 1))] = bad
        grads.append(laid_out(grad, draw(st.sampled_from(["contiguous", "transposed", "strided"]))))
    scale = draw(st.one_of(st.integers(-8, 24).map(lambda k: 2.0**k), st.floats(1e-3, 1e6)))
    return grads, scale


def torch_unscale(grads, scale):
    """GradScaler's unscale: float32 copies multiplied in place by the float32 reciprocal of the
    scale, and found_inf set when any result is inf or NaN."""
    unscaled = [grad.to(torch.float32, copy=True) for grad in grads]
    found_inf = torch.zeros(1)
    inv_scale = torch.tensor(scale, dtype=torch.float64).reciprocal().to(torch.float32)
    if unscaled:
        torch._amp_foreach_non_finite_check_and_unscale_(unscaled, found_inf, inv_scale)
    return unscaled, bool(found_inf.item())


def describe_grads(grads):
    return "[" + ", ".join(f"{grad.dtype} {list(grad.shape)}" for grad in grads) + "]"


@pytest.mark.points(2)
@given(case=scaled_gradients())
def test_unscale_grads_matches_torch(submission, case):
    grads, scale = case
    got = submission.unscale_grads([grad.clone() for grad in grads], scale)
    expected, expected_flag = torch_unscale(grads, scale)
    call = f"unscale_grads({describe_grads(grads)}, {scale!r})"
    assert isinstance(got, tuple) and len(got) == 2, f"{call} returned {type(got).__name__}, expected (list, bool)"
    unscaled, found_inf = got
    assert isinstance(unscaled, list) and len(unscaled) == len(grads), (
        f"{call} returned {type(unscaled).__name__} of length {len(unscaled)}, expected a list of {len(grads)} tensors"
    )
    for i, (g, e) in enumerate(zip(unscaled, expected)):
        # torch multiplies by the rounded reciprocal, the statement divides: a few ulps apart.
        assert_close(g, e, rtol=1e-6, atol=1e-30, name=f"result {i} of {call}")
    assert isinstance(found_inf, bool), f"{call} returned the flag as {type(found_inf).__name__}, expected a bool"
    assert found_inf == expected_flag, (
        f"{call} returned the flag {found_inf}, expected {expected_flag}: "
        f"{'some' if expected_flag else 'no'} result holds inf or NaN"
    )


@given(
    dtype=st.sampled_from([torch.float16, torch.float32]),
    where=st.integers(0, 5),
    scale=st.sampled_from([1.0, 2.0**16]),
)
def test_unscale_grads_flags_nan_as_well_as_inf(submission, dtype, where, scale):
    grad = torch.arange(1.0, 7.0, dtype=dtype)
    grad[where] = math.nan
    _, found_inf = submission.unscale_grads([torch.ones(3, dtype=dtype), grad], scale)
    assert found_inf is True, (
        f"unscale_grads([ones(3), a gradient with NaN at index {where}], {scale}) returned the flag {found_inf!r}, "
        f"expected True: NaN is not finite either (torch.isinf misses it)"
    )


@given(case=scaled_gradients())
def test_unscale_grads_leaves_its_inputs_unchanged(submission, case):
    grads, scale = case
    passed = [grad.clone() for grad in grads]
    submission.unscale_grads(passed, scale)
    for i, (before, after) in enumerate(zip(grads, passed)):
        assert before.dtype == after.dtype and torch.equal(before.nan_to_num(), after.nan_to_num()), (
            f"unscale_grads changed gradient {i} ({before.dtype} {list(before.shape)}) in place: "
            f"it must return new float32 tensors and leave its inputs as they were"
        )


def short_float32_scales(max_exponent):
    """Positive float32 values m · 2**k with an 8-bit m: times any factor below, still exact."""
    return st.builds(lambda m, k: math.ldexp(m, k), st.integers(1, 255), st.integers(-30, max_exponent))


@st.composite
def scaler_states(draw):
    """(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval)."""
    growth_interval = draw(st.one_of(st.integers(1, 6), st.just(2000)))
    return (
        draw(short_float32_scales(max_exponent=100)),
        draw(st.one_of(st.integers(0, growth_interval - 1), st.just(growth_interval - 1))),
        draw(st.booleans()),
        draw(st.sampled_from([2.0, 4.0, 1.5, 1.25, 1.0])),
        draw(st.sampled_from([0.5, 0.25, 0.75, 0.125])),
        growth_interval,
    )


def torch_update_scale(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    """The kernel GradScaler.update() calls, on CPU tensors: it updates scale and tracker in place."""
    scale_t = torch.tensor([scale], dtype=torch.float32)
    tracker_t = torch.tensor([growth_tracker], dtype=torch.int32)
    found_inf_t = torch.tensor([1.0 if found_inf else 0.0])
    torch._amp_update_scale_(scale_t, tracker_t, found_inf_t, growth_factor, backoff_factor, growth_interval)
    return scale_t.item(), int(tracker_t.item())


def check_update(submission, state):
    got = submission.update_scale(*state)
    expected = torch_update_scale(*state)
    call = "update_scale({}, {}, {}, growth_factor={}, backoff_factor={}, growth_interval={})".format(*state)
    assert isinstance(got, tuple) and len(got) == 2, f"{call} returned {got!r}, expected (scale, growth_tracker)"
    assert isinstance(got[1], int) and not isinstance(got[1], bool), (
        f"{call} returned the tracker as {type(got[1]).__name__}, expected an int"
    )
    assert tuple(got) == expected, f"{call} returned {tuple(got)}, expected {expected} (torch._amp_update_scale_)"


@pytest.mark.points(2)
@given(state=scaler_states())
def test_update_scale_matches_torch_amp_update_scale(submission, state):
    check_update(submission, state)


@st.composite
def scaler_runs(draw):
    """(init_scale, growth_factor, backoff_factor, growth_interval, found_inf flags)."""
    overflow_rate = draw(st.sampled_from([0.1, 0.3, 0.6]))
    steps = draw(st.integers(1, 16))
    flags = draw(st.lists(st.floats(0, 1).map(lambda u: u < overflow_rate), min_size=steps, max_size=steps))
    return (
        draw(st.sampled_from([2.0**16, 2.0**10, 1.0])),
        draw(st.sampled_from([2.0, 4.0])),
        draw(st.sampled_from([0.5, 0.25])),
        draw(st.integers(1, 4)),
        flags,
    )


@pytest.mark.points(2)
@given(run=scaler_runs())
def test_update_scale_follows_a_real_grad_scaler(submission, run):
    init_scale, growth_factor, backoff_factor, growth_interval, flags = run
    factors = {"growth_factor": growth_factor, "backoff_factor": backoff_factor, "growth_interval": growth_interval}
    scaler = torch.amp.GradScaler("cpu", init_scale=init_scale, **factors)
    weight = torch.nn.Parameter(torch.ones(3))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    scaler.scale(torch.ones(()))  # GradScaler creates its scale tensor lazily, in scale()
    scale, tracker = init_scale, 0
    for step, found_inf in enumerate(flags, start=1):
        weight.grad = torch.tensor([1.0, math.inf if found_inf else 2.0, 3.0])
        scaler.step(optimizer)  # unscales, finds the inf (or not), skips the step on inf
        scaler.update()
        expected = (scaler.get_scale(), scaler.state_dict()["_growth_tracker"])
        got = submission.update_scale(scale, tracker, found_inf, **factors)
        assert tuple(got) == expected, (
            f"GradScaler({init_scale}, {factors}) at step {step} of found_inf = {flags[:step]}: "
            f"update_scale({scale}, {tracker}, {found_inf}) returned {tuple(got)}, expected {expected}"
        )
        scale, tracker = got


@given(
    mantissa=st.integers(1, 255),
    growth_factor=st.sampled_from([2.0, 4.0, 1.5]),
    growth_interval=st.one_of(st.integers(1, 6), st.just(2000)),
)
def test_growth_past_float32_range_keeps_the_scale(submission, mantissa, growth_factor, growth_interval):
    # A float32 scale in [2**127, 2**128), at the step that reaches growth_interval: times
    # growth_factor it is past float32's largest value, so GradScaler keeps it.
    scale = math.ldexp(mantissa, 128 - mantissa.bit_length())
    if growth_factor == 1.5:
        scale = max(scale, 1.5 * 2.0**127)  # 1.5 * 1.5 * 2**127 > 2**128 > float32's largest
    check_update(submission, (scale, growth_interval - 1, False, growth_factor, 0.5, growth_interval))
