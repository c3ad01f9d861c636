"""Truncates instead of rounding: int(q) drops the bits below the mantissa,
which rounds towards zero. 0.1 becomes 0.0999145... (mantissa 613) instead of
0.0999755... (614), and 65520 becomes 65504 instead of infinity."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_known_answers",
    "test_fp16_bits_match_struct",
    "test_halfway_values_round_to_even",
    "test_values_beside_halfway_are_rounded_once",
    "test_fp16_round_matches_struct",
)


def fp16_bits(x):
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if math.isinf(a):
        return sign, 31, 0
    exponent = max(math.frexp(a)[1] - 1, -14)
    q = math.ldexp(a, 10 - exponent)
    significand = int(q)  # should round half to even
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
    unscaled = [grad.to(torch.float32) / scale for grad in grads]
    return unscaled, any(not bool(torch.isfinite(g).all()) for g in unscaled)


def update_scale(scale, growth_tracker, found_inf, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    if found_inf:
        return scale * backoff_factor, 0
    growth_tracker += 1
    if growth_tracker == growth_interval:
        grown = scale * growth_factor
        return (grown if grown <= torch.finfo(torch.float32).max else scale), 0
    return scale, growth_tracker
