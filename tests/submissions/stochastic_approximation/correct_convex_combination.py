"""Correct, written differently from the reference: the running mean as the convex
combination (1 - 1/k)·w + (1/k)·x, the polynomial as a sum of powers, and the
step as a·y/k."""

EXPECTED_TO_FAIL = ()


def incremental_means(xs):
    out = []
    w = 0.0
    k = 0
    for x in xs:
        k += 1
        w = (1 - 1 / k) * w + x / k
        out.append(w)
    return out


def robbins_monro(coeffs, w0, noise, a=1.0):
    out = []
    w = w0
    for k in range(1, len(noise) + 1):
        y = sum(c * w**i for i, c in enumerate(coeffs)) + noise[k - 1]
        w = w - a * y / k
        out.append(w)
    return out
