"""Mistake: expected_tokens_per_step sums one term too few, 1 + alpha + ... + alpha^(k-1)
= (1 - alpha^k) / (1 - alpha) (and k at alpha = 1), as if the last draft could never be
reached or the step's own final token did not count. The step itself is correct."""

import torch

EXPECTED_TO_FAIL = (
    "test_expected_tokens_per_step_known_values",
    "test_expected_tokens_per_step_is_the_geometric_sum",
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
    emitted.append(_sample(target_probs[K], uniforms[K]))
    return emitted


def expected_tokens_per_step(alpha, k):
    return float(k) if alpha == 1 else (1 - alpha**k) / (1 - alpha)  # should be k + 1
