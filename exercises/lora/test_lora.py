"""Tests for lora: torch.nn.functional.linear and the formula in float64 as oracles,
and the relations between merged and unmerged layers and between ranks."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

FULL = [torch.float32, torch.float64]
ALL = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
RTOL = {torch.float16: 2e-3, torch.bfloat16: 1.6e-2, torch.float32: 1e-5, torch.float64: 1e-12}


@st.composite
def lora_layers(draw, dtypes=FULL, zero_b=False):
    """A dict of x, weight, bias, lora_a, lora_b and alpha, from a drawn seed: sizes 1 to 64
    (not multiples of anything), ranks 1 to 16 (mostly above 1, where alpha and alpha / r differ),
    0 to 3 leading dimensions of x, with or without bias, every tensor in a drawn memory layout."""
    dtype = draw(st.sampled_from(dtypes))
    in_features = draw(st.one_of(st.integers(1, 8), st.integers(9, 64)))
    out_features = draw(st.one_of(st.integers(1, 8), st.integers(9, 64)))
    r = draw(st.one_of(st.integers(2, 4), st.integers(1, 16)))
    leading = draw(st.lists(st.integers(1, 5), min_size=0, max_size=3))
    alpha = draw(st.one_of(st.sampled_from([float(r), 2.0 * r, 1.0, 16.0, 32.0]), st.floats(0.1, 64.0)))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))

    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))

    def randn(*shape):
        return laid_out(torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype), layout)

    layer = {
        "x": randn(*leading, in_features),
        "weight": randn(out_features, in_features),
        "bias": randn(out_features) if draw(st.booleans()) else None,
        "lora_a": randn(r, in_features),
        "lora_b": torch.zeros(out_features, r, dtype=dtype) if zero_b else randn(out_features, r),
        "alpha": alpha,
    }
    return layer


def arguments(layer):
    return layer["x"], layer["weight"], layer["bias"], layer["lora_a"], layer["lora_b"], layer["alpha"]


def describe(layer):
    x, weight, bias, lora_a, lora_b, alpha = arguments(layer)
    return (
        f"x {list(x.shape)}, weight {list(weight.shape)}, bias {'None' if bias is None else list(bias.shape)}, "
        f"lora_a {list(lora_a.shape)}, lora_b {list(lora_b.shape)}, alpha={alpha!r}, {x.dtype}"
    )


def forward_in_float64(layer, alpha=None):
    """x Wᵀ + b + (alpha / r) (x Aᵀ) Bᵀ, in float64 (the bias may be None)."""
    x, weight, bias, lora_a, lora_b, layer_alpha = (
        t.double() if isinstance(t, torch.Tensor) else t for t in arguments(layer)
    )
    scale = (layer_alpha if alpha is None else alpha) / lora_a.shape[0]
    return F.linear(x, weight, bias) + scale * F.linear(F.linear(x, lora_a), lora_b)


def size_of_terms(layer):
    """The largest |x| |W|ᵀ + |b| + (alpha / r) |x| |A|ᵀ |B|ᵀ: what rounding errors are relative to."""
    x, weight, bias, lora_a, lora_b, alpha = (
        t.double().abs() if isinstance(t, torch.Tensor) else t for t in arguments(layer)
    )
    size = F.linear(x, weight, bias) + alpha / lora_a.shape[0] * F.linear(F.linear(x, lora_a), lora_b)
    return float(size.max())


def size_of_weights(layer):
    """The largest |W| + (alpha / r) |B| |A|: what the merged weight's rounding errors are relative to."""
    weight, lora_a, lora_b = (layer[k].double().abs() for k in ("weight", "lora_a", "lora_b"))
    return float((weight + layer["alpha"] / lora_a.shape[0] * (lora_b @ lora_a)).max())


def close(got, expected, size, name):
    """assert_close with the dtype's relative tolerance and an absolute one scaled by the size of
    the terms summed (a low-precision sum of large terms is off by more than its result suggests)."""
    rtol = RTOL[expected.dtype]
    # The error norm too is relative to the size of the terms where the result is much smaller
    # (terms that cancel), not to the result alone.
    largest = float(expected.abs().max()) if expected.numel() else 0.0
    cancellation = size / largest if largest > 0 else 1.0
    assert_close(got, expected, rtol=rtol, atol=4 * rtol * size, rel_norm=4 * rtol * max(1.0, cancellation), name=name)


