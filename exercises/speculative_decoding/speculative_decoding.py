"""Speculative decoding. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/speculative_decoding``."""

from torch import Tensor


def speculative_step(target_probs: Tensor, draft_probs: Tensor, draft_tokens: Tensor, uniforms: Tensor) -> list[int]:
    """One step of speculative sampling: the tokens the target model lets through.

    ``target_probs`` (K + 1, V): row i is the target model's next-token distribution p_i
    after the first i draft tokens (row K: after all of them). ``draft_probs`` (K, V):
    row i is the draft model's distribution q_i that ``draft_tokens[i]`` was sampled
    from, so ``q_i(draft_tokens[i]) > 0``. ``draft_tokens`` (K,) int64. ``uniforms``
    (K + 1,) in [0, 1), the dtype of the probabilities. Rows sum to 1 up to rounding.
    K may be 0.

    For i = 0, 1, ..., K - 1, with x = draft_tokens[i]: accept x iff
    ``uniforms[i] < p_i(x) / q_i(x)`` (strictly). At the first rejection emit one token
    drawn from ``norm(max(0, p_i - q_i))`` and stop. If all K are accepted, emit a bonus
    token drawn from ``target_probs[K]``. Either draw uses ``uniforms[K]`` by inverse CDF:
    the smallest token whose cumulative probability is strictly greater than the uniform.

    Returns the emitted tokens as a list of 1 to K + 1 Python ints: the accepted draft
    tokens, then the one drawn token.
    """
    raise NotImplementedError


def expected_tokens_per_step(alpha: float, k: int) -> float:
    """The expected number of tokens one step emits when each of the ``k`` draft tokens
    is accepted with probability ``alpha`` (0 <= alpha <= 1), independently:
    ``(1 - alpha ** (k + 1)) / (1 - alpha)``, and ``k + 1`` at ``alpha == 1``. k >= 0.
    """
    raise NotImplementedError
