"""Mistake: the flat index of the maximum is turned back into a pixel by dividing
by the height instead of the width (x = i % H, y = i // H). Right on square maps,
wrong on every other."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_argmax_is_the_first_maximum_in_row_major_order",
    "test_a_sharp_peak_gives_the_argmax",
    "test_shifting_a_heatmap_shifts_the_result",
    "test_coordinates_stay_inside_the_image",
    "test_pose_estimation_heatmaps_match_the_oracle",
)


def argmax_2d(heatmaps):
    n, k, height, width = heatmaps.shape
    flat_index = heatmaps.reshape(n, k, height * width).argmax(dim=-1)
    return torch.stack([flat_index % height, flat_index // height], dim=-1)  # should be % width, // width


def soft_argmax_2d(heatmaps, beta=1.0):
    n, k, height, width = heatmaps.shape
    probs = torch.softmax(beta * heatmaps.reshape(n, k, height * width), dim=-1).reshape(n, k, height, width)
    x = (probs.sum(dim=-2) * torch.arange(width, dtype=heatmaps.dtype)).sum(dim=-1)
    y = (probs.sum(dim=-1) * torch.arange(height, dtype=heatmaps.dtype)).sum(dim=-1)
    return torch.stack([x, y], dim=-1)
