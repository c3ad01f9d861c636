"""Mistake: each completion's tokens are averaged first and then the completions
(the original GRPO normalisation), not one mean over all unmasked tokens of the
batch: a short completion's tokens weigh more than a long one's."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_clipped_loss_matches_the_float64_formula",
    "test_ratio_one_gives_minus_the_token_mean_advantage",
    "test_loss_is_flat_beyond_the_clip_bound",
    "test_a_training_batch_matches_the_oracles",
)


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.reshape(-1, group_size)
    return ((groups - groups.mean(dim=1, keepdim=True)) / (groups.std(dim=1, keepdim=True) + eps)).reshape(-1)


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = torch.exp(logp_new - logp_old)
    A = advantages[:, None]
    per_token = -torch.min(ratio * A, torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A)
    mask = mask.to(per_token.dtype)
    per_sequence = (per_token * mask).sum(dim=1) / mask.sum(dim=1)  # should divide the batch total once
    return per_sequence.mean()
