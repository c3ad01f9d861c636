"""Tests for soft_argmax: a row-major scan and a float64 expectation written out as
oracles, and what a heatmap decoder must do when the heatmap moves or sharpens."""

import math

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close

DTYPES = [torch.float32, torch.float64]


def tolerances(dtype):
    """float32 coordinates against the float64 oracle (rounded to float32): sums of
    thousands of float32 weights, on coordinates up to 63, are off by up to about 6e-6
    relative, depending on the order of summation; the mistakes tested for are off by 0.1
    or more."""
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == torch.float32 else {}


def first_maximum(rows):
    """``[x, y]`` of the largest value, scanning rows top to bottom and each row left to
    right, keeping the first of equal values."""
    best = None
    for y, row in enumerate(rows):
        for x, value in enumerate(row):
            if best is None or value > best[0]:
                best = (value, x, y)
    return [best[1], best[2]]


def expectation(rows, beta):
    """``[x, y]`` expected under softmax(beta · map) in float64: exp(beta·(v - max)) / sum."""
    top = max(max(row) for row in rows)
    weights = [[math.exp(beta * (value - top)) for value in row] for row in rows]
    total = sum(map(sum, weights))
    x = sum(w * column for row in weights for column, w in enumerate(row)) / total
    y = sum(w * row_index for row_index, row in enumerate(weights) for w in row) / total
    return [x, y]


def expected_argmax(heatmaps):
    return [[first_maximum(rows) for rows in image] for image in heatmaps.double().tolist()]


def expected_soft_argmax(heatmaps, beta):
    n, k = heatmaps.shape[:2]
    values = [[expectation(rows, beta) for rows in image] for image in heatmaps.double().tolist()]
    expected = torch.tensor(values, dtype=torch.float64).reshape(n, k, 2)
    # A coordinate of 1e-40 is 0 within any tolerance; float32 holds it only as a subnormal
    # with a few bits, so flush it, lest the relative-error-norm check compare those bits.
    expected[expected.abs() < 1e-20] = 0.0
    return expected.to(heatmaps.dtype)


def describe(heatmaps):
    n, k, height, width = heatmaps.shape
    return f"heatmaps of shape (N, K, H, W) = {(n, k, height, width)}, {str(heatmaps.dtype).removeprefix('torch.')}"


def check_argmax(got, heatmaps, expected):
    n, k = heatmaps.shape[:2]
    assert isinstance(got, torch.Tensor) and got.dtype == torch.int64, (
        f"argmax_2d returned {getattr(got, 'dtype', type(got).__name__)}, expected an int64 tensor"
    )
    assert list(got.shape) == [n, k, 2], (
        f"argmax_2d({describe(heatmaps)}) returned shape {list(got.shape)}, expected {[n, k, 2]}"
    )
    got = got.tolist()
    for i in range(n):
        for j in range(k):
            rows = heatmaps[i, j].tolist()
            shown = f": {[[round(v, 3) for v in row] for row in rows]}" if len(rows) * len(rows[0]) <= 42 else ""
            assert got[i][j] == expected[i][j], (
                f"argmax_2d({describe(heatmaps)}) returned (x, y) = {tuple(got[i][j])} for map [{i}, {j}]"
                f"{shown}; expected {tuple(expected[i][j])}: x is the column, y the row, and the first "
                f"maximum in row-major order wins"
            )


def heatmap_tensor(seed, shape, dtype, step, scale):
    """Values rounded to multiples of ``step`` (a coarse step makes ties; with beta a power
    of two, beta · value is then exact in float32 too). Never all zeros."""
    generator = torch.Generator().manual_seed(seed)
    maps = torch.randn(shape, generator=generator, dtype=torch.float64)
    maps = torch.round(maps * scale / step) * step + 0.0  # + 0.0 turns -0.0 into 0.0
    if maps.numel() and not maps.any():
        maps.view(-1)[0] = step
    return maps.to(dtype)


@st.composite
def heatmap_batches(draw, max_side=7):
    """``(heatmaps, beta)``: 1-2 images, 1-3 keypoints, maps of 1-7 rows and 1-7 columns
    (mostly not square), values up to about ±200 on a grid, beta a power of two up to 64."""
    shape = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 3)),
        draw(st.integers(1, max_side)),
        draw(st.integers(1, max_side)),
    )
    heatmaps = heatmap_tensor(
        seed=draw(st.integers(0, 2**32 - 1)),
        shape=shape,
        dtype=draw(st.sampled_from(DTYPES)),
        step=draw(st.sampled_from([1.0, 0.25, 1 / 64])),
        scale=draw(st.sampled_from([1.0, 4.0, 50.0])),
    )
    return heatmaps, draw(st.sampled_from([0.5, 1.0, 2.0, 8.0, 64.0]))


