"""Mistake: when every draft token is accepted the step ends there, without the bonus
token from target_probs[K]: at most K tokens per step instead of K + 1, and a step
with K = 0 emits nothing."""

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_ties_follow_the_stated_rules",
    "test_step_matches_an_exact_oracle",
    "test_draft_equal_to_target_accepts_everything",
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
        if uniforms[i] < target_probs[i, x] / draft_probs[i, x]:
            emitted.append(x)
            continue
        residual = torch.clamp(target_probs[i] - draft_probs[i], min=0)
        emitted.append(_sample(residual / residual.sum(), uniforms[K]))
        return emitted
    return emitted  # the bonus token from target_probs[K] is missing


def expected_tokens_per_step(alpha, k):
    return float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
