"""Correct, written differently from the reference: the group statistics from
explicit sums, and the clipped objective by the sign of the advantage (A >= 0
caps ρ at 1 + clip_high, A < 0 floors it at 1 - clip_low), averaged over the
tokens picked out with masked_select."""

import torch

EXPECTED_TO_FAIL = ()


def group_advantages(rewards, group_size, eps=1e-6):
    groups = rewards.view(-1, group_size)
    mean = groups.sum(dim=1, keepdim=True) / group_size
    deviations = groups - mean
    std = torch.sqrt((deviations**2).sum(dim=1, keepdim=True) / (group_size - 1))
    return (deviations / (std + eps)).flatten()


def clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    ratio = (logp_new - logp_old).exp()
    A = advantages.unsqueeze(1).expand_as(ratio)
    capped = torch.where(A >= 0, ratio.clamp(max=1 + clip_high), ratio.clamp(min=1 - clip_low))
    objective = capped * A
    return -torch.masked_select(objective, mask).mean()
