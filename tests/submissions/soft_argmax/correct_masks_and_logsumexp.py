"""Correct, written differently from the reference: the argmax finds the first row
that holds the maximum and then the first column in it; the soft-argmax takes
log-probabilities with logsumexp and sums over a grid of coordinates."""

import torch

EXPECTED_TO_FAIL = ()


def first_true(mask, dim):
    """Index of the first True along ``dim`` (each slice holds at least one)."""
    positions = torch.arange(mask.shape[dim]).reshape([-1] + [1] * (mask.dim() - 1 - (dim % mask.dim())))
    return torch.where(mask, positions, mask.shape[dim]).min(dim=dim).values


def argmax_2d(heatmaps):
    peak = heatmaps.amax(dim=(-2, -1), keepdim=True)
    is_max = heatmaps == peak  # (N, K, H, W)
    y = first_true(is_max.any(dim=-1), dim=-1)  # the first row holding the maximum
    row = torch.gather(is_max, 2, y[:, :, None, None].expand(-1, -1, 1, heatmaps.shape[-1])).squeeze(2)
    x = first_true(row, dim=-1)  # the first column of that row holding it
    return torch.stack([x, y], dim=-1).to(torch.int64)


def soft_argmax_2d(heatmaps, beta=1.0):
    scores = beta * heatmaps
    log_probs = scores - torch.logsumexp(scores, dim=(-2, -1), keepdim=True)
    probs = log_probs.exp()
    height, width = heatmaps.shape[-2:]
    grid_y, grid_x = torch.meshgrid(
        torch.arange(height, dtype=heatmaps.dtype), torch.arange(width, dtype=heatmaps.dtype), indexing="ij"
    )
    return torch.stack([(probs * grid_x).sum(dim=(-2, -1)), (probs * grid_y).sum(dim=(-2, -1))], dim=-1)
