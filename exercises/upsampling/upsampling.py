"""Upsampling layers. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/upsampling``.

All tensors are (N, C, H, W). Each function must match its torch.nn.functional
counterpart exactly in layout and semantics, but must not call it (nor
torch.nn.functional.interpolate, conv_transpose2d, pixel_shuffle or
pixel_unshuffle, nor their nn modules). The result has the input's dtype; the
inputs are left unchanged.
"""

import torch


def pixel_shuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    """(N, C·r², H, W) -> (N, C, H·r, W·r), as ``F.pixel_shuffle(x, r)``.

    Input channel ``c·r² + i·r + j`` becomes the pixels ``(h·r + i, w·r + j)``
    of output channel ``c``.
    """
    raise NotImplementedError


def pixel_unshuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    """(N, C, H·r, W·r) -> (N, C·r², H, W), the inverse of ``pixel_shuffle``,
    as ``F.pixel_unshuffle(x, r)``. H and W of the input are multiples of ``r``."""
    raise NotImplementedError


def nearest_upsample(x: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H·s, W·s): output pixel (y, x) is input pixel (y // s, x // s),
    as ``F.interpolate(x, scale_factor=s, mode="nearest")``."""
    raise NotImplementedError


def bilinear_upsample(x: torch.Tensor, scale_factor: int, align_corners: bool) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H·s, W·s), as
    ``F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=align_corners)``.

    Output row y samples input row position
    ``y·(H - 1)/(H·s - 1)`` (0 when H·s = 1) with ``align_corners=True``, and
    ``max((y + 0.5)/s - 0.5, 0)`` with ``align_corners=False``; likewise for
    columns. Between the two neighbouring input rows (the last row repeated at
    the bottom edge) the value is linear in the position.
    """
    raise NotImplementedError


def conv_transpose2d(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    """The transposed convolution, as ``F.conv_transpose2d(x, weight, bias, stride, padding)``.

    ``x`` (N, C_in, H, W), ``weight`` (C_in, C_out, kH, kW) (torch's layout for
    transposed convolutions), ``bias`` (C_out,) or None. The output is
    (N, C_out, (H - 1)·stride - 2·padding + kH, (W - 1)·stride - 2·padding + kW).
    ``0 <= padding < min(kH, kW)`` and the output is at least 1×1.
    """
    raise NotImplementedError
