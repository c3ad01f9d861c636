"""Mistake: the running mean steps by (x - w)/(k + 1) with k counted from 1, so it
starts at x_1/2 and stays biased towards the starting value 0."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_huge_samples_do_not_overflow",
    "test_every_running_mean_equals_the_batch_mean",
)


def incremental_means(xs):
    means, w = [], 0.0
    for k, x in enumerate(xs, start=1):
        w += (x - w) / (k + 1)  # should be / k
        means.append(w)
    return means


def robbins_monro(coeffs, w0, noise, a=1.0):
    iterates, w = [], w0
    for k, e in enumerate(noise, start=1):
        y = sum(c * w**i for i, c in enumerate(coeffs)) + e
        w -= (a / k) * y
        iterates.append(w)
    return iterates
