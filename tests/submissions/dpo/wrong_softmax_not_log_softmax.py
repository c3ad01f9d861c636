"""sequence_logps sums the softmax probabilities of the labels instead of their
log-probabilities: the result is a number between 0 and T, not a (negative)
log-probability of the sequence."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_sequence_logps_known_answer",
    "test_sequence_logps_matches_log_sum_exp",
    "test_sequence_logps_is_exact_for_large_logits",
)


def sequence_logps(logits, labels, ignore_index=-100):
    mask = labels != ignore_index
    probs = logits.softmax(-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)  # should be log_softmax
    return (probs * mask).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = (policy_chosen_logps - policy_rejected_logps) - (reference_chosen_logps - reference_rejected_logps)
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    return (
        losses,
        beta * (policy_chosen_logps - reference_chosen_logps),
        beta * (policy_rejected_logps - reference_rejected_logps),
    )
