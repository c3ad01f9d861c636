"""Unscales in place, as GradScaler does to .grad: the gradients keep their
dtype (fp16 stays fp16, where small values underflow again) and the
caller's tensors are overwritten."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_scaler_known_answers",
    "test_unscale_grads_matches_torch",
    "test_unscale_grads_leaves_its_inputs_unchanged",
)


def fp16_bits(x):
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if math.isinf(a):
        return sign, 31, 0
    exponent = max(math.frexp(a)[1] - 1, -14)
    significand = round(math.ldexp(a, 10 - exponent))
    if significand == 2048:
        significand, exponent = 1024, exponent + 1
    if exponent > 15:
        return sign, 31, 0
    if significand < 1024:
        return sign, 0, significand
    return sign, exponent + 15, significand - 1024


def fp16_round(x):
    sign, exponent, mantissa = fp16_bits(x)
    if exponent == 31:
        magnitude = math.inf
    elif exponent == 0:
        magnitude = math.ldexp(mantissa, -24)
    else:
        magnitude = math.ldexp(1024 + mantissa, exponent - 25)
    return -magnitude if sign else magnitude


def unscale_grads(grads, scale):
    for grad in grads:
        grad.div_(scale)  # in place, in the gradient's own dtype
    return grads, any(not bool(torch.isfinite(g).all()) for g in grads)


def update_scale(scale, growth_tracker, found_inf, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    if found_inf:
        return scale * backoff_factor, 0
    growth_tracker += 1
    if growth_tracker == growth_interval:
        grown = scale * growth_factor
        return (grown if grown <= torch.finfo(torch.float32).max else scale), 0
    return scale, growth_tracker
