"""Adam and AdamW. Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/adamw``."""

from __future__ import annotations

from torch import Tensor


def adam_step(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    step: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[Tensor, Tensor, Tensor]:
    """One step of Adam, as ``torch.optim.Adam``: returns the new ``(param, exp_avg, exp_avg_sq)``.

    All four tensors have the same shape and dtype (float32 or float64); the
    results do too. ``exp_avg`` and ``exp_avg_sq`` are the running averages of
    the gradient and of its square (zeros before the first step). ``step`` is
    the 1-based number of this update. ``weight_decay`` is an L2 penalty: its
    gradient ``weight_decay * param`` is added to ``grad`` before the moments.
    Return new tensors; do not modify the arguments.
    """
    raise NotImplementedError


def adamw_step(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    step: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> tuple[Tensor, Tensor, Tensor]:
    """One step of AdamW, as ``torch.optim.AdamW``: returns the new ``(param, exp_avg, exp_avg_sq)``.

    As ``adam_step``, but the weight decay is decoupled: ``param`` is first
    multiplied by ``1 - lr * weight_decay`` (the parameter from before this
    step), and ``grad`` is used as given. Return new tensors; do not modify the
    arguments.
    """
    raise NotImplementedError
