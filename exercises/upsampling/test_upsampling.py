"""Tests for upsampling: torch.nn.functional as the oracle (exact for the
rearranging layers), known answers, and the algebra the layers satisfy."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

ALL_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
FLOAT32_VS_FLOAT64 = {torch.float32: {"rtol": 1e-5, "atol": 1e-5}, torch.float64: {}}
EXACT = {"rtol": 0.0, "atol": 0.0}


LAYOUTS = ["contiguous", "channels_last", "transposed", "strided"]


def random_tensor(generator, shape, dtype):
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)


@st.composite
def shuffle_inputs(draw, dtypes=ALL_FLOATS):
    """(x, r) for pixel_shuffle: x of shape (N, C·r², H, W) in a drawn memory layout; C is
    often > 1, where (C, r, r) and (r, r, C) differ."""
    r = draw(st.integers(1, 4))
    n, c = draw(st.integers(1, 2)), draw(st.sampled_from([1, 2, 2, 3, 4]))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    return laid_out(random_tensor(generator, (n, c * r * r, h, w), dtype), layout), r


@st.composite
def images(draw, dtypes=(torch.float32, torch.float64), max_side=6):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    dtype, layout = draw(st.sampled_from(dtypes)), draw(st.sampled_from(LAYOUTS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    return laid_out(random_tensor(generator, (n, c, h, w), dtype), layout)


def shape_of(x):
    return f"x of shape {list(x.shape)} {x.dtype}"


@pytest.mark.points(2)
def test_pixel_shuffle_known_answer(submission):
    x = torch.arange(8.0).reshape(1, 8, 1, 1)
    expected = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]])
    got = submission.pixel_shuffle(x, 2)
    assert_close(got, expected, name="pixel_shuffle(arange(8).reshape(1, 8, 1, 1), 2) (channels split as (C, r, r))",
                 **EXACT)  # fmt: skip
    got = submission.pixel_unshuffle(expected, 2)
    assert_close(got, x, name="pixel_unshuffle([[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]], 2)", **EXACT)


@pytest.mark.points(2)
@given(case=shuffle_inputs())
def test_pixel_shuffle_matches_torch(submission, case):
    x, r = case
    got = submission.pixel_shuffle(x, r)
    assert_close(got, F.pixel_shuffle(x, r), name=f"pixel_shuffle(x, {r}) for {shape_of(x)}", **EXACT)


@given(case=shuffle_inputs(), layout=st.sampled_from(LAYOUTS))
def test_pixel_unshuffle_matches_torch(submission, case, layout):
    small, r = case
    x = laid_out(F.pixel_shuffle(small, r), layout)  # any tensor whose H and W are multiples of r
    got = submission.pixel_unshuffle(x, r)
    assert_close(got, F.pixel_unshuffle(x, r), name=f"pixel_unshuffle(x, {r}) for {shape_of(x)}", **EXACT)


@pytest.mark.points(2)
@given(case=shuffle_inputs())
def test_unshuffle_inverts_shuffle(submission, case):
    x, r = case
    round_trip = submission.pixel_unshuffle(submission.pixel_shuffle(x, r), r)
    assert_close(round_trip, x, name=f"pixel_unshuffle(pixel_shuffle(x, {r}), {r}) for {shape_of(x)} (should be x)",
                 **EXACT)  # fmt: skip
    big = F.pixel_shuffle(x, r)
    round_trip = submission.pixel_shuffle(submission.pixel_unshuffle(big, r), r)
    assert_close(round_trip, big, name=f"pixel_shuffle(pixel_unshuffle(y, {r}), {r}) for y of shape {list(big.shape)}",
                 **EXACT)  # fmt: skip


@pytest.mark.points(2)
@given(x=images(dtypes=ALL_FLOATS), s=st.integers(1, 4))
def test_nearest_upsample_repeats_pixels(submission, x, s):
    got = submission.nearest_upsample(x, s)
    expected = F.interpolate(x, scale_factor=s, mode="nearest")
    assert_close(got, expected, name=f"nearest_upsample(x, {s}) for {shape_of(x)}", **EXACT)
    # each s×s block is one input pixel: take the top-left of every block and compare with x
    assert_close(got[:, :, ::s, ::s], x, name=f"the top-left pixel of each {s}×{s} block of nearest_upsample(x, {s})",
                 **EXACT)  # fmt: skip


@pytest.mark.points(2)
def test_bilinear_known_answers(submission):
    x = torch.tensor([[[[0.0, 1.0]]]], dtype=torch.float64)
    cases = [
        (True, [0.0, 1 / 3, 2 / 3, 1.0]),  # positions 0, 1/3, 2/3, 1
        (False, [0.0, 0.25, 0.75, 1.0]),  # positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (beyond the last pixel)
    ]
    for align_corners, row in cases:
        got = submission.bilinear_upsample(x, 2, align_corners)
        expected = torch.tensor([[[row, row]]], dtype=torch.float64)
        assert_close(got, expected, name=f"bilinear_upsample([[[[0, 1]]]], 2, align_corners={align_corners})")
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], dtype=torch.float64)
    got = submission.bilinear_upsample(x, 3, True)
    # value = 1 + 2·row + col at position (y, x)·(1/5)
    expected = torch.tensor([[[[1 + 2 * i / 5 + j / 5 for j in range(6)] for i in range(6)]]], dtype=torch.float64)
    assert_close(got, expected, name="bilinear_upsample([[[[1, 2], [3, 4]]]], 3, align_corners=True)")


@pytest.mark.points(2)
@given(x=images(), s=st.integers(1, 4), align_corners=st.booleans())
def test_bilinear_matches_torch(submission, x, s, align_corners):
    got = submission.bilinear_upsample(x, s, align_corners)
    expected = F.interpolate(x.double(), scale_factor=s, mode="bilinear", align_corners=align_corners).to(x.dtype)
    assert_close(got, expected, name=f"bilinear_upsample(x, {s}, align_corners={align_corners}) for {shape_of(x)}",
                 **FLOAT32_VS_FLOAT64[x.dtype])  # fmt: skip


def source_positions(out_size, in_size, s, align_corners):
    """Where each output index samples the input, in input pixel units (the statement's formulas)."""
    if align_corners:
        return [y * (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0 for y in range(out_size)]
    return [min(max((y + 0.5) / s - 0.5, 0.0), in_size - 1) for y in range(out_size)]


@st.composite
def linear_images(draw):
    """An image a + b·row + c·col, its scale factor and align_corners."""
    h, w, s = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 4))
    a, b, c = (draw(st.sampled_from([-3.0, -1.0, 0.5, 2.0, 7.0])) for _ in range(3))
    rows, cols = torch.arange(h, dtype=torch.float64)[:, None], torch.arange(w, dtype=torch.float64)[None, :]
    return (a + b * rows + c * cols)[None, None], (a, b, c), s, draw(st.booleans())


