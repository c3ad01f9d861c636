"""Mistake: the nodes are the distinct paths themselves, not all their prefixes: right
for Medusa's own lists, which contain every prefix, but a path like [0, 0, 2] given
alone leaves out (0,) and (0, 0)."""

import torch
import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_tree_known_answer",
    "test_tree_nodes_are_the_distinct_prefixes_by_length_then_lexicographically",
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
    nodes = {tuple(path) for path in paths if path}  # the prefixes are missing
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
