"""Mistake: the per-position losses are masked where the target is ignore_index but then
averaged over every shifted position, ignored ones included (.mean() instead of dividing
by the number of counted targets): the loss shrinks as more targets are ignored."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_mtp_loss_known_answer",
    "test_mtp_loss_matches_the_float64_formula",
    "test_head_zero_is_the_next_token_loss",
)


def mtp_loss(head_logits, tokens, ignore_index=-100):
    K, B, T, V = head_logits.shape
    losses = []
    for k in range(K):
        logits = head_logits[k, :, : T - k - 1].reshape(-1, V)
        targets = tokens[:, k + 1 :].reshape(-1)
        per_position = F.cross_entropy(logits, targets, ignore_index=ignore_index, reduction="none")
        losses.append(per_position.mean())  # divides by ignored positions too
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
