"""Correct, written differently from the reference: binary16 by the standard
library (struct's 'e' format, whose OverflowError means infinity), the flag
checked on the inputs' float32 copies with a single torch.cat, and the scale
update as an explicit count of good steps."""

import struct

import torch

EXPECTED_TO_FAIL = ()


def _half(x):
    try:
        return struct.unpack("<H", struct.pack("<e", x))[0]
    except OverflowError:
        return 0xFC00 if x < 0 else 0x7C00


def fp16_bits(x):
    h = _half(x)
    return h >> 15, (h >> 10) & 0x1F, h & 0x3FF


def fp16_round(x):
    return struct.unpack("<e", struct.pack("<H", _half(x)))[0]


def unscale_grads(grads, scale):
    out = [torch.div(g.float(), torch.tensor(scale, dtype=torch.float64)).float() for g in grads]
    if not out:
        return [], False
    flat = torch.cat([g.reshape(-1) for g in out])
    return out, bool((flat - flat).isnan().any())  # x - x is NaN exactly for inf and NaN


def update_scale(scale, growth_tracker, found_inf, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    good_steps = 0 if found_inf else growth_tracker + 1
    if found_inf:
        scale = float(torch.tensor(scale, dtype=torch.float32) * backoff_factor)
    elif good_steps == growth_interval:
        grown = torch.tensor(scale, dtype=torch.float32) * growth_factor
        if torch.isfinite(grown):
            scale = float(grown)
        good_steps = 0
    return scale, good_steps
