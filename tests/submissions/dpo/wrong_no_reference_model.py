"""Forgets the reference model in the loss: h = policy_chosen - policy_rejected,
so the loss rewards any policy that already prefers the chosen answer instead of
the change relative to the reference (and equal policy and reference do not give
log 2). The rewards are still computed against the reference."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_loss_and_rewards_match_the_formula",
    "test_loss_is_log_2_when_policy_equals_reference",
    "test_swapping_chosen_and_rejected",
    "test_only_the_ratio_to_the_reference_counts",
)


def sequence_logps(logits, labels, ignore_index=-100):
    mask = labels != ignore_index
    logps = logits.log_softmax(-1).gather(-1, torch.where(mask, labels, 0).unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, logps, 0.0).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = policy_chosen_logps - policy_rejected_logps  # the reference log-ratio is missing
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    chosen = beta * (policy_chosen_logps - reference_chosen_logps)
    rejected = beta * (policy_rejected_logps - reference_rejected_logps)
    return losses, chosen, rejected
