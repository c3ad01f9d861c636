"""Reference solution: Direct Preference Optimization (Rafailov et al., 2023)."""

import torch
import torch.nn.functional as F


def sequence_logps(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    # log p(token) = logit - logsumexp(logits): log_softmax computes it without
    # exponentiating a large logit, unlike log(softmax(...)).
    logps = logits.log_softmax(dim=-1)
    mask = labels != ignore_index
    # gather needs a valid index everywhere: ignored positions read token 0, then count as 0.
    safe_labels = torch.where(mask, labels, 0)
    token_logps = logps.gather(dim=-1, index=safe_labels.unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, token_logps, 0.0).sum(dim=-1)


def dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    reference_chosen_logps: torch.Tensor,
    reference_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # h: how much more the policy prefers chosen over rejected than the reference does.
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = reference_chosen_logps - reference_rejected_logps
    h = pi_logratios - ref_logratios
    # Bradley-Terry likelihood of the preference under the implicit reward β·log(π/π_ref);
    # label smoothing puts mass ε on the flipped preference. logsigmoid never takes log(0).
    losses = -(1 - label_smoothing) * F.logsigmoid(beta * h) - label_smoothing * F.logsigmoid(-beta * h)
    chosen_rewards = beta * (policy_chosen_logps - reference_chosen_logps)
    rejected_rewards = beta * (policy_rejected_logps - reference_rejected_logps)
    return losses, chosen_rewards, rejected_rewards
