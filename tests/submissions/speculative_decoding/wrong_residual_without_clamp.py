"""Mistake: the residual is p - q without max(0, ·), divided by the rejected mass
sum(max(0, p - q)) = 1 - sum(min(p, q)). The negative entries pull the cumulative sum
down, so the draw lands on later tokens than it should (or runs off the end)."""

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
        if uniforms[i] < target_probs[i, x] / draft_probs[i, x]:
            emitted.append(x)
            continue
        residual = target_probs[i] - draft_probs[i]  # should be clamped at 0
        rejected_mass = 1 - torch.minimum(target_probs[i], draft_probs[i]).sum()
        emitted.append(_sample(residual / rejected_mass, uniforms[K]))
        return emitted
    emitted.append(_sample(target_probs[K], uniforms[K]))
    return emitted


def expected_tokens_per_step(alpha, k):
    return float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
