"""Mistake: the rewards are reshaped to (group_size, G) instead of (G, group_size)
and normalised along the first axis, so a "group" is every G-th reward rather
than a run of group_size consecutive ones. With one group it is right."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_group_advantages_match_statistics_stdev",
    "test_groups_of_equal_rewards_get_zero_advantages",
    "test_shifting_and_scaling_a_group_leaves_its_advantages_unchanged",
    "test_reordering_groups_reorders_advantages",
    "test_a_training_batch_matches_the_oracles",
)


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.reshape(group_size, -1)  # column g is taken for group g
    normalised = (groups - groups.mean(dim=0, keepdim=True)) / (groups.std(dim=0, keepdim=True) + eps)
    return normalised.reshape(-1)


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = torch.exp(logp_new - logp_old)
    A = advantages[:, None]
    per_token = -torch.min(ratio * A, torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A)
    mask = mask.to(per_token.dtype)
    return (per_token * mask).sum() / mask.sum()
