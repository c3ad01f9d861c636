"""Lets torch convert: torch.tensor(x, dtype=torch.float16). torch converts a
Python float to float32 first and then to float16: two roundings. A value a
hair above a halfway point becomes the halfway point in float32, and then
rounds to even, which can be the wrong way."""

import torch

EXPECTED_TO_FAIL = ("test_values_beside_halfway_are_rounded_once",)


def fp16_bits(x):
    h = int(torch.tensor(x, dtype=torch.float16).view(torch.int16).item()) & 0xFFFF
    return h >> 15, (h >> 10) & 0x1F, h & 0x3FF


def fp16_round(x):
    return torch.tensor(x, dtype=torch.float16).item()


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
