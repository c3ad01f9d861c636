"""Takes the rank from the wrong matrix: r = lora_b.shape[0], which is
out_features. B is (out, r); A is (r, in), so r = lora_a.shape[0]."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_forward_matches_the_formula_in_float64",
    "test_merge_matches_the_formula_in_float64",
    "test_repeating_the_rank_with_the_same_alpha_changes_nothing",
)


def _scale(lora_b, alpha):
    return alpha / lora_b.shape[0]  # out_features, not the rank


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    return F.linear(x, weight, bias) + _scale(lora_b, alpha) * F.linear(F.linear(x, lora_a), lora_b)


def merge(weight, lora_a, lora_b, alpha):
    return weight + _scale(lora_b, alpha) * (lora_b @ lora_a)


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - _scale(lora_b, alpha) * (lora_b @ lora_a)


def lora_param_count(in_features, out_features, r):
    return r * (in_features + out_features)
