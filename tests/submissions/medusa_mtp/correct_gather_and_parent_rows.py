"""Correct, written differently from the reference: the loss from log_softmax, gather and
a mask of counted pairs, summed and divided by their number; the tree built level by
level, each node's mask row its parent's row plus itself; typical acceptance with the
entropy as Medusa's code computes it, -sum(p * log(p + 1e-5)) (the tests keep every
probability clear of the threshold, so the 1e-5 cannot decide), and a plain loop for the
leading run."""

import math

import torch

EXPECTED_TO_FAIL = ()


def mtp_loss(head_logits, tokens, ignore_index=-100):
    K, B, T, V = head_logits.shape
    out = torch.empty(K, dtype=head_logits.dtype)
    for k in range(K):
        n = T - k - 1
        log_probs = torch.log_softmax(head_logits[k, :, :n], dim=-1)  # (B, n, V)
        targets = tokens[:, k + 1 :]  # (B, n)
        counted = targets != ignore_index
        picked = log_probs.gather(-1, targets.clamp(min=0)[..., None]).squeeze(-1)
        out[k] = -(picked * counted).sum() / counted.sum()
    return out


def tree_nodes(paths):
    depth = max((len(path) for path in paths), default=0)
    nodes = []
    for d in range(1, depth + 1):
        level = sorted({tuple(path[:d]) for path in paths if len(path) >= d})
        nodes.extend(level)
    return nodes


def tree_attention_mask(paths):
    nodes = tree_nodes(paths)
    index = {node: i for i, node in enumerate(nodes)}
    mask = torch.zeros(len(nodes), len(nodes), dtype=torch.bool)
    for i, node in enumerate(nodes):
        if len(node) > 1:
            mask[i] = mask[index[node[:-1]]]  # the parent comes earlier: its row is complete
        mask[i, i] = True
    return mask


def typical_acceptance(probs, candidate, epsilon=0.09, delta=0.3):
    rows = probs.double().tolist()
    count = 0
    for row, token in zip(rows, candidate.tolist()):
        entropy = -sum(p * math.log(p + 1e-5) for p in row)
        if not row[token] > min(epsilon, delta * math.exp(-entropy)):
            break
        count += 1
    return count
