"""The loss as -torch.log(torch.sigmoid(beta * h)): fine for small margins, but
when the policy prefers the rejected answer by a wide margin (β·h below about
-100 in float32, -750 in float64) the sigmoid underflows to 0 and the loss is inf."""

import torch

EXPECTED_TO_FAIL = ("test_loss_stays_finite_for_large_margins",)


def sequence_logps(logits, labels, ignore_index=-100):
    mask = labels != ignore_index
    token_logps = logits.log_softmax(-1).gather(-1, torch.where(mask, labels, 0).unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, token_logps, 0.0).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = (policy_chosen_logps - policy_rejected_logps) - (reference_chosen_logps - reference_rejected_logps)
    losses = -(1 - label_smoothing) * torch.log(torch.sigmoid(beta * h)) - label_smoothing * torch.log(
        torch.sigmoid(-beta * h)
    )
    return (
        losses,
        beta * (policy_chosen_logps - reference_chosen_logps),
        beta * (policy_rejected_logps - reference_rejected_logps),
    )
