"""The forward pass scales the adapter by alpha / r, but merge and unmerge add
B A unscaled: the merged layer computes something else than the adapter it
replaces."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_merge_matches_the_formula_in_float64",
    "test_merged_layer_equals_the_unmerged_forward",
)


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    scale = alpha / lora_a.shape[0]
    return F.linear(x, weight, bias) + scale * F.linear(F.linear(x, lora_a), lora_b)


def merge(weight, lora_a, lora_b, alpha):
    return weight + lora_b @ lora_a  # missing alpha / r


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - lora_b @ lora_a


def lora_param_count(in_features, out_features, r):
    return r * (in_features + out_features)
