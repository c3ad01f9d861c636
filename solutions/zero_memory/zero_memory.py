"""Reference solution: per-GPU memory of model states under ZeRO (Rajbhandari et al., 2020)."""

from fractions import Fraction
from math import floor


def bytes_per_param(n_gpus: int, zero_stage: int, param_bytes: int, grad_bytes: int, optimizer_bytes: int) -> Fraction:
    """Per-GPU bytes for each parameter, exactly (a Fraction: partitioned parts divide by n_gpus)."""
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"zero_stage must be 0, 1, 2 or 3, not {zero_stage!r}")
    # Stage s partitions the first s of these across the GPUs; every GPU keeps the rest whole.
    states = [optimizer_bytes, grad_bytes, param_bytes]
    partitioned, replicated = states[:zero_stage], states[zero_stage:]
    return sum(replicated) + Fraction(sum(partitioned), n_gpus)


def training_memory_bytes(
    n_params: int,
    n_gpus: int = 1,
    zero_stage: int = 0,
    param_bytes: int = 2,
    grad_bytes: int = 2,
    optimizer_bytes: int = 12,
) -> float:
    return float(n_params * bytes_per_param(n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes))


def max_trainable_params(memory_bytes: float, n_gpus: int = 1, zero_stage: int = 0) -> int:
    # n parameters fit when n * bytes_per_param <= memory. Exact arithmetic (Fraction of a float
    # is exact), so that a model needing exactly memory_bytes is counted: in floating point,
    # memory / (4 + 12/7) can come out just below the whole number it should be.
    per_param = bytes_per_param(n_gpus, zero_stage, param_bytes=2, grad_bytes=2, optimizer_bytes=12)
    return floor(Fraction(memory_bytes) / per_param)
