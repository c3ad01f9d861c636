"""Counts the frozen weight with the adapter: in * out + r * (in + out). The
point of LoRA is that only A and B are trained."""

import torch.nn.functional as F

EXPECTED_TO_FAIL = ("test_param_counts", "test_param_count_is_the_size_of_a_and_b")


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    scale = alpha / lora_a.shape[0]
    return F.linear(x, weight, bias) + scale * F.linear(F.linear(x, lora_a), lora_b)


def merge(weight, lora_a, lora_b, alpha):
    return weight + alpha / lora_a.shape[0] * (lora_b @ lora_a)


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - alpha / lora_a.shape[0] * (lora_b @ lora_a)


def lora_param_count(in_features, out_features, r):
    return in_features * out_features + r * (in_features + out_features)
