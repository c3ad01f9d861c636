"""Reference solution: the running mean and Robbins–Monro root finding, one sample at a time."""


def incremental_means(xs: list[float]) -> list[float]:
    # w_k = w_{k-1} + (x_k - w_{k-1}) / k: move a fraction 1/k of the way to the
    # new sample. Unrolled, this is exactly (x_1 + ... + x_k) / k, but no sum is
    # kept, so the value stays the size of the data however many samples come.
    means, w = [], 0.0
    for k, x in enumerate(xs, start=1):
        w += (x - w) / k
        means.append(w)
    return means


def polynomial(coeffs: list[float], w: float) -> float:
    """g(w) = coeffs[0] + coeffs[1]·w + coeffs[2]·w² + ..., by Horner's rule."""
    value = 0.0
    for c in reversed(coeffs):
        value = value * w + c
    return value


def robbins_monro(coeffs: list[float], w0: float, noise: list[float], a: float = 1.0) -> list[float]:
    # We only see noisy values y_k = g(w) + noise. Step against them with a
    # shrinking step a/k: the steps add up to infinity (w can travel to the
    # root from anywhere) while their squares add up to a finite number (the
    # noise averages out instead of kicking w about forever).
    iterates, w = [], w0
    for k, e in enumerate(noise, start=1):
        y = polynomial(coeffs, w) + e
        w -= (a / k) * y
        iterates.append(w)
    return iterates
