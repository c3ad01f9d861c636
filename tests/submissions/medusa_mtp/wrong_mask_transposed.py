"""Mistake: mask[i, j] is True when node i is a prefix of node j, the transpose: each
node attends to its descendants (the future) instead of its ancestors."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_tree_known_answer",
    "test_tree_mask_is_the_prefix_relation",
    "test_tree_mask_is_lower_triangular_with_depth_on_each_row",
)


def mtp_loss(head_logits, tokens, ignore_index=-100):
    K, B, T, V = head_logits.shape
    losses = []
    for k in range(K):
        logits = head_logits[k, :, : T - k - 1].reshape(-1, V)
        targets = tokens[:, k + 1 :].reshape(-1)
        losses.append(F.cross_entropy(logits, targets, ignore_index=ignore_index))
    return torch.stack(losses)


def tree_nodes(paths):
    nodes = {tuple(path[:depth]) for path in paths for depth in range(1, len(path) + 1)}
    return sorted(nodes, key=lambda node: (len(node), node))


def tree_attention_mask(paths):
    nodes = tree_nodes(paths)
    mask = torch.zeros(len(nodes), len(nodes), dtype=torch.bool)
    for i, node in enumerate(nodes):
        for j, other in enumerate(nodes):
            mask[i, j] = other[: len(node)] == node  # i is a prefix of j: the transpose
    return mask


def typical_acceptance(probs, candidate, epsilon=0.09, delta=0.3):
    entropy = -torch.special.xlogy(probs, probs).sum(dim=-1)
    threshold = torch.minimum(torch.full_like(entropy, epsilon), delta * torch.exp(-entropy))
    chosen = probs.gather(-1, candidate.long()[:, None]).squeeze(-1)
    accepted = chosen > threshold
    return int(torch.cumprod(accepted.long(), dim=0).sum())
