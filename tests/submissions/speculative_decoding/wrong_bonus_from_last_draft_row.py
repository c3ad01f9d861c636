"""Mistake: the bonus token after K accepted drafts is drawn from target_probs[K - 1],
the target's distribution for the last draft position, instead of target_probs[K], the
distribution after it (an off-by-one; with K = 0 it reads target_probs[-1])."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_ties_follow_the_stated_rules",
    "test_step_matches_an_exact_oracle",
    "test_draft_equal_to_target_accepts_everything",
)


def _sample(probs, u):
    cdf = torch.cumsum(probs, dim=0)
    return int(torch.searchsorted(cdf, u.reshape(1).to(cdf.dtype), right=True).clamp(max=probs.shape[0] - 1))


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
    emitted.append(_sample(target_probs[K - 1], uniforms[K]))  # should be target_probs[K]
    return emitted


def expected_tokens_per_step(alpha, k):
    return float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
