"""Correct, written differently from the reference: the tensors become Python lists, the
acceptance test is u·q < p (no division), the cumulative sums come from
itertools.accumulate and the inverse CDF from bisect.bisect_right (the first index whose
value is greater than u); the expected tokens are the geometric sum added term by term."""

import bisect
import itertools
import math

EXPECTED_TO_FAIL = ()


def _draw(weights, u):
    cdf = list(itertools.accumulate(weights))
    return min(bisect.bisect_right(cdf, u), len(weights) - 1)


def speculative_step(target_probs, draft_probs, draft_tokens, uniforms):
    p, q, u = target_probs.tolist(), draft_probs.tolist(), uniforms.tolist()
    K = len(q)
    out = []
    for i, x in enumerate(draft_tokens.tolist()):
        if u[i] * q[i][x] < p[i][x]:
            out.append(x)
        else:
            leftover = [max(0.0, a - b) for a, b in zip(p[i], q[i])]
            total = sum(leftover)
            out.append(_draw([w / total for w in leftover], u[K]))
            return out
    out.append(_draw(p[K], u[K]))
    return out


def expected_tokens_per_step(alpha, k):
    return math.fsum(alpha**i for i in range(k + 1))
