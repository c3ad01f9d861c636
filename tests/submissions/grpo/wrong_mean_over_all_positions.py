"""Mistake: the masked per-token losses are averaged over all B·T positions
((loss * mask).mean()), so padding counts in the denominator and the loss
shrinks as sequences are padded further."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_clipped_loss_matches_the_float64_formula",
    "test_ratio_one_gives_minus_the_token_mean_advantage",
    "test_loss_is_flat_beyond_the_clip_bound",
    "test_masked_tokens_do_not_count",
    "test_a_training_batch_matches_the_oracles",
)


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.reshape(-1, group_size)
    return ((groups - groups.mean(dim=1, keepdim=True)) / (groups.std(dim=1, keepdim=True) + eps)).reshape(-1)


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = torch.exp(logp_new - logp_old)
    A = advantages[:, None]
    per_token = -torch.min(ratio * A, torch.clamp(ratio, 1 - clip_low, 1 + clip_high) * A)
    return (per_token * mask).mean()  # should divide by mask.sum()
