"""Flattens the leading dimensions with x.view(-1, in_features), which works
only when x's memory layout allows it: a transposed (non-contiguous) x raises
"view size is not compatible with input tensor's size and stride". reshape,
or F.linear, which takes any leading dimensions, work for every layout."""

EXPECTED_TO_FAIL = (
    "test_forward_matches_the_formula_in_float64",
    "test_zero_b_gives_the_base_layer",
    "test_merged_layer_equals_the_unmerged_forward",
    "test_repeating_the_rank_with_the_same_alpha_changes_nothing",
    "test_doubling_alpha_doubles_the_update",
    "test_inputs_are_left_unchanged",
)


def lora_forward(x, weight, bias, lora_a, lora_b, alpha):
    leading = x.shape[:-1]
    flat = x.view(-1, x.shape[-1])  # should be reshape
    y = flat @ weight.T + (alpha / lora_a.shape[0]) * ((flat @ lora_a.T) @ lora_b.T)
    if bias is not None:
        y = y + bias
    return y.view(*leading, weight.shape[0])


def merge(weight, lora_a, lora_b, alpha):
    return weight + alpha / lora_a.shape[0] * (lora_b @ lora_a)


def unmerge(merged, lora_a, lora_b, alpha):
    return merged - alpha / lora_a.shape[0] * (lora_b @ lora_a)


def lora_param_count(in_features, out_features, r):
    return r * (in_features + out_features)
