"""Leaves out the bias: x @ weight.T plus the adapter, as if every layer had
bias=False."""

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_forward_matches_the_formula_in_float64",
    "test_zero_b_gives_the_base_layer",
    "test_merged_layer_equals_the_unmerged_forward",
    "test_doubling_alpha_doubles_the_update",
)


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    scale = alpha / lora_a.shape[0]
    return x @ weight.T + scale * ((x @ lora_a.T) @ lora_b.T)  # bias ignored


def merge(weight, lora_a, lora_b, alpha):
    return weight + alpha / lora_a.shape[0] * (lora_b @ lora_a)


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - alpha / lora_a.shape[0] * (lora_b @ lora_a)


def lora_param_count(in_features, out_features, r):
    return r * (in_features + out_features)
