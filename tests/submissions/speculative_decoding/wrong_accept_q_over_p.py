"""Mistake: the acceptance ratio is upside down: draft token x is kept iff u < q(x)/p(x).
Tokens the draft over-proposes are then accepted more often instead of less, and the
output follows neither model."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_ties_follow_the_stated_rules",
    "test_step_matches_an_exact_oracle",
    "test_emitted_tokens_follow_the_target_model",
)


def _sample(probs, u):
    cdf = torch.cumsum(probs, dim=0)
    return int(torch.searchsorted(cdf, u.reshape(1).to(cdf.dtype), right=True).clamp(max=probs.shape[0] - 1))


def speculative_step(target_probs, draft_probs, draft_tokens, uniforms):
    K = draft_tokens.shape[0]
    emitted = []
    for i in range(K):
        x = int(draft_tokens[i])
        if uniforms[i] < draft_probs[i, x] / target_probs[i, x]:  # should be p / q
            emitted.append(x)
            continue
        residual = torch.clamp(target_probs[i] - draft_probs[i], min=0)
        emitted.append(_sample(residual / residual.sum(), uniforms[K]))
        return emitted
    emitted.append(_sample(target_probs[K], uniforms[K]))
    return emitted


def expected_tokens_per_step(alpha, k):
    return float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
