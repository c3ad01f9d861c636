"""Reference solution: GRPO's group-relative advantages and the clipped policy loss
with a token-level mean (as in DeepSeekMath's GRPO, with DAPO's asymmetric clip)."""

import torch
from torch import Tensor


def group_advantages(rewards: Tensor, group_size: int, eps: float = 1e-6) -> Tensor:
    # Consecutive rewards belong to the same prompt: row g holds group g's samples.
    groups = rewards.reshape(-1, group_size)
    mean = groups.mean(dim=1, keepdim=True)
    std = groups.std(dim=1, keepdim=True)  # unbiased (divides by group_size - 1), as torch.std
    # eps keeps a group of equal rewards (std 0) at advantage 0 instead of 0/0.
    return ((groups - mean) / (std + eps)).reshape(-1)


def clipped_policy_loss(
    logp_new: Tensor,
    logp_old: Tensor,
    advantages: Tensor,
    mask: Tensor,
    clip_low: float = 0.2,
    clip_high: float = 0.2,
) -> Tensor:
    ratio = torch.exp(logp_new - logp_old)  # ρ, per token (B, T)
    A = advantages[:, None]  # one advantage per sequence, the same for all its tokens
    unclipped = ratio * A
    clipped = torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A
    # The pessimistic (smaller) of the two objectives; the loss is its negative.
    per_token = -torch.min(unclipped, clipped)
    # Token-level mean: every unmasked token of the batch counts once, so long
    # sequences weigh more than short ones.
    mask = mask.to(per_token.dtype)
    return (per_token * mask).sum() / mask.sum()
