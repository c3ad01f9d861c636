"""Updates the tensors it is given in place, as torch.optim does (lerp_,
addcmul_, addcdiv_), and returns them: the numbers are right, but the caller's
param and moments are overwritten."""

EXPECTED_TO_FAIL = ("test_inputs_are_left_unchanged",)


def _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps):
    beta1, beta2 = betas
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    denom = (exp_avg_sq.sqrt() / (1 - beta2**step) ** 0.5).add_(eps)
    param.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1**step))
    return param, exp_avg, exp_avg_sq


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    return _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    param.mul_(1 - lr * weight_decay)
    return _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)
