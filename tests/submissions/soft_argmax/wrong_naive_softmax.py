"""Mistake: the softmax is exp(beta·h) / sum(exp(beta·h)) without subtracting the
maximum, so beta·h above about 88 (float32) or 709 (float64) overflows to inf
and the coordinates become NaN."""

import torch

EXPECTED_TO_FAIL = (
    "test_soft_argmax_is_the_expected_position",
    "test_a_sharp_peak_gives_the_argmax",
)


def argmax_2d(heatmaps):
    n, k, height, width = heatmaps.shape
    flat_index = heatmaps.reshape(n, k, height * width).argmax(dim=-1)
    return torch.stack([flat_index % width, flat_index // width], dim=-1)


def soft_argmax_2d(heatmaps, beta=1.0):
    n, k, height, width = heatmaps.shape
    exps = torch.exp(beta * heatmaps)  # overflows for large beta·h
    probs = exps / exps.sum(dim=(-2, -1), keepdim=True)
    x = (probs.sum(dim=-2) * torch.arange(width, dtype=heatmaps.dtype)).sum(dim=-1)
    y = (probs.sum(dim=-1) * torch.arange(height, dtype=heatmaps.dtype)).sum(dim=-1)
    return torch.stack([x, y], dim=-1)
