"""Keypoint heatmap decoding. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/soft_argmax``."""

from torch import Tensor


def argmax_2d(heatmaps: Tensor) -> Tensor:
    """The pixel with the largest value in each heatmap, as integer ``(x, y)``.

    ``heatmaps`` is a (N, K, H, W) float32 or float64 tensor: N images, K
    keypoints, maps of H rows and W columns. ``x`` is the column (0 to W - 1),
    ``y`` the row (0 to H - 1). When several pixels share the maximum, the first
    in row-major order wins (the smallest y, then the smallest x).

    Returns an int64 tensor of shape (N, K, 2) whose last axis is ``(x, y)``.
    N or K may be 0.
    """
    raise NotImplementedError


def soft_argmax_2d(heatmaps: Tensor, beta: float = 1.0) -> Tensor:
    """The expected ``(x, y)`` under ``softmax(beta · heatmap)`` over all H·W pixels of each map.

    Pixel centres sit at integer coordinates: the pixel in row ``i``, column
    ``j`` is at ``(x, y) = (j, i)``. ``beta > 0``; ``beta · heatmap`` may reach
    thousands, so the softmax must not overflow.

    Returns a (N, K, 2) tensor in the dtype of ``heatmaps``, last axis ``(x, y)``.
    """
    raise NotImplementedError
