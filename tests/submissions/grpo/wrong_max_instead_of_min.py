"""Mistake: the optimistic objective, max(ρ·A, clip(ρ)·A), is kept instead of the
pessimistic min, so clipping never limits a step: beyond the clip bound the loss
keeps falling as ρ moves further, and inside the bound the clip wins where it
should not."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_clipped_loss_matches_the_float64_formula",
    "test_loss_is_flat_beyond_the_clip_bound",
    "test_a_training_batch_matches_the_oracles",
)


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.reshape(-1, group_size)
    return ((groups - groups.mean(dim=1, keepdim=True)) / (groups.std(dim=1, keepdim=True) + eps)).reshape(-1)


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = torch.exp(logp_new - logp_old)
    A = advantages[:, None]
    per_token = -torch.max(ratio * A, torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A)  # should be min
    mask = mask.to(per_token.dtype)
    return (per_token * mask).sum() / mask.sum()
