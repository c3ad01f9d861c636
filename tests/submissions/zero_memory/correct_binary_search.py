"""Correct, written differently from the reference: the per-stage formulas
written out, and the largest model found by doubling and bisection on an
exact integer test of whether n parameters fit."""

from fractions import Fraction

EXPECTED_TO_FAIL = ()


def _bytes_times_gpus(n_params, n_gpus, zero_stage, p=2, g=2, k=12):
    """n_gpus times the per-GPU bytes: an integer, so comparisons are exact."""
    if zero_stage == 0:
        return (p + g + k) * n_params * n_gpus
    if zero_stage == 1:
        return (p + g) * n_params * n_gpus + k * n_params
    if zero_stage == 2:
        return p * n_params * n_gpus + (g + k) * n_params
    if zero_stage == 3:
        return (p + g + k) * n_params
    raise ValueError(f"ZeRO has stages 0 to 3, not {zero_stage}")


def training_memory_bytes(n_params, n_gpus=1, zero_stage=0, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    total = _bytes_times_gpus(n_params, n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes)
    return total / n_gpus  # int / int: correctly rounded


def max_trainable_params(memory_bytes, n_gpus=1, zero_stage=0):
    budget = Fraction(memory_bytes) * n_gpus

    def fits(n):
        return _bytes_times_gpus(n, n_gpus, zero_stage) <= budget

    low, high = 0, 1  # fits(low) holds; find a high that does not fit
    while fits(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low
