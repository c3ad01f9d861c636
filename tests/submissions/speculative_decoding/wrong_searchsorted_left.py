"""Mistake: torch.searchsorted(cdf, u) with its default right=False finds the first
cumulative value >= u instead of > u. It differs only when u equals a cumulative sum
exactly, and then it can return a token of probability 0."""

import torch

EXPECTED_TO_FAIL = ("test_ties_follow_the_stated_rules",)


def _sample(probs, u):
    cdf = torch.cumsum(probs, dim=0)
    return int(torch.searchsorted(cdf, u.reshape(1).to(cdf.dtype)).clamp(max=probs.shape[0] - 1))


def speculative_step(target_probs, draft_probs, draft_tokens, uniforms):
    K = draft_tokens.shape[0]
    emitted = []
    for i in range(K):
        x = int(draft_tokens[i])
        if uniforms[i] < target_probs[i, x] / draft_probs[i, x]:
            emitted.append(x)
            continue
        residual = torch.clamp(target_probs[i] - draft_probs[i], min=0)
        emitted.append(_sample(residual / residual.sum(), uniforms[K]))
        return emitted
    emitted.append(_sample(target_probs[K], uniforms[K]))
    return emitted


def expected_tokens_per_step(alpha, k):
    return float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