@pytest.mark.points(2)
def test_known_answers(submission):
    # 2 rows, 3 columns: weights proportional to [[1, 1, 2], [1, 1, 2]], so x = (0+1+4)·2/8, y = 4/8.
    log2 = math.log(2)
    heatmaps = torch.tensor([[[[0.0, 0.0, log2], [0.0, 0.0, log2]]]], dtype=torch.float64)
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, [[[2, 0]]])  # the tie at column 2: row 0 first
    got = submission.soft_argmax_2d(heatmaps)
    assert_close(
        got, torch.tensor([[[1.25, 0.5]]], dtype=torch.float64), name="soft_argmax_2d([[0, 0, ln 2], [0, 0, ln 2]])"
    )
    # 3 rows, 2 columns, the maximum in the bottom-left corner: (x, y) = (0, 2).
    heatmaps = torch.tensor([[[[1.0, 2.0], [3.0, 0.5], [4.0, 1.0]]]], dtype=torch.float32)
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, [[[0, 2]]])
    # A constant map: every pixel ties for the maximum, and the soft-argmax is the centre.
    heatmaps = torch.full((1, 2, 3, 4), 0.5, dtype=torch.float64)
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, [[[0, 0], [0, 0]]])
    got = submission.soft_argmax_2d(heatmaps, beta=3.0)
    assert_close(
        got, torch.tensor([[[1.5, 1.0], [1.5, 1.0]]], dtype=torch.float64), name="soft_argmax_2d(a constant 3x4 map)"
    )
    # A single pixel is at (0, 0).
    heatmaps = torch.tensor([[[[7.0]]]])
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, [[[0, 0]]])
    assert_close(submission.soft_argmax_2d(heatmaps), torch.tensor([[[0.0, 0.0]]]), name="soft_argmax_2d(a 1x1 map)")


def test_empty_batches_give_empty_results(submission):
    for shape in [(0, 3, 4, 5), (2, 0, 4, 5)]:
        heatmaps = torch.ones(shape)
        for function in ("argmax_2d", "soft_argmax_2d"):
            got = getattr(submission, function)(heatmaps)
            assert list(got.shape) == [shape[0], shape[1], 2], (
                f"{function}(heatmaps of shape {list(shape)}) returned shape {list(got.shape)}, expected {[shape[0], shape[1], 2]}"
            )


@pytest.mark.points(2)
@given(case=heatmap_batches())
def test_argmax_is_the_first_maximum_in_row_major_order(submission, case):
    heatmaps, _ = case
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, expected_argmax(heatmaps))


@pytest.mark.points(2)
@given(case=heatmap_batches())
def test_soft_argmax_is_the_expected_position(submission, case):
    heatmaps, beta = case
    got = submission.soft_argmax_2d(heatmaps, beta=beta)
    assert_close(
        got,
        expected_soft_argmax(heatmaps, beta),
        name=f"soft_argmax_2d({describe(heatmaps)}, beta={beta}) (last axis (x, y) = (column, row))",
        **tolerances(heatmaps.dtype),
    )


@st.composite
def sharp_peaks(draw):
    """``(heatmaps, beta, peaks)``: values in [0, 1) and one pixel of 2 per map at ``peaks[n][k] = [x, y]``."""
    n, k = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    height, width = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    heatmaps = torch.floor(torch.rand(n, k, height, width, generator=generator, dtype=torch.float64) * 64) / 64
    xs = torch.randint(0, width, (n, k), generator=generator).tolist()
    ys = torch.randint(0, height, (n, k), generator=generator).tolist()
    for i in range(n):
        for j in range(k):
            heatmaps[i, j, ys[i][j], xs[i][j]] = 2.0
    peaks = [[[xs[i][j], ys[i][j]] for j in range(k)] for i in range(n)]
    return heatmaps.to(draw(st.sampled_from(DTYPES))), draw(st.sampled_from([64.0, 512.0])), peaks


@given(case=sharp_peaks())
def test_a_sharp_peak_gives_the_argmax(submission, case):
    # Every other pixel is at least 1 below the peak, so its weight is below exp(-64).
    heatmaps, beta, peaks = case
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, peaks)
    got = submission.soft_argmax_2d(heatmaps, beta=beta)
    assert_close(
        got,
        torch.tensor(peaks, dtype=heatmaps.dtype),
        rtol=1e-6,
        atol=1e-5,
        name=(
            f"soft_argmax_2d({describe(heatmaps)}, beta={beta}) with one peak of 2 per map over values "
            f"below 1 (expected the peaks' (x, y); beta·2 = {2 * beta:g} overflows exp unless the maximum "
            f"is subtracted first)"
        ),
    )


