"""sequence_logps clamps the ignore_index labels to token 0 so that gather
works, but forgets to mask them out: every ignored position (prompt, padding)
adds the log-probability of token 0."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_sequence_logps_known_answer",
    "test_sequence_logps_matches_log_sum_exp",
    "test_ignored_positions_do_not_count",
)


def sequence_logps(logits, labels, ignore_index=-100):
    safe = labels.clamp(min=0)  # the mask is never applied
    return logits.log_softmax(-1).gather(-1, safe.unsqueeze(-1)).squeeze(-1).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = (policy_chosen_logps - policy_rejected_logps) - (reference_chosen_logps - reference_rejected_logps)
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    return (
        losses,
        beta * (policy_chosen_logps - reference_chosen_logps),
        beta * (policy_rejected_logps - reference_rejected_logps),
    )
