"""Mistake: a constant step a, as plain gradient descent with a fixed learning
rate. Without noise it may still reach the root; with noise w never settles:
each step moves it by a·noise, however many steps have been taken."""

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_each_iterate_is_one_step_from_the_previous",
    "test_linear_root_finding_is_a_running_mean",
    "test_converges_to_the_root_under_zero_mean_noise",
)


def incremental_means(xs):
    means, w = [], 0.0
    for k, x in enumerate(xs, start=1):
        w += (x - w) / k
        means.append(w)
    return means


def robbins_monro(coeffs, w0, noise, a=1.0):
    iterates, w = [], w0
    for e in noise:
        y = sum(c * w**i for i, c in enumerate(coeffs)) + e
        w -= a * y  # should shrink: a / k
        iterates.append(w)
    return iterates
