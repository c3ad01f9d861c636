"""Reference solution: one step of Adam and of AdamW, as torch.optim computes them."""

from __future__ import annotations

from torch import Tensor


def _adam_update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps):
    """The part Adam and AdamW share: moments, bias correction, the step."""
    beta1, beta2 = betas
    # Running averages of the gradient and of its square. Written as new
    # tensors (no in-place ops), so the caller's tensors are left as they were.
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    # Both averages start at zero, so after `step` updates their weights sum to
    # 1 - beta**step, not 1: dividing by it removes the bias towards zero
    # (at step 1, m_hat = grad and v_hat = grad**2 exactly).
    m_hat = exp_avg / (1 - beta1**step)
    v_hat = exp_avg_sq / (1 - beta2**step)
    # eps is added to the square root, not inside it.
    param = param - lr * m_hat / (v_hat.sqrt() + eps)
    return param, exp_avg, exp_avg_sq


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
    # L2 regularisation: the penalty's gradient joins the loss's gradient, so it
    # is averaged into the moments and divided by sqrt(v_hat) like the rest.
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return _adam_update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)


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
    # Decoupled weight decay: shrink the parameter itself (as it was before this
    # step), and keep the decay out of the moments.
    param = param * (1 - lr * weight_decay)
    return _adam_update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)
