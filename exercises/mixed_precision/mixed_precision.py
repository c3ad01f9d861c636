"""Mixed precision: fp16 and dynamic loss scaling. Read README.md in this folder, then
replace each ``raise NotImplementedError`` with your code and run
``grade exercises/mixed_precision``."""

from __future__ import annotations

from torch import Tensor


def fp16_bits(x: float) -> tuple[int, int, int]:
    """The fields ``(sign, exponent, mantissa)`` of the IEEE binary16 value nearest to ``x``.

    Round half to even. ``sign`` is 0 or 1 (1 for -0.0), ``exponent`` the biased
    exponent 0..31, ``mantissa`` the 10-bit fraction 0..1023. Values that round
    past 65504, and ±inf, give infinity: ``(sign, 31, 0)``. ``x`` is never NaN.
    """
    raise NotImplementedError


def fp16_round(x: float) -> float:
    """The binary16 value nearest to ``x`` (half to even) as a Python float.

    ±inf on overflow; the sign of zero is kept (``fp16_round(-1e-10) == -0.0``).
    """
    raise NotImplementedError


def unscale_grads(grads: list[Tensor], scale: float) -> tuple[list[Tensor], bool]:
    """Each gradient divided by ``scale`` as a new float32 tensor of the same shape, and
    whether any result holds inf or NaN (a Python bool).

    The inputs may be float16, bfloat16, float32 or float64; they are not modified.
    ``[]`` gives ``([], False)``.
    """
    raise NotImplementedError


def update_scale(
    scale: float,
    growth_tracker: int,
    found_inf: bool,
    growth_factor: float = 2.0,
    backoff_factor: float = 0.5,
    growth_interval: int = 2000,
) -> tuple[float, int]:
    """The new ``(scale, growth_tracker)``, exactly as ``torch.amp.GradScaler.update()``.

    On ``found_inf`` the scale is multiplied by ``backoff_factor`` and the tracker
    reset to 0. Otherwise the tracker counts one more good step; when it reaches
    ``growth_interval`` the scale is multiplied by ``growth_factor`` (unless that
    is not finite in float32: then it stays) and the tracker is reset to 0.
    """
    raise NotImplementedError
