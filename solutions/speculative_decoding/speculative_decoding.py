"""Reference solution: one step of speculative sampling (Leviathan et al. 2023,
Chen et al. 2023) with the draws made by inverse CDF from given uniforms."""

import torch
from torch import Tensor


def sample(probs: Tensor, u: Tensor) -> int:
    """Inverse-CDF sampling: the smallest token whose cumulative probability exceeds u."""
    cdf = torch.cumsum(probs, dim=0)
    # right=True finds the first cdf value strictly greater than u. (The clamp only
    # matters if rounding left cdf[-1] at or below u; the tests never do that.)
    token = torch.searchsorted(cdf, u.reshape(1).to(cdf.dtype), right=True)
    return int(token.clamp(max=probs.shape[0] - 1))


def speculative_step(target_probs: Tensor, draft_probs: Tensor, draft_tokens: Tensor, uniforms: Tensor) -> list[int]:
    K = draft_tokens.shape[0]
    p, q = target_probs, draft_probs  # the paper's names: p the target model, q the draft model
    emitted = []
    for i in range(K):
        x = int(draft_tokens[i])
        # Accept x with probability min(1, p(x) / q(x)): always where the target
        # likes x at least as much as the draft did, less often where the draft over-proposed it.
        if uniforms[i] < p[i, x] / q[i, x]:
            emitted.append(x)
            continue
        # Rejected: draw from what is left of p once the accepted mass is taken out,
        # norm(max(0, p - q)). Together with the acceptances this makes every emitted
        # token distributed exactly as p.
        residual = torch.clamp(p[i] - q[i], min=0)
        emitted.append(sample(residual / residual.sum(), uniforms[K]))
        return emitted
    # All K drafts accepted: the target's distribution after them is free, a bonus token.
    emitted.append(sample(p[K], uniforms[K]))
    return emitted


def expected_tokens_per_step(alpha: float, k: int) -> float:
    # Draft i is reached only if drafts 0..i-1 were accepted, each with probability alpha:
    # E = 1 + alpha + alpha^2 + ... + alpha^k, a geometric sum.
    if alpha == 1:
        return float(k + 1)
    return (1 - alpha ** (k + 1)) / (1 - alpha)