@given(case=linear_images())
def test_bilinear_reproduces_linear_images(submission, case):
    x, (a, b, c), s, align_corners = case
    _, _, h, w = x.shape
    ys = torch.tensor(source_positions(h * s, h, s, align_corners), dtype=torch.float64)[:, None]
    xs = torch.tensor(source_positions(w * s, w, s, align_corners), dtype=torch.float64)[None, :]
    got = submission.bilinear_upsample(x, s, align_corners)
    assert_close(
        got,
        (a + b * ys + c * xs)[None, None],
        name=f"bilinear_upsample of the {h}×{w} image {a} + {b}·row + {c}·col by {s} (align_corners={align_corners}): "
        "a linear image must give the same linear function at the source positions",
        atol=1e-9,
    )


@pytest.mark.points(2)
def test_conv_transpose2d_known_answers(submission):
    kernel = torch.tensor([[[[1.0, 10.0], [100.0, 1000.0]]]], dtype=torch.float64)
    pair = torch.tensor([[[[1.0, 2.0]]]], dtype=torch.float64)
    square = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], dtype=torch.float64)
    bias = torch.tensor([0.5], dtype=torch.float64)
    cases = [
        ("[[[[1, 2]]]], kernel", (pair, kernel, None, 1, 0), [[1.0, 12.0, 20.0], [100.0, 1200.0, 2000.0]]),
        (
            "[[[[1, 2]]]], kernel, stride=2",
            (pair, kernel, None, 2, 0),
            [[1.0, 10.0, 2.0, 20.0], [100.0, 1000.0, 200.0, 2000.0]],
        ),
        ("[[[[1, 2]]]], kernel, bias=[0.5]", (pair, kernel, bias, 1, 0), [[1.5, 12.5, 20.5], [100.5, 1200.5, 2000.5]]),
        # stride 2 gives the 4×4 [[1, 10, 2, 20], [100, 1000, 200, 2000], [3, 30, 4, 40], [300, 3000, 400, 4000]];
        # padding=1 crops one row and column from each border
        (
            "[[[[1, 2], [3, 4]]]], kernel, stride=2, padding=1",
            (square, kernel, None, 2, 1),
            [[1000.0, 200.0], [30.0, 4.0]],
        ),
    ]
    for text, args, rows in cases:
        got = submission.conv_transpose2d(*args)
        expected = torch.tensor([[rows]], dtype=torch.float64)
        assert_close(got, expected, name=f"conv_transpose2d({text}) with kernel [[1, 10], [100, 1000]]")
    # One input pixel places a copy of the kernel: not flipped, not transposed.
    weight = torch.arange(1.0, 1 + 2 * 3 * 3 * 2, dtype=torch.float64).reshape(2, 3, 3, 2)  # (C_in, C_out, kH, kW)
    pixel = torch.tensor([[[[1.0]], [[0.0]]]], dtype=torch.float64)  # channel 0 only
    got = submission.conv_transpose2d(pixel, weight, None, 3, 0)
    assert_close(got, weight[:1], name="conv_transpose2d of a single pixel on input channel 0 (should be weight[0], "
                 "the kernels from that input channel to each output channel)")  # fmt: skip


