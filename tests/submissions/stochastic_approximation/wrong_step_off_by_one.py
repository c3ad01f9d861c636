"""Mistake: the step is a/(k + 1) with k already counted from 1, so the first
step is a/2 instead of a: every step is too small and the iterates lag behind."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_each_iterate_is_one_step_from_the_previous",
    "test_linear_root_finding_is_a_running_mean",
)


def incremental_means(xs):
    means, w = [], 0.0
    for k, x in enumerate(xs, start=1):
        w += (x - w) / k
        means.append(w)
    return means


def robbins_monro(coeffs, w0, noise, a=1.0):
    iterates, w = [], w0
    for k, e in enumerate(noise, start=1):
        y = sum(c * w**i for i, c in enumerate(coeffs)) + e
        w -= a / (k + 1) * y  # should be a / k
        iterates.append(w)
    return iterates
