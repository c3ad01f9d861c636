"""Correct, written differently from the reference: pixel shuffle and nearest
upsampling by advanced indexing with explicit index maps, pixel unshuffle by
strided slicing, bilinear upsampling as two interpolation matrices
(out = A_h · x · A_wᵀ), and the transposed convolution as a convolution of the
zero-stuffed input with the flipped kernel."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ()


def pixel_shuffle(x, r):
    n, channels, h, w = x.shape
    c = channels // (r * r)
    y = torch.arange(h * r)[:, None]
    x_ = torch.arange(w * r)[None, :]
    out = torch.empty(n, c, h * r, w * r, dtype=x.dtype)
    for ch in range(c):
        source_channel = ch * r * r + (y % r) * r + (x_ % r)  # (H·r, W·r)
        out[:, ch] = x[:, source_channel, y // r, x_ // r]
    return out


def pixel_unshuffle(x, r):
    blocks = [x[:, :, i::r, j::r] for i in range(r) for j in range(r)]  # offset (i, j) -> index i·r + j
    stacked = torch.stack(blocks, dim=2)  # (N, C, r², H, W)
    n, c, _, h, w = stacked.shape
    return stacked.reshape(n, c * r * r, h, w)


def nearest_upsample(x, scale_factor):
    rows = torch.arange(x.shape[2] * scale_factor) // scale_factor
    cols = torch.arange(x.shape[3] * scale_factor) // scale_factor
    return x[:, :, rows][:, :, :, cols]


def _interpolation_matrix(in_size, s, align_corners, dtype):
    out_size = in_size * s
    matrix = torch.zeros(out_size, in_size, dtype=torch.float64)
    for o in range(out_size):
        if align_corners:
            pos = o * (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        else:
            pos = max((o + 0.5) / s - 0.5, 0.0)
        lo = min(int(pos), in_size - 1)
        hi = min(lo + 1, in_size - 1)
        frac = pos - lo
        matrix[o, lo] += 1 - frac
        matrix[o, hi] += frac
    return matrix.to(dtype)


def bilinear_upsample(x, scale_factor, align_corners):
    a_h = _interpolation_matrix(x.shape[2], scale_factor, align_corners, x.dtype)
    a_w = _interpolation_matrix(x.shape[3], scale_factor, align_corners, x.dtype)
    return a_h @ x @ a_w.T


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0):
    n, c_in, h, w = x.shape
    _, c_out, k_h, k_w = weight.shape
    stuffed = x.new_zeros(n, c_in, (h - 1) * stride + 1, (w - 1) * stride + 1)
    stuffed[:, :, ::stride, ::stride] = x
    flipped = weight.transpose(0, 1).flip(2, 3)  # (C_out, C_in, kH, kW), rotated 180 degrees
    pad_h, pad_w = k_h - 1 - padding, k_w - 1 - padding
    return F.conv2d(stuffed, flipped, bias, padding=(pad_h, pad_w))
