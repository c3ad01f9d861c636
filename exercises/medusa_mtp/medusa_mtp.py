"""Multi-token prediction and Medusa. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/medusa_mtp``."""

from torch import Tensor


def mtp_loss(head_logits: Tensor, tokens: Tensor, ignore_index: int = -100) -> Tensor:
    """The mean cross-entropy of each prediction head.

    ``head_logits`` (K, B, T, V) float32 or float64: head k's logits at every position;
    ``tokens`` (B, T) int64. Head k (0-based) at position t predicts ``tokens[:, t + k + 1]``:
    head 0 is the ordinary next-token head. A (head, position) pair counts only if
    ``t + k + 1 < T`` and that target is not ``ignore_index``.

    Returns a (K,) tensor in the dtype of ``head_logits``: entry k is head k's
    cross-entropy averaged over its counted pairs (all sequences of the batch together).
    """
    raise NotImplementedError


def tree_nodes(paths: list[list[int]]) -> list[tuple[int, ...]]:
    """The nodes of the candidate tree: the distinct non-empty prefixes of the paths.

    A path ``[a, b, c]`` takes the a-th most likely token of head 0, then the b-th of
    head 1, then the c-th of head 2; it passes through the nodes ``(a,)``, ``(a, b)``,
    ``(a, b, c)``. Returns them sorted by length, then lexicographically. No paths
    (or only empty ones) give ``[]``. Does not change ``paths``.
    """
    raise NotImplementedError


def tree_attention_mask(paths: list[list[int]]) -> Tensor:
    """The tree attention mask: a bool (N, N) tensor over ``tree_nodes(paths)``, in that
    order, with ``mask[i, j]`` True iff node j is a prefix of node i (node i itself
    included): each candidate token sees only the tokens on its own path.
    """
    raise NotImplementedError


def typical_acceptance(probs: Tensor, candidate: Tensor, epsilon: float = 0.09, delta: float = 0.3) -> int:
    """How many leading tokens of a candidate continuation the target model accepts.

    ``probs`` (L, V) float32 or float64: row t is the target model's distribution for
    position t of the candidate; ``candidate`` (L,) int64. Token t is accepted iff
    ``probs[t, candidate[t]] > min(epsilon, delta * exp(-H(probs[t])))``, with H the
    entropy in nats (0 · log 0 = 0). Returns the number of accepted tokens before the
    first rejected one, a Python int from 0 to L.
    """
    raise NotImplementedError