def check_tensor(got, call):
    assert isinstance(got, torch.Tensor), f"{call} returned a {type(got).__name__}, expected a Tensor"


@pytest.mark.points(2)
def test_worked_example(submission):
    weight, bias = torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([0.5, -0.5])
    lora_a, lora_b, x = torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0], [0.0]]), torch.tensor([[1.0, 1.0]])
    got = submission.lora_forward(x, weight, bias, lora_a, lora_b, 2.0)
    check_tensor(got, "lora_forward")
    # x Wᵀ + b = [1.5, 0.5]; x Aᵀ = [3]; (x Aᵀ) Bᵀ = [3, 0]; scale alpha / r = 2.
    assert_close(
        got, torch.tensor([[7.5, 0.5]]), name="lora_forward([[1, 1]], I, [0.5, -0.5], [[1, 2]], [[1], [0]], 2.0)"
    )
    merged = submission.merge(weight, lora_a, lora_b, 2.0)
    check_tensor(merged, "merge")
    assert_close(merged, torch.tensor([[3.0, 4.0], [0.0, 1.0]]), name="merge(I, [[1, 2]], [[1], [0]], 2.0)")
    # r = 2, alpha = 4: the scale is still 2 (two copies of the same rank-1 update, each at half).
    got = submission.lora_forward(
        x, weight, None, torch.tensor([[1.0, 2.0], [1.0, 2.0]]), torch.tensor([[1.0, 1.0], [0.0, 0.0]]), 4.0
    )
    assert_close(
        got,
        torch.tensor([[13.0, 1.0]]),
        name="lora_forward([[1, 1]], I, None, [[1, 2], [1, 2]], [[1, 1], [0, 0]], 4.0)",
    )


def test_param_counts(submission):
    cases = [
        ((4096, 4096, 8), 65_536),  # instead of 16.8 million for the full matrix
        ((768, 3072, 4), 15_360),
        ((1, 1, 1), 2),
        ((12288, 12288, 8), 196_608),  # GPT-3's projections; 96 layers of one of them: 18.9M, "18M" in the paper
    ]
    for args, expected in cases:
        got = submission.lora_param_count(*args)
        assert got == expected, f"lora_param_count{args} returned {got!r}, expected {expected}"


@given(in_features=st.integers(1, 10_000), out_features=st.integers(1, 10_000), r=st.integers(1, 256))
def test_param_count_is_the_size_of_a_and_b(submission, in_features, out_features, r):
    got = submission.lora_param_count(in_features, out_features, r)
    a_size, b_size = torch.Size([r, in_features]).numel(), torch.Size([out_features, r]).numel()
    assert got == a_size + b_size, (
        f"lora_param_count({in_features}, {out_features}, {r}) returned {got!r}, expected {a_size + b_size}: "
        f"A ({r} x {in_features}) has {a_size} entries and B ({out_features} x {r}) has {b_size}"
    )


@pytest.mark.points(2)
@given(layer=lora_layers(dtypes=ALL))
def test_forward_matches_the_formula_in_float64(submission, layer):
    got = submission.lora_forward(*arguments(layer))
    check_tensor(got, "lora_forward")
    expected = forward_in_float64(layer).to(layer["x"].dtype)
    close(got, expected, size_of_terms(layer), f"lora_forward({describe(layer)})")


@given(layer=lora_layers(dtypes=ALL, zero_b=True))
def test_zero_b_gives_the_base_layer(submission, layer):
    got = submission.lora_forward(*arguments(layer))
    check_tensor(got, "lora_forward")
    expected = F.linear(layer["x"], layer["weight"], layer["bias"])
    close(got, expected, size_of_terms(layer), f"lora_forward({describe(layer)}) with B = 0, against F.linear(x, W, b)")


