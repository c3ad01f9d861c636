"""Reference solution: upsampling layers on (N, C, H, W) tensors, as torch.nn.functional."""

import torch


def pixel_shuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    n, channels, h, w = x.shape
    c = channels // (r * r)
    # Input channel c·r² + i·r + j holds the output pixels (h·r + i, w·r + j) of channel c.
    x = x.reshape(n, c, r, r, h, w)  # (n, c, i, j, h, w)
    x = x.permute(0, 1, 4, 2, 5, 3)  # (n, c, h, i, w, j)
    return x.reshape(n, c, h * r, w * r)


def pixel_unshuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    n, c, big_h, big_w = x.shape
    h, w = big_h // r, big_w // r
    # The exact inverse of pixel_shuffle: split rows and columns, move the offsets (i, j) next to c.
    x = x.reshape(n, c, h, r, w, r)  # (n, c, h, i, w, j)
    x = x.permute(0, 1, 3, 5, 2, 4)  # (n, c, i, j, h, w)
    return x.reshape(n, c * r * r, h, w)


def nearest_upsample(x: torch.Tensor, scale_factor: int) -> torch.Tensor:
    # Output pixel (y, x) copies input pixel (y // s, x // s).
    return x.repeat_interleave(scale_factor, dim=2).repeat_interleave(scale_factor, dim=3)


def _source_positions(out_size: int, in_size: int, scale_factor: int, align_corners: bool):
    """For each output index along one axis: the two input neighbours and the weight of the second."""
    dst = torch.arange(out_size, dtype=torch.float64)
    if align_corners:
        # The first and last pixel centres of input and output coincide.
        src = dst * ((in_size - 1) / (out_size - 1)) if out_size > 1 else torch.zeros_like(dst)
    else:
        # Pixels are unit squares with centres at index + 0.5 in both grids; positions
        # left of the first input centre are clamped to it.
        src = ((dst + 0.5) / scale_factor - 0.5).clamp(min=0)
    lower = src.floor().long().clamp(max=in_size - 1)
    upper = (lower + 1).clamp(max=in_size - 1)
    return lower, upper, src - lower


def bilinear_upsample(x: torch.Tensor, scale_factor: int, align_corners: bool) -> torch.Tensor:
    _, _, h, w = x.shape
    # Bilinear = linear along rows, then linear along columns.
    top, bottom, dy = _source_positions(h * scale_factor, h, scale_factor, align_corners)
    left, right, dx = _source_positions(w * scale_factor, w, scale_factor, align_corners)
    dy, dx = dy.to(x.dtype)[:, None], dx.to(x.dtype)
    rows = x[:, :, top, :] * (1 - dy) + x[:, :, bottom, :] * dy
    return rows[:, :, :, left] * (1 - dx) + rows[:, :, :, right] * dx


def conv_transpose2d(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    n, c_in, h, w = x.shape
    _, c_out, k_h, k_w = weight.shape  # (C_in, C_out, kH, kW), as torch stores it
    # Every input pixel (y, x) adds x[:, ci, y, x] · weight[ci, :, i, j] to the output
    # pixel (y·stride + i, x·stride + j): the adjoint of a strided convolution.
    full = x.new_zeros(n, c_out, (h - 1) * stride + k_h, (w - 1) * stride + k_w)
    for i in range(k_h):
        for j in range(k_w):
            contribution = torch.einsum("nchw,cd->ndhw", x, weight[:, :, i, j])
            full[:, :, i : i + (h - 1) * stride + 1 : stride, j : j + (w - 1) * stride + 1 : stride] += contribution
    # padding removes `padding` rows and columns from each border of the full result.
    out = full[:, :, padding : full.shape[2] - padding, padding : full.shape[3] - padding]
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out
