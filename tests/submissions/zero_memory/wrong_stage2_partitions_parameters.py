"""Stage 2 partitions the parameters too, as if it were stage 3: it divides
all 16 bytes per parameter by the GPU count. Stage 2 keeps the fp16
parameters whole on every GPU (2 bytes each); only stage 3 splits them."""

from fractions import Fraction
from math import floor

EXPECTED_TO_FAIL = (
    "test_known_answers_from_the_zero_paper",
    "test_max_trainable_params_known_answers",
    "test_training_memory_matches_the_paper_formula",
    "test_max_trainable_params_is_the_largest_that_fits",
    "test_a_model_that_fits_exactly_is_counted",
)


def _per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes):
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"unknown ZeRO stage {zero_stage}")
    if zero_stage == 0:
        return Fraction(param_bytes + grad_bytes + optimizer_bytes)
    if zero_stage == 1:
        return param_bytes + grad_bytes + Fraction(optimizer_bytes, n_gpus)
    return Fraction(param_bytes + grad_bytes + optimizer_bytes, n_gpus)  # stages 2 and 3 alike


def training_memory_bytes(n_params, n_gpus=1, zero_stage=0, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    return float(n_params * _per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes))


def max_trainable_params(memory_bytes, n_gpus=1, zero_stage=0):
    return floor(Fraction(memory_bytes) / _per_param(n_gpus, zero_stage, 2, 2, 12))