@pytest.mark.points(2)
@given(layer=lora_layers(dtypes=ALL))
def test_merge_matches_the_formula_in_float64(submission, layer):
    weight, lora_a, lora_b, alpha = layer["weight"], layer["lora_a"], layer["lora_b"], layer["alpha"]
    got = submission.merge(weight, lora_a, lora_b, alpha)
    check_tensor(got, "merge")
    expected = (weight.double() + alpha / lora_a.shape[0] * (lora_b.double() @ lora_a.double())).to(weight.dtype)
    close(got, expected, size_of_weights(layer), f"merge(weight, lora_a, lora_b, alpha) for {describe(layer)}")


@pytest.mark.points(2)
@given(layer=lora_layers(dtypes=ALL))
def test_merged_layer_equals_the_unmerged_forward(submission, layer):
    x, weight, bias, lora_a, lora_b, alpha = arguments(layer)
    unmerged = submission.lora_forward(x, weight, bias, lora_a, lora_b, alpha)
    merged = F.linear(x, submission.merge(weight, lora_a, lora_b, alpha), bias)
    check_tensor(unmerged, "lora_forward")
    # The two round differently: compare each with a float64 size of terms.
    close(
        merged,
        unmerged,
        size_of_terms(layer),
        f"F.linear(x, merge(W, A, B, alpha), b) against lora_forward for {describe(layer)}",
    )


@given(layer=lora_layers(dtypes=ALL))
def test_unmerge_undoes_merge(submission, layer):
    weight, lora_a, lora_b, alpha = layer["weight"], layer["lora_a"], layer["lora_b"], layer["alpha"]
    merged = submission.merge(weight, lora_a, lora_b, alpha)
    got = submission.unmerge(merged, lora_a, lora_b, alpha)
    check_tensor(got, "unmerge")
    close(
        got,
        weight,
        size_of_weights(layer),
        f"unmerge(merge(W, A, B, alpha), A, B, alpha) against W for {describe(layer)}",
    )


@given(layer=lora_layers())
def test_repeating_the_rank_with_the_same_alpha_changes_nothing(submission, layer):
    x, weight, bias, lora_a, lora_b, alpha = arguments(layer)
    # [A; A] and [B, B] have twice the rank and B' A' = 2 B A; alpha / (2 r) halves it back.
    doubled_a, doubled_b = torch.cat([lora_a, lora_a], dim=0), torch.cat([lora_b, lora_b], dim=1)
    once = submission.lora_forward(x, weight, bias, lora_a, lora_b, alpha)
    twice = submission.lora_forward(x, weight, bias, doubled_a, doubled_b, alpha)
    close(
        twice,
        once,
        size_of_terms(layer),
        f"lora_forward with A, B repeated to rank {2 * lora_a.shape[0]}, against rank {lora_a.shape[0]}, "
        f"same alpha ({describe(layer)}): the scale alpha / r must absorb the repetition",
    )


@given(layer=lora_layers())
def test_doubling_alpha_doubles_the_update(submission, layer):
    x, weight, bias, lora_a, lora_b, alpha = arguments(layer)
    base = F.linear(x, weight, bias)
    once = submission.lora_forward(x, weight, bias, lora_a, lora_b, alpha)
    twice = submission.lora_forward(x, weight, bias, lora_a, lora_b, 2 * alpha)
    close(
        twice - base,
        2 * (once - base),
        2 * size_of_terms(layer),
        f"lora_forward(alpha={2 * alpha!r}) - F.linear(x, W, b)",
    )


@given(layer=lora_layers(dtypes=ALL))
def test_inputs_are_left_unchanged(submission, layer):
    x, weight, bias, lora_a, lora_b, alpha = arguments(layer)
    copies = [t.clone() if t is not None else None for t in (x, weight, bias, lora_a, lora_b)]
    submission.lora_forward(*copies, alpha)
    submission.merge(copies[1], copies[3], copies[4], alpha)
    submission.unmerge(copies[1], copies[3], copies[4], alpha)
    for name, before, after in zip(
        ("x", "weight", "bias", "lora_a", "lora_b"), (x, weight, bias, lora_a, lora_b), copies
    ):
        assert before is None or torch.equal(before, after), (
            f"lora_forward, merge or unmerge changed its argument {name} in place: return new tensors instead"
        )
