"""Reference solution: multi-token prediction heads (Gloeckle et al. 2024, DeepSeek-V3's
MTP) and the Medusa decoding pieces (Cai et al. 2024): the training loss, the candidate
tree and its attention mask, and typical acceptance."""

import torch
import torch.nn.functional as F
from torch import Tensor


def mtp_loss(head_logits: Tensor, tokens: Tensor, ignore_index: int = -100) -> Tensor:
    K, B, T, V = head_logits.shape
    losses = []
    for k in range(K):
        shift = k + 1  # head k at position t predicts tokens[t + k + 1]
        # Positions t < T - shift have a target; the last `shift` positions have none.
        logits = head_logits[k, :, : T - shift].reshape(-1, V)
        targets = tokens[:, shift:].reshape(-1)
        # The mean over the positions whose target is not ignore_index.
        losses.append(F.cross_entropy(logits, targets, ignore_index=ignore_index))
    return torch.stack(losses)


def tree_nodes(paths: list[list[int]]) -> list[tuple[int, ...]]:
    # A path [a, b, c] takes the a-th choice of head 0, then the b-th of head 1, ...;
    # its prefixes (a,), (a, b), (a, b, c) are the tree nodes it passes through.
    nodes = {tuple(path[:depth]) for path in paths for depth in range(1, len(path) + 1)}
    # Shallower nodes first (a parent always precedes its children), then lexicographically.
    return sorted(nodes, key=lambda node: (len(node), node))


def tree_attention_mask(paths: list[list[int]]) -> Tensor:
    nodes = tree_nodes(paths)
    N = len(nodes)
    mask = torch.zeros(N, N, dtype=torch.bool)
    for i, node in enumerate(nodes):
        for j, other in enumerate(nodes):
            # A candidate token sees the tokens on its own path: its ancestors and itself.
            mask[i, j] = node[: len(other)] == other
    return mask


def typical_acceptance(probs: Tensor, candidate: Tensor, epsilon: float = 0.09, delta: float = 0.3) -> int:
    # Entropy of each position's distribution, with 0 * log 0 = 0.
    entropy = -torch.special.xlogy(probs, probs).sum(dim=-1)
    # A token is "typical" if the target gives it more than this probability: a hard
    # floor epsilon, lowered where the distribution is flat (high entropy).
    threshold = torch.minimum(torch.full_like(entropy, epsilon), delta * torch.exp(-entropy))
    chosen = probs.gather(-1, candidate.long()[:, None]).squeeze(-1)
    accepted = chosen > threshold
    # Only the leading run counts: after the first rejection the rest of the candidate is discarded.
    return int(torch.cumprod(accepted.long(), dim=0).sum())
