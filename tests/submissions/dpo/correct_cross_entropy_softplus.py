"""Correct, written differently from the reference: the token log-probabilities
come from cross_entropy (which already skips ignore_index, giving 0 there), and
-log σ(z) is written as softplus(-z)."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = ()


def sequence_logps(logits, labels, ignore_index=-100):
    # cross_entropy wants the classes in dimension 1: (B, V, T)
    nll = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=ignore_index, reduction="none")
    return -nll.sum(dim=1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    chosen_rewards = beta * (policy_chosen_logps - reference_chosen_logps)
    rejected_rewards = beta * (policy_rejected_logps - reference_rejected_logps)
    margin = chosen_rewards - rejected_rewards  # β·h
    losses = (1 - label_smoothing) * F.softplus(-margin) + label_smoothing * F.softplus(margin)
    return losses, chosen_rewards, rejected_rewards
