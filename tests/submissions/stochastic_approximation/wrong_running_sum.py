"""Mistake: the mean as a running sum divided by the count. Right on ordinary
numbers, but the sum overflows to inf when two large samples are added,
which the update w + (x - w)/k never does."""

EXPECTED_TO_FAIL = ("test_huge_samples_do_not_overflow",)


def incremental_means(xs):
    means, total = [], 0.0
    for k, x in enumerate(xs, start=1):
        total += x
        means.append(total / k)
    return means


def robbins_monro(coeffs, w0, noise, a=1.0):
    iterates, w = [], w0
    for k, e in enumerate(noise, start=1):
        y = sum(c * w**i for i, c in enumerate(coeffs)) + e
        w -= (a / k) * y
        iterates.append(w)
    return iterates
