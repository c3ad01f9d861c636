"""Reference solution: fp16 rounding by hand, and GradScaler's unscale and update rules."""

from __future__ import annotations

import math

import torch
from torch import Tensor

FLOAT32_MAX = torch.finfo(torch.float32).max  # GradScaler keeps its scale in a float32 tensor


def fp16_bits(x: float) -> tuple[int, int, int]:
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if math.isinf(a):
        return sign, 31, 0
    # a = m · 2**e with 0.5 <= m < 1, so a lies in [2**(e-1), 2**e): its exponent is e - 1.
    # Subnormals (and zero) share the smallest exponent, -14.
    exponent = max(math.frexp(a)[1] - 1, -14)
    # Count a in units of the fp16 spacing at that exponent, 2**(exponent - 10). Scaling by a
    # power of two is exact, and round() on a float rounds half to even: this is the one rounding.
    significand = round(math.ldexp(a, 10 - exponent))
    if significand == 2048:  # rounded up to the next power of two: carry into the exponent
        significand, exponent = 1024, exponent + 1
    if exponent > 15:  # past 65504: overflow to infinity
        return sign, 31, 0
    if significand < 1024:  # subnormal or zero: no implicit leading 1, biased exponent 0
        return sign, 0, significand
    return sign, exponent + 15, significand - 1024  # normal: drop the implicit leading 1


def fp16_round(x: float) -> float:
    sign, exponent, mantissa = fp16_bits(x)
    if exponent == 31:
        magnitude = math.inf
    elif exponent == 0:
        magnitude = math.ldexp(mantissa, -24)  # mantissa/1024 · 2**-14
    else:
        magnitude = math.ldexp(1024 + mantissa, exponent - 25)  # (1 + mantissa/1024) · 2**(exponent-15)
    return -magnitude if sign else magnitude  # -0.0 for a negative zero


def unscale_grads(grads: list[Tensor], scale: float) -> tuple[list[Tensor], bool]:
    # Unscale in float32, as the master weights are kept: an fp16 gradient / scale
    # could underflow in fp16, which is what the scaling was there to prevent.
    unscaled = [grad.to(torch.float32) / scale for grad in grads]
    found_inf = any(not bool(torch.isfinite(g).all()) for g in unscaled)  # inf and NaN alike
    return unscaled, found_inf


def update_scale(
    scale: float,
    growth_tracker: int,
    found_inf: bool,
    growth_factor: float = 2.0,
    backoff_factor: float = 0.5,
    growth_interval: int = 2000,
) -> tuple[float, int]:
    if found_inf:
        # The step was skipped: back off, and start counting good steps again.
        return scale * backoff_factor, 0
    growth_tracker += 1
    if growth_tracker == growth_interval:
        # growth_interval good steps in a row: try a larger scale. GradScaler keeps
        # the old one if the new one would be inf in float32.
        grown = scale * growth_factor
        return (grown if grown <= FLOAT32_MAX else scale), 0
    return scale, growth_tracker
