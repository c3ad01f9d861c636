"""GRPO objectives. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/grpo``."""

from torch import Tensor


def group_advantages(rewards: Tensor, group_size: int, eps: float = 1e-6) -> Tensor:
    """Each reward's advantage within its group: ``(r - group mean) / (group std + eps)``.

    ``rewards`` is a 1-D float32 or float64 tensor of G·n rewards: G groups of
    ``group_size`` consecutive entries (the samples drawn for one prompt), so
    ``rewards[g * group_size : (g + 1) * group_size]`` is group g.
    ``group_size >= 2``: the std is the unbiased one (``torch.std``, dividing by
    ``group_size - 1``), which one sample leaves undefined.

    Returns a tensor of the same shape and dtype. A group of equal rewards gets
    advantages 0.
    """
    raise NotImplementedError


def clipped_policy_loss(
    logp_new: Tensor,
    logp_old: Tensor,
    advantages: Tensor,
    mask: Tensor,
    clip_low: float = 0.2,
    clip_high: float = 0.2,
) -> Tensor:
    """The clipped surrogate loss, averaged over all unmasked tokens of the batch.

    ``logp_new``, ``logp_old``: (B, T) log-probabilities of the sampled tokens
    under the current policy and the policy that sampled them; ``advantages``:
    (B,), one per sequence, the same for each of its tokens; ``mask``: (B, T)
    bool, True for the tokens that count (every row has at least one).

    Per token, with ``ρ = exp(logp_new - logp_old)`` and A the sequence's advantage:
    ``-min(ρ·A, clip(ρ, 1 - clip_low, 1 + clip_high)·A)``. The result is the sum of
    these over the unmasked tokens divided by the number of unmasked tokens
    (not a mean per sequence first). Returns a 0-dim tensor in the dtype of ``logp_new``.
    """
    raise NotImplementedError
