"""Mistake: pixel centres are placed at j + 0.5 (the continuous-image convention of
some resampling code) instead of at the integer index j, so every soft-argmax is
half a pixel too far right and down, and a mass at the last column gives W - 0.5."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_soft_argmax_is_the_expected_position",
    "test_a_sharp_peak_gives_the_argmax",
    "test_coordinates_stay_inside_the_image",
    "test_pose_estimation_heatmaps_match_the_oracle",
)


def argmax_2d(heatmaps):
    n, k, height, width = heatmaps.shape
    flat_index = heatmaps.reshape(n, k, height * width).argmax(dim=-1)
    return torch.stack([flat_index % width, flat_index // width], dim=-1)


def soft_argmax_2d(heatmaps, beta=1.0):
    n, k, height, width = heatmaps.shape
    probs = torch.softmax(beta * heatmaps.reshape(n, k, height * width), dim=-1).reshape(n, k, height, width)
    xs = torch.arange(width, dtype=heatmaps.dtype) + 0.5  # should be the index itself
    ys = torch.arange(height, dtype=heatmaps.dtype) + 0.5
    x = (probs.sum(dim=-2) * xs).sum(dim=-1)
    y = (probs.sum(dim=-1) * ys).sum(dim=-1)
    return torch.stack([x, y], dim=-1)
