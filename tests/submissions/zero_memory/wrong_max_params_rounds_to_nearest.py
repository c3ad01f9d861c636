"""max_trainable_params rounds the quotient to the nearest integer instead of
down: when the fraction is .5 or more, the model it returns needs more memory
than there is."""

from fractions import Fraction

EXPECTED_TO_FAIL = (
    "test_max_trainable_params_known_answers",
    "test_max_trainable_params_is_the_largest_that_fits",
)


def _per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes):
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"unknown ZeRO stage {zero_stage}")
    states = [optimizer_bytes, grad_bytes, param_bytes]
    return sum(states[zero_stage:]) + Fraction(sum(states[:zero_stage]), n_gpus)


def training_memory_bytes(n_params, n_gpus=1, zero_stage=0, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    return float(n_params * _per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes))


def max_trainable_params(memory_bytes, n_gpus=1, zero_stage=0):
    return round(Fraction(memory_bytes) / _per_param(n_gpus, zero_stage, 2, 2, 12))  # should be floor
