"""Direct Preference Optimization. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/dpo``."""

import torch


def sequence_logps(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    """The log-probability of each label sequence: ``(B,)``, in ``logits``' dtype.

    ``logits`` (B, T, V) float32 or float64, already aligned with ``labels``
    (B, T) int64: position ``t`` scores the token ``labels[b, t]``. Sum, over the
    positions whose label is not ``ignore_index``, of ``log_softmax(logits)`` at
    the label. A row whose labels are all ``ignore_index`` gives 0. Logits can
    be large (hundreds): do not take the log of a softmax.
    """
    raise NotImplementedError


def dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    reference_chosen_logps: torch.Tensor,
    reference_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(losses, chosen_rewards, rejected_rewards)``, each ``(B,)`` in the inputs' dtype.

    The four inputs are (B,) sequence log-probabilities (see ``sequence_logps``).
    With h = (policy_chosen - policy_rejected) - (reference_chosen - reference_rejected)
    and ε = ``label_smoothing``:

        losses = -(1 - ε)·logσ(β·h) - ε·logσ(-β·h)
        chosen_rewards = β·(policy_chosen - reference_chosen)
        rejected_rewards = β·(policy_rejected - reference_rejected)

    Per example, not averaged. Must stay finite when |β·h| is in the thousands.
    """
    raise NotImplementedError
