"""Mistake: the polynomial evaluated with numpy.polyval's order (coeffs[0] is the
highest degree), so [-2, 1] becomes -2w + 1 instead of w - 2: the wrong root,
and a decreasing function that pushes w away from it."""

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
    for k, e in enumerate(noise, start=1):
        value = 0.0
        for c in coeffs:  # Horner from coeffs[0]: polyval's order, highest degree first
            value = value * w + c
        w -= (a / k) * (value + e)
        iterates.append(w)
    return iterates
