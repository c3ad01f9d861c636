"""Reference solution: decoding keypoint heatmaps with a hard and a soft argmax."""

import torch
from torch import Tensor


def argmax_2d(heatmaps: Tensor) -> Tensor:
    n, k, height, width = heatmaps.shape
    # argmax over the flattened map returns the first maximum in row-major order.
    flat_index = heatmaps.reshape(n, k, height * width).argmax(dim=-1)
    x = flat_index % width  # column
    y = flat_index // width  # row
    return torch.stack([x, y], dim=-1)


def soft_argmax_2d(heatmaps: Tensor, beta: float = 1.0) -> Tensor:
    n, k, height, width = heatmaps.shape
    # One distribution over all H·W pixels of each map (softmax subtracts the max, so no overflow).
    probs = torch.softmax(beta * heatmaps.reshape(n, k, height * width), dim=-1)
    probs = probs.reshape(n, k, height, width)
    # Pixel centres sit at integer coordinates: x = column index, y = row index.
    xs = torch.arange(width, dtype=heatmaps.dtype)
    ys = torch.arange(height, dtype=heatmaps.dtype)
    # The expected coordinate: sum the probabilities into a marginal per column (per row).
    x = (probs.sum(dim=-2) * xs).sum(dim=-1)
    y = (probs.sum(dim=-1) * ys).sum(dim=-1)
    return torch.stack([x, y], dim=-1)
