"""Correct, written differently from the reference: torch.optim's own
formulation (lerp_, addcmul_, a step size lr / bias_correction1 and a
denominator sqrt(v) / sqrt(bias_correction2) + eps) applied in place to
copies of the inputs."""

EXPECTED_TO_FAIL = ()


def _step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, l2, decoupled):
    param, exp_avg, exp_avg_sq = param.clone(), exp_avg.clone(), exp_avg_sq.clone()
    beta1, beta2 = betas
    if decoupled:
        param.mul_(1 - lr * decoupled)
    if l2:
        grad = grad.add(param, alpha=l2)
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    step_size = lr / (1 - beta1**step)
    denom = (exp_avg_sq.sqrt() / (1 - beta2**step) ** 0.5).add_(eps)
    param.addcdiv_(exp_avg, denom, value=-step_size)
    return param, exp_avg, exp_avg_sq


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return _step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, l2=weight_decay, decoupled=0.0)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, l2=0.0, decoupled=weight_decay)
