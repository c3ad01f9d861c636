"""Mistake: the group's standard deviation divides by n instead of n - 1 (numpy's
default, torch.std(unbiased=False)), so every advantage is sqrt(n / (n - 1))
times too large: 1.41 times for groups of two."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_group_advantages_match_statistics_stdev",
    "test_a_training_batch_matches_the_oracles",
)


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.reshape(-1, group_size)
    std = groups.std(dim=1, keepdim=True, unbiased=False)  # should be unbiased
    return ((groups - groups.mean(dim=1, keepdim=True)) / (std + eps)).reshape(-1)


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = torch.exp(logp_new - logp_old)
    A = advantages[:, None]
    per_token = -torch.min(ratio * A, torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A)
    mask = mask.to(per_token.dtype)
    return (per_token * mask).sum() / mask.sum()
