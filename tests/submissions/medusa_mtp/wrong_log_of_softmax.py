"""Mistake: the cross-entropy is written as -log(softmax(logits)[target]). The softmax
of a target far below the largest logit underflows to 0 and its log is -inf, so large
logits give an infinite loss; log_softmax (or F.cross_entropy) computes the same
quantity without ever forming the small probability."""

import torch

EXPECTED_TO_FAIL = (
    "test_mtp_loss_matches_the_float64_formula",
    "test_head_zero_is_the_next_token_loss",
    "test_adding_a_constant_to_a_positions_logits_changes_nothing",
)


def mtp_loss(head_logits, tokens, ignore_index=-100):
    K, B, T, V = head_logits.shape
    losses = []
    for k in range(K):
        logits = head_logits[k, :, : T - k - 1].reshape(-1, V)
        targets = tokens[:, k + 1 :].reshape(-1)
        counted = targets != ignore_index
        probs = torch.softmax(logits[counted], dim=-1)
        picked = probs.gather(-1, targets[counted][:, None]).squeeze(-1)
        losses.append(-torch.log(picked).mean())  # log(0) = -inf for large logits
    return torch.stack(losses)


def tree_nodes(paths):
    nodes = {tuple(path[:depth]) for path in paths for depth in range(1, len(path) + 1)}
    return sorted(nodes, key=lambda node: (len(node), node))


def tree_attention_mask(paths):
    nodes = tree_nodes(paths)
    mask = torch.zeros(len(nodes), len(nodes), dtype=torch.bool)
    for i, node in enumerate(nodes):
        for j, other in enumerate(nodes):
            mask[i, j] = node[: len(other)] == other
    return mask


def typical_acceptance(probs, candidate, epsilon=0.09, delta=0.3):
    entropy = -torch.special.xlogy(probs, probs).sum(dim=-1)
    threshold = torch.minimum(torch.full_like(entropy, epsilon), delta * torch.exp(-entropy))
    chosen = probs.gather(-1, candidate.long()[:, None]).squeeze(-1)
    accepted = chosen > threshold
    return int(torch.cumprod(accepted.long(), dim=0).sum())
