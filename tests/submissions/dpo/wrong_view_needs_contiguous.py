"""sequence_logps flattens with .view(-1, V) for cross_entropy: right for
contiguous tensors, but logits[:, :-1] and labels[:, 1:] (how a causal LM's
outputs are shifted before this call) are non-contiguous, and .view raises
RuntimeError on them; .reshape or .flatten would copy when needed."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_sequence_logps_matches_log_sum_exp",
    "test_sequence_logps_is_exact_for_large_logits",
)


def sequence_logps(logits, labels, ignore_index=-100):
    batch, length, vocab = logits.shape
    nll = F.cross_entropy(logits.view(-1, vocab), labels.view(-1), ignore_index=ignore_index, reduction="none")
    return -nll.view(batch, length).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps,
             beta=0.1, label_smoothing=0.0):  # fmt: skip
    h = (policy_chosen_logps - policy_rejected_logps) - (reference_chosen_logps - reference_rejected_logps)
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    return (
        losses,
        beta * (policy_chosen_logps - reference_chosen_logps),
        beta * (policy_rejected_logps - reference_rejected_logps),
    )