@st.composite
def conv_transpose_inputs(draw, dtypes=(torch.float32, torch.float64)):
    """(x, weight, bias, stride, padding) with an output of at least 1×1."""
    k_h, k_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, min(k_h, k_w) - 1))
    # (H - 1)·stride - 2·padding + k >= 1  <=>  H >= 1 + ceil((2·padding + 1 - k) / stride)
    min_h = max(1, 1 + math.ceil((2 * padding + 1 - k_h) / stride))
    min_w = max(1, 1 + math.ceil((2 * padding + 1 - k_w) / stride))
    h, w = draw(st.integers(min_h, min_h + 4)), draw(st.integers(min_w, min_w + 4))
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dtype = draw(st.sampled_from(dtypes))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(LAYOUTS))
    x = laid_out(random_tensor(generator, (n, c_in, h, w), dtype), layout)
    weight = laid_out(random_tensor(generator, (c_in, c_out, k_h, k_w), dtype), layout)
    bias = random_tensor(generator, (c_out,), dtype) if draw(st.booleans()) else None
    return x, weight, bias, stride, padding


def conv_call(x, weight, bias, stride, padding):
    with_bias = "None" if bias is None else f"bias {list(bias.shape)}"
    return (
        f"conv_transpose2d(x {list(x.shape)} {x.dtype}, weight {list(weight.shape)}, {with_bias}, "
        f"stride={stride}, padding={padding})"
    )


@pytest.mark.points(2)
@given(case=conv_transpose_inputs())
def test_conv_transpose2d_matches_torch(submission, case):
    x, weight, bias, stride, padding = case
    got = submission.conv_transpose2d(x, weight, bias, stride, padding)
    bias64 = None if bias is None else bias.double()
    expected = F.conv_transpose2d(x.double(), weight.double(), bias64, stride=stride, padding=padding).to(x.dtype)
    assert_close(got, expected, name=conv_call(*case), **FLOAT32_VS_FLOAT64[x.dtype])


@st.composite
def adjoint_inputs(draw):
    """(x, weight, y, stride, padding) with conv2d(x) and y of the same shape, so that
    conv_transpose2d(y) has exactly x's shape."""
    x, weight, _, stride, padding = draw(conv_transpose_inputs(dtypes=(torch.float64,)))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    # x above plays the role of y (the small side); the large side is conv_transpose2d's output size.
    n, c_in, h, w = x.shape
    _, c_out, k_h, k_w = weight.shape
    big = random_tensor(generator, (n, c_out, (h - 1) * stride - 2 * padding + k_h, (w - 1) * stride - 2 * padding + k_w),
                        torch.float64)  # fmt: skip
    return big, weight, x, stride, padding


@pytest.mark.points(2)
@given(case=adjoint_inputs())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(submission, case):
    big, weight, small, stride, padding = case
    # conv2d with weight (C_in, C_out, kH, kW) read as (out, in, ...) maps big (C_out channels) to small's shape.
    forward = F.conv2d(big, weight, stride=stride, padding=padding)
    assert forward.shape == small.shape
    back = submission.conv_transpose2d(small, weight, None, stride, padding)
    assert isinstance(back, torch.Tensor) and back.shape == big.shape, (
        f"{conv_call(small, weight, None, stride, padding)} returned shape {list(getattr(back, 'shape', []))}, "
        f"expected {list(big.shape)}"
    )
    left, right = (forward * small).sum().item(), (big * back).sum().item()
    assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9), (
        f"<conv2d(x, W, stride={stride}, padding={padding}), y> = {left} but <x, conv_transpose2d(y, W)> = {right}: "
        "the transposed convolution must be the adjoint of the convolution with the same weight"
    )