@st.composite
def shifted_blobs(draw):
    """``(heatmaps, beta, dx, dy)``: in each map a blob of up to 3x3 pixels around 0 on a
    background near -60, and a shift that keeps the blob inside the map."""
    height, width = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    blob_height, blob_width = draw(st.integers(1, min(3, height))), draw(st.integers(1, min(3, width)))
    top, left = draw(st.integers(0, height - blob_height)), draw(st.integers(0, width - blob_width))
    dy = draw(st.integers(-top, height - blob_height - top))
    dx = draw(st.integers(-left, width - blob_width - left))
    k = draw(st.integers(1, 3))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    heatmaps = torch.round(torch.rand(1, k, height, width, generator=generator, dtype=torch.float64) * 256) / 64 - 64
    blob = torch.round(torch.randn(1, k, blob_height, blob_width, generator=generator, dtype=torch.float64) * 64) / 64
    heatmaps[:, :, top : top + blob_height, left : left + blob_width] = blob
    return heatmaps.to(draw(st.sampled_from(DTYPES))), draw(st.sampled_from([1.0, 2.0])), dx, dy


@pytest.mark.points(2)
@given(case=shifted_blobs())
def test_shifting_a_heatmap_shifts_the_result(submission, case):
    # The background's weight is below exp(-50): rolling it round the edges changes nothing visible.
    heatmaps, beta, dx, dy = case
    shifted = torch.roll(heatmaps, shifts=(dy, dx), dims=(-2, -1))
    offset = torch.tensor([dx, dy])
    before, after = submission.argmax_2d(heatmaps), submission.argmax_2d(shifted)
    assert isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor) and before.shape == after.shape, (
        f"argmax_2d returned {type(before).__name__} and {type(after).__name__}, expected two (N, K, 2) tensors"
    )
    assert torch.equal(after, before + offset), (
        f"argmax_2d({describe(heatmaps)}) gave (x, y) = {before.tolist()}, and for the same maps moved "
        f"{dx} columns right and {dy} rows down it gave {after.tolist()}; expected {(before + offset).tolist()}"
    )
    before, after = submission.soft_argmax_2d(heatmaps, beta=beta), submission.soft_argmax_2d(shifted, beta=beta)
    assert_close(
        after,
        before + offset.to(heatmaps.dtype),
        name=(
            f"soft_argmax_2d of the maps moved {dx} columns right and {dy} rows down "
            f"(expected soft_argmax_2d of the original maps, {before.tolist()}, plus (x, y) = ({dx}, {dy}))"
        ),
        **tolerances(heatmaps.dtype),
    )


@given(case=heatmap_batches(max_side=9))
def test_coordinates_stay_inside_the_image(submission, case):
    heatmaps, beta = case
    height, width = heatmaps.shape[-2:]
    slack = 1e-4  # float32 rounding of a weighted average of 0..W-1
    for name, got in [
        ("argmax_2d", submission.argmax_2d(heatmaps)),
        ("soft_argmax_2d", submission.soft_argmax_2d(heatmaps, beta=beta)),
    ]:
        x, y = got[..., 0].double(), got[..., 1].double()
        assert (
            x.min() >= -slack and x.max() <= width - 1 + slack and y.min() >= -slack and y.max() <= height - 1 + slack
        ), (
            f"{name}({describe(heatmaps)}) returned x from {x.min().item():.4g} to {x.max().item():.4g} and y from "
            f"{y.min().item():.4g} to {y.max().item():.4g}; x (the column) must lie in [0, W-1] = [0, {width - 1}] "
            f"and y (the row) in [0, H-1] = [0, {height - 1}]"
        )


@st.composite
def pose_heatmaps(draw):
    """A pose estimator's output: 17 COCO keypoints on 64x48 maps (HRNet at 256x192 input),
    a Gaussian blob of sigma 2 per keypoint plus a little noise, on a grid of 1/256."""
    n = draw(st.integers(1, 3))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    height, width, sigma = 64, 48, 2.0
    centres_x = torch.rand(n, 17, 1, 1, generator=generator, dtype=torch.float64) * (width - 1)
    centres_y = torch.rand(n, 17, 1, 1, generator=generator, dtype=torch.float64) * (height - 1)
    ys = torch.arange(height, dtype=torch.float64)[:, None]
    xs = torch.arange(width, dtype=torch.float64)[None, :]
    blobs = torch.exp(-((xs - centres_x) ** 2 + (ys - centres_y) ** 2) / (2 * sigma**2))
    noise = 0.05 * torch.rand(n, 17, height, width, generator=generator, dtype=torch.float64)
    heatmaps = torch.round((blobs + noise) * 256) / 256
    return heatmaps.to(draw(st.sampled_from(DTYPES))), draw(st.sampled_from([1.0, 16.0, 64.0]))


@pytest.mark.points(2)
# Real-sized heatmaps: a few, not shrunk (the small maps above find small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=pose_heatmaps())
def test_pose_estimation_heatmaps_match_the_oracle(submission, case):
    heatmaps, beta = case
    check_argmax(submission.argmax_2d(heatmaps), heatmaps, expected_argmax(heatmaps))
    assert_close(
        submission.soft_argmax_2d(heatmaps, beta=beta),
        expected_soft_argmax(heatmaps, beta),
        name=f"soft_argmax_2d({describe(heatmaps)}, beta={beta})",
        **tolerances(heatmaps.dtype),
    )
