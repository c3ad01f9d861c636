"""Correct, written differently from the reference: the forward pass builds the
update matrix delta_W = (alpha / r) B A with einsum and runs one matmul with
W + delta_W (slower for large layers, same result), adding the bias by hand."""

import torch

EXPECTED_TO_FAIL = ()


def _delta(lora_a, lora_b, alpha):
    rank = lora_a.size(0)
    return torch.einsum("or,ri->oi", lora_b, lora_a) * (alpha / rank)


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    y = torch.matmul(x, (weight + _delta(lora_a, lora_b, alpha)).transpose(0, 1))
    return y if bias is None else y + bias


def merge(weight, lora_a, lora_b, alpha):
    return torch.add(weight, _delta(lora_a, lora_b, alpha))


def unmerge(merged, lora_a, lora_b, alpha):
    return torch.sub(merged, _delta(lora_a, lora_b, alpha))


def lora_param_count(in_features, out_features, r):
    return sum(rows * cols for rows, cols in [(r, in_features), (out_features, r)])
