"""Counts the stages from 1 for what they partition: stage s partitions s + 1
states, so stage 1 already splits the gradients and stage 2 the parameters
(and stage 3 the same as 2). Stage 1 partitions the optimizer states only."""

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
    states = [optimizer_bytes, grad_bytes, param_bytes]
    split = 0 if zero_stage == 0 else zero_stage + 1  # one state too many
    return sum(states[split:]) + Fraction(sum(states[:split]), n_gpus)


def training_memory_bytes(n_params, n_gpus=1, zero_stage=0, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    return float(n_params * _per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes))


def max_trainable_params(memory_bytes, n_gpus=1, zero_stage=0):
    return floor(Fraction(memory_bytes) / _per_param(n_gpus, zero_stage, 2, 2, 12))
