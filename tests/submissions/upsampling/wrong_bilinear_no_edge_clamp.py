"""align_corners=False without clamping the source position at the top and left
edges: output row 0 samples position 0.5/s - 0.5 < 0, which floor() turns into
row -1 (the last row, by Python indexing) with weight 0.5/s + 0.5."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_bilinear_known_answers",
    "test_bilinear_matches_torch",
    "test_bilinear_reproduces_linear_images",
)


def pixel_shuffle(x, r):
    n, channels, h, w = x.shape
    c = channels // (r * r)
    return x.reshape(n, c, r, r, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r)


def pixel_unshuffle(x, r):
    n, c, big_h, big_w = x.shape
    h, w = big_h // r, big_w // r
    return x.reshape(n, c, h, r, w, r).permute(0, 1, 3, 5, 2, 4).reshape(n, c * r * r, h, w)


def nearest_upsample(x, scale_factor):
    return x.repeat_interleave(scale_factor, dim=2).repeat_interleave(scale_factor, dim=3)


def _positions(out_size, in_size, s, align_corners):
    dst = torch.arange(out_size, dtype=torch.float64)
    if align_corners:
        src = dst * ((in_size - 1) / (out_size - 1)) if out_size > 1 else torch.zeros_like(dst)
    else:
        src = (dst + 0.5) / s - 0.5  # not clamped at 0
    lower = src.floor().long().clamp(max=in_size - 1)
    upper = (lower + 1).clamp(max=in_size - 1)
    return lower, upper, src - lower


def bilinear_upsample(x, scale_factor, align_corners):
    _, _, h, w = x.shape
    top, bottom, dy = _positions(h * scale_factor, h, scale_factor, align_corners)
    left, right, dx = _positions(w * scale_factor, w, scale_factor, align_corners)
    dy, dx = dy.to(x.dtype)[:, None], dx.to(x.dtype)
    rows = x[:, :, top, :] * (1 - dy) + x[:, :, bottom, :] * dy
    return rows[:, :, :, left] * (1 - dx) + rows[:, :, :, right] * dx


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0):
    # Insert stride - 1 zeros between input pixels, then run an ordinary convolution
    # with the kernel flipped and its channel axes swapped, padded by k - 1 - padding.
    n, c_in, h, w = x.shape
    _, c_out, k_h, k_w = weight.shape
    dilated = x.new_zeros(n, c_in, (h - 1) * stride + 1, (w - 1) * stride + 1)
    dilated[:, :, ::stride, ::stride] = x
    kernel = weight.transpose(0, 1).flip(2, 3)
    dilated = F.pad(dilated, (k_w - 1 - padding, k_w - 1 - padding, k_h - 1 - padding, k_h - 1 - padding))
    return F.conv2d(dilated, kernel, bias)
