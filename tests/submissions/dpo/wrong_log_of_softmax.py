"""sequence_logps takes torch.log(torch.softmax(...)): right for moderate logits,
but with logits in the hundreds the softmax of every non-maximal token
underflows to 0 and its log is -inf."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_sequence_logps_is_exact_for_large_logits",)


def sequence_logps(logits, labels, ignore_index=-100):
    mask = labels != ignore_index
    logps = torch.log(torch.softmax(logits, dim=-1))  # unstable: log(0) = -inf
    token_logps = logps.gather(-1, torch.where(mask, labels, 0).unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, token_logps, 0.0).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = (policy_chosen_logps - policy_rejected_logps) - (reference_chosen_logps - reference_rejected_logps)
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    return (
        losses,
        beta * (policy_chosen_logps - reference_chosen_logps),
        beta * (policy_rejected_logps - reference_rejected_logps),
    )
