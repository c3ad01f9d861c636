"""Scales the adapter by alpha instead of alpha / r: right for r = 1 only. At
rank 8 with alpha = 16 the update is 16 times its size instead of 2."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_forward_matches_the_formula_in_float64",
    "test_merge_matches_the_formula_in_float64",
    "test_repeating_the_rank_with_the_same_alpha_changes_nothing",
)


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    return F.linear(x, weight, bias) + alpha * F.linear(F.linear(x, lora_a), lora_b)  # should be alpha / r


def merge(weight, lora_a, lora_b, alpha):
    return weight + alpha * (lora_b @ lora_a)


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - alpha * (lora_b @ lora_a)


def lora_param_count(in_features, out_features, r):
    return r * (in_features + out_features)
