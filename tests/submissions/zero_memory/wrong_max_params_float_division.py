"""max_trainable_params divides in floating point: int(memory / (4 + 12 / n)).
Right almost everywhere, but when a model fits exactly the quotient can come
out as 6999.999999999999 and the floor loses one parameter."""

EXPECTED_TO_FAIL = ("test_a_model_that_fits_exactly_is_counted",)

STATES = {0: (16, 0), 1: (4, 12), 2: (2, 14), 3: (0, 16)}  # stage: (replicated, partitioned) bytes


def training_memory_bytes(n_params, n_gpus=1, zero_stage=0, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"unknown ZeRO stage {zero_stage}")
    states = [optimizer_bytes, grad_bytes, param_bytes]
    return n_params * (sum(states[zero_stage:]) + sum(states[:zero_stage]) / n_gpus)


def max_trainable_params(memory_bytes, n_gpus=1, zero_stage=0):
    if zero_stage not in STATES:
        raise ValueError(f"unknown ZeRO stage {zero_stage}")
    replicated, partitioned = STATES[zero_stage]
    return int(memory_bytes / (replicated + partitioned / n_gpus))
