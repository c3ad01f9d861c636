"""Tests for online_softmax: torch.softmax, torch.logsumexp and scaled_dot_product_attention in
float64 as oracles, shift invariance with huge offsets, and what the learner's code creates in the
worker (recorded per aten op): never a T × T matrix, never all keys at once, no fused kernel."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FLOATS = [torch.float32, torch.float64]
HALVES = [torch.float16, torch.bfloat16]
LAYOUTS = ["contiguous", "transposed", "strided"]
# float32 results against a float64 oracle: the scores' rounding is amplified by exp.
AGAINST_FLOAT64 = {
    torch.float64: {},
    torch.float32: {"rtol": 1e-4, "atol": 1e-5},
    # Half precision: a running sum kept in the input dtype is off by a few units in the last place.
    torch.float16: {"rtol": 1e-2, "atol": 1e-4},
    torch.bfloat16: {"rtol": 6e-2, "atol": 1e-3},
}


def randn(generator, *shape, dtype=torch.float64):
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)


# ---------------------------------------------------------------- online_softmax


@st.composite
def softmax_inputs(draw, dtypes=FLOATS, integers=False):
    """(x, block_size): x (..., N) with 0 to 2 leading dimensions, N from 1 to 40, a block size
    from 1 to past N (often not dividing N); values of magnitude 1, 10 or 100, or half-integers
    from -7.5 to 8.5 (ties, exact in every dtype), in a drawn dtype and memory layout."""
    leading = draw(st.lists(st.integers(1, 3), max_size=2))
    n = draw(st.one_of(st.just(1), st.integers(1, 40)))
    block_size = draw(st.one_of(st.integers(1, n + 2), st.integers(1, 4)))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    if integers or draw(st.booleans()) and draw(st.booleans()):
        x = torch.randint(-8, 9, (*leading, n), generator=generator) + 0.5  # many ties, never zero
    else:
        x = draw(st.sampled_from([1.0, 10.0, 100.0])) * randn(generator, *leading, n)
    return laid_out(x.to(dtype), layout), block_size


def softmax_in_float64(x):
    return torch.softmax(x.double(), dim=-1)


def describe_x(x, block_size):
    return f"online_softmax(x of shape {list(x.shape)} {x.dtype}, block_size={block_size})"


def check_softmax(got, x, call):
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"
    assert got.shape == x.shape and got.dtype == x.dtype, (
        f"{call} returned shape {list(got.shape)} {got.dtype}, expected x's shape {list(x.shape)} and dtype {x.dtype}"
    )


@pytest.mark.points(2)
def test_online_softmax_known_answers(submission):
    # Blocks [1, 2, 3] then [4]: m = 3, l = e^-2 + e^-1 + 1 = 1.5032; then m = 4, l = 1.5032 e^-1 + 1 = 1.5530.
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    expected = torch.exp(x - 4.0) / (math.exp(-3) + math.exp(-2) + math.exp(-1) + 1)
    got = submission.online_softmax(x, 3)
    check_softmax(got, x, "online_softmax([1, 2, 3, 4], 3)")
    assert_close(got, expected, name="online_softmax([1, 2, 3, 4], 3)")
    # exp(1000) overflows even float64: the running maximum keeps every exponent <= 0.
    x = torch.tensor([[1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]])
    got = submission.online_softmax(x, 2)
    e = math.exp(-1.0)
    expected = torch.tensor([[1 / 3, 1 / 3, 1 / 3], [e / (1 + 2 * e), e / (1 + 2 * e), 1 / (1 + 2 * e)]])
    assert_close(got, expected, name="online_softmax([[1000, 1000, 1000], [-1000, -1000, -999]], 2)")


@pytest.mark.points(2)
@given(case=softmax_inputs())
def test_online_softmax_matches_torch_softmax(submission, case):
    x, block_size = case
    call = describe_x(x, block_size)
    got = submission.online_softmax(x, block_size)
    check_softmax(got, x, call)
    assert_close(got, softmax_in_float64(x).to(x.dtype), name=call, **AGAINST_FLOAT64[x.dtype])


@pytest.mark.points(2)
@given(case=softmax_inputs(integers=True), shift=st.sampled_from([-10_000.0, -1000.0, 1000.0, 10_000.0]))
def test_online_softmax_is_unchanged_by_a_huge_shift(submission, case, shift):
    # Half-integers plus a shift of up to 1e4 are exact in float32: softmax(x + c) = softmax(x) exactly.
    # exp(1e4) overflows and exp(-1e4) underflows: only a running maximum gets this right.
    x, block_size = case
    call = describe_x(x, block_size).replace("x of", f"x {'+' if shift > 0 else '-'} {abs(shift):g}, x of")
    got = submission.online_softmax(x + shift, block_size)
    check_softmax(got, x, call)
    assert_close(got, softmax_in_float64(x).to(x.dtype), name=call, **AGAINST_FLOAT64[x.dtype])


@given(case=softmax_inputs(dtypes=HALVES), magnitude=st.sampled_from([1.0, 100.0, 10_000.0]))
def test_online_softmax_in_half_precision(submission, case, magnitude):
    # float16 overflows at exp(11.1): without the maximum, even scores of 12 give inf.
    x, block_size = case
    x = (x.double() / x.double().abs().max() * magnitude).to(x.dtype)
    call = describe_x(x, block_size) + f" with values up to {magnitude:g}"
    got = submission.online_softmax(x, block_size)
    check_softmax(got, x, call)
    assert_close(got, softmax_in_float64(x).to(x.dtype), name=call, **AGAINST_FLOAT64[x.dtype])


# A few recorded calls (each op runs under a dispatch mode): the structure, not the numbers.
@settings(max_examples=10, phases=[Phase.explicit, Phase.generate])
@given(n=st.integers(5, 40), block_size=st.integers(1, 4))
def test_online_softmax_does_not_call_torch_softmax(submission, n, block_size):
    x = randn(torch.Generator().manual_seed(n), 2, n)
    got, log = submission.call_recording("online_softmax", x, block_size)
    call = describe_x(x, block_size)
    check_softmax(got, x, call)
    whole_rows = sorted((op, shape) for op, shape in log.tensors if "softmax" in op and shape[-1:] == (n,))
    assert not whole_rows, (
        f"{call} called {whole_rows[0][0]} on whole rows (shape {list(whole_rows[0][1])}): the exercise is to "
        f"compute the softmax yourself in one pass over blocks of {block_size}, with a running maximum and sum"
    )


# ---------------------------------------------------------------- tiled_attention


@st.composite
def attention_inputs(draw, dtypes=FLOATS, max_t=20):
    """A dict of q, k, v, block_q, block_k, causal, scale: B 1 to 2, H 1 to 3, T 1 to ``max_t``,
    D and Dv 1 to 8 (not always equal), block sizes from T / 6 to past T (mostly not dividing T),
    scale None or drawn, q and k of magnitude 1 to 10 (sharp softmaxes), in a drawn dtype and
    memory layout."""
    batch, heads = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    t = draw(st.one_of(st.just(1), st.integers(1, max_t)))
    d = draw(st.integers(1, 8))
    dv = draw(st.one_of(st.just(d), st.integers(1, 8)))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    magnitude = draw(st.sampled_from([1.0, 1.0, 3.0, 10.0]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q = magnitude * randn(generator, batch, heads, t, d)
    k = magnitude * randn(generator, batch, heads, t, d)
    v = randn(generator, batch, heads, t, dv)
    return {
        "q": laid_out(q.to(dtype), layout),
        "k": laid_out(k.to(dtype), layout),
        "v": laid_out(v.to(dtype), layout),
        # At most 6 blocks each way (each op is slower in the recording worker); block size 1 when T <= 6.
        "block_q": draw(st.one_of(st.integers(-(-t // 6), t + 3), st.just(-(-t // 6)))),
        "block_k": draw(st.one_of(st.integers(-(-t // 6), t + 3), st.just(-(-t // 6)))),
        "causal": draw(st.booleans()),
        "scale": draw(st.one_of(st.none(), st.sampled_from([1.0, 0.125]), st.floats(0.05, 2.0))),
    }


def call_tiled(submission, case, record=False):
    args = (case["q"], case["k"], case["v"], case["block_q"], case["block_k"])
    kwargs = {"causal": case["causal"], "scale": case["scale"]}
    if record:
        got, log = submission.call_recording("tiled_attention", *args, **kwargs)
    else:
        got, log = submission.tiled_attention(*args, **kwargs), None
    call = describe(case)
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        f"{call} returned {type(got).__name__}, expected a tuple (out, lse)"
    )
    out, lse = got
    q, v = case["q"], case["v"]
    for name, value, shape in (("out", out, (*q.shape[:3], v.shape[-1])), ("lse", lse, q.shape[:3])):
        assert isinstance(value, torch.Tensor), f"{call}: {name} is a {type(value).__name__}, expected a Tensor"
        assert tuple(value.shape) == tuple(shape) and value.dtype == q.dtype, (
            f"{call}: {name} has shape {list(value.shape)} {value.dtype}, expected {list(shape)} {q.dtype}"
        )
    return (out, lse, log) if record else (out, lse)


def describe(case):
    q, v = case["q"], case["v"]
    return (
        f"tiled_attention(q, k of shape {list(q.shape)}, v of shape {list(v.shape)} {q.dtype}, "
        f"block_q={case['block_q']}, block_k={case['block_k']}, causal={case['causal']}, scale={case['scale']!r})"
    )


def scores_in_float64(case):
    """scale · q kᵀ in float64, -inf where causal masks a key."""
    q, k = case["q"].double(), case["k"].double()
    scale = 1.0 / math.sqrt(q.shape[-1]) if case["scale"] is None else case["scale"]
    scores = scale * q @ k.transpose(-2, -1)
    if case["causal"]:
        t = q.shape[2]
        scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    return scores


def attention_in_float64(case):
    q, k, v = (case[name].double() for name in "qkv")
    return F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"], scale=case["scale"])


@pytest.mark.points(2)
def test_tiled_attention_known_answers(submission):
    # D = 1, scale 1: every query scores the keys [0, ln 2, ln 4], so exp(scores) = [1, 2, 4] and
    # the weights are [1, 2, 4] / 7. Blocks of 2 keys: the maximum grows from ln 2 to ln 4 in the
    # second block, where the accumulator must be rescaled by 1/2.
    q = torch.ones(1, 1, 3, 1, dtype=torch.float64)
    k = torch.tensor([0.0, math.log(2), math.log(4)], dtype=torch.float64).reshape(1, 1, 3, 1)
    v = torch.tensor([7.0, 14.0, 21.0], dtype=torch.float64).reshape(1, 1, 3, 1)
    cases = [
        (False, [17.0, 17.0, 17.0], [math.log(7)] * 3),  # (7 + 28 + 84) / 7
        (True, [7.0, 35 / 3, 17.0], [0.0, math.log(3), math.log(7)]),  # query i sees keys 0..i
    ]
    for causal, out, lse in cases:
        case = {"q": q, "k": k, "v": v, "block_q": 2, "block_k": 2, "causal": causal, "scale": 1.0}
        got_out, got_lse = call_tiled(submission, case)
        call = f"tiled_attention(q = 1, k = [0, ln 2, ln 4], v = [7, 14, 21], 2, 2, causal={causal}, scale=1.0)"
        assert_close(got_out.flatten(), torch.tensor(out, dtype=torch.float64), name=f"out of {call}")
        assert_close(got_lse.flatten(), torch.tensor(lse, dtype=torch.float64), name=f"lse of {call}")


def out_tolerance(case):
    """float32 against float64: each score is off by about eps · its size, and exp turns that into a
    relative error of the weights, so atol grows with the largest score and the largest value."""
    if case["q"].dtype == torch.float64:
        return {}
    scores = scores_in_float64(case)
    largest_score = float(scores[scores.isfinite()].abs().max())
    return {"rtol": 1e-4, "atol": 1e-6 * (1.0 + largest_score) * float(case["v"].abs().max())}


@pytest.mark.points(2)
@given(case=attention_inputs())
def test_tiled_attention_matches_torch_attention(submission, case):
    out, _ = call_tiled(submission, case)
    expected = attention_in_float64(case).to(case["q"].dtype)
    assert_close(out, expected, name=f"out of {describe(case)}", **out_tolerance(case))


@pytest.mark.points(2)
@given(case=attention_inputs())
def test_lse_equals_torch_logsumexp_of_the_scores(submission, case):
    _, lse = call_tiled(submission, case)
    scores = scores_in_float64(case)
    expected = torch.logsumexp(scores, dim=-1).to(case["q"].dtype)
    size = 1.0 + float(scores[scores.isfinite()].abs().max())  # lse is off by about eps · |scores|
    tolerance = {"rtol": 1e-4, "atol": 1e-5 * size} if case["q"].dtype == torch.float32 else {}
    assert_close(lse, expected, name=f"lse of {describe(case)}", **tolerance)


@st.composite
def huge_score_inputs(draw):
    """q and k of small non-zero integers times 16 or 64 and scale 1: scores up to about 5e5, exact in float32
    (so the float64 oracle applies at float32 tolerance), with many ties; in half of the cases a
    first feature that pushes every score down by up to 2e6."""
    case = draw(attention_inputs(max_t=16))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    dtype = case["q"].dtype
    q_shape, d = case["q"].shape, case["q"].shape[-1]
    factor = draw(st.sampled_from([16.0, 64.0]))

    def small_integers():  # ±1 to ±4: never zero
        sign = 2 * torch.randint(0, 2, q_shape, generator=generator) - 1
        return (factor * sign * torch.randint(1, 5, q_shape, generator=generator)).to(dtype)

    case["q"], case["k"] = small_integers(), small_integers()
    if draw(st.booleans()):  # every score hugely negative: exp underflows without the running maximum
        case["k"][..., 0] = -factor * 8
        case["q"][..., 0] = factor * 8 * d
    case["scale"] = 1.0
    return case


@pytest.mark.points(2)
@given(case=huge_score_inputs())
def test_huge_scores_do_not_overflow(submission, case):
    out, lse = call_tiled(submission, case)
    dtype = case["q"].dtype
    assert_close(out, attention_in_float64(case).to(dtype), name=f"out of {describe(case)}", **AGAINST_FLOAT64[dtype])
    scores = scores_in_float64(case)  # exact: lse = m + log(l) is off by a rounding of each
    tolerance = {"rtol": 1e-6, "atol": 1e-5} if dtype == torch.float32 else {}
    assert_close(lse, torch.logsumexp(scores, dim=-1).to(dtype), name=f"lse of {describe(case)}", **tolerance)


@st.composite
def long_inputs(draw):
    """Sequences longer than every other size: T from 9 to 24 with B, H <= 2 and D, Dv <= 6, block
    sizes below T (at most 6 blocks each way), float64."""
    t = draw(st.integers(9, 24))
    d, dv = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    batch, heads = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    return {
        "q": randn(generator, batch, heads, t, d),
        "k": randn(generator, batch, heads, t, d),
        "v": randn(generator, batch, heads, t, dv),
        "block_q": draw(st.integers(-(-t // 6), t - 1)),
        "block_k": draw(st.integers(-(-t // 6), t - 1)),
        "causal": draw(st.booleans()),
        "scale": None,
    }


def recorded_call(submission, case):
    """The call's log; the values are the other tests' business, these check what the code builds."""
    _, _, log = call_tiled(submission, case, record=True)
    return log


def first(entries):
    op, shape = entries[0]
    return f"a tensor of shape {list(shape)} (made by {op})"


@pytest.mark.points(2)
# Each op of a recorded call runs under a dispatch mode: a few cases show what the code builds.
@settings(max_examples=8, phases=[Phase.explicit, Phase.generate])
@given(case=long_inputs())
def test_no_t_by_t_score_matrix_is_built(submission, case):
    log = recorded_call(submission, case)
    t = case["q"].shape[2]
    quadratic = sorted((op, shape) for op, shape in log.tensors if sum(size >= t for size in shape) >= 2)
    assert not quadratic, (
        f"{describe(case)} created {first(quadratic)}: two of its dimensions are at least T = {t}, a T × T "
        f"matrix of scores, weights or mask. FlashAttention's point is that it never exists: work on tiles of "
        f"{case['block_q']} queries × {case['block_k']} keys, and build a causal mask per tile from the row "
        f"and column indices"
    )


@st.composite
def streamed_inputs(draw):
    """B = 2, H = 3, D = 4, Dv = 5, block sizes from 7 to 11 and T from 15 to 40: no size of the
    inputs equals a block size or T, so a tensor with both a T and a block size among its dimensions
    pairs a block with the whole sequence."""
    t = draw(st.integers(15, 40))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    return {
        "q": randn(generator, 2, 3, t, 4),
        "k": randn(generator, 2, 3, t, 4),
        "v": randn(generator, 2, 3, t, 5),
        "block_q": draw(st.integers(7, 11)),
        "block_k": draw(st.integers(7, 11)),
        "causal": draw(st.booleans()),
        "scale": None,
    }


@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=streamed_inputs())
def test_keys_are_streamed_in_blocks(submission, case):
    log = recorded_call(submission, case)
    t, blocks = case["q"].shape[2], {case["block_q"], case["block_k"]}
    strips = sorted((op, shape) for op, shape in log.tensors if t in shape and blocks & set(shape))
    assert not strips, (
        f"{describe(case)} created {first(strips)}: a block (of {' or '.join(map(str, sorted(blocks)))}) "
        f"against all T = {t} positions, a strip of scores or of a mask. Chunking only the queries still holds "
        f"a block × T strip; stream the keys and values in blocks of {case['block_k']} as well, rescaling the "
        f"running statistics, and build each tile's mask from its own indices"
    )


@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=long_inputs())
def test_does_not_call_a_fused_attention_kernel(submission, case):
    log = recorded_call(submission, case)
    fused = sorted((op, shape) for op, shape in log.tensors if "scaled_dot_product" in op)
    assert not fused, (
        f"{describe(case)} called {fused[0][0]}: torch's own attention. Write the tiled loop yourself: "
        f"scores of one tile, running maximum, running sum, rescaled accumulator"
    )
