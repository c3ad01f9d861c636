"""eps inside the square root: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps.
With eps = 1e-8 and gradients near 1 the two hardly differ; with a larger eps,
or small gradients, the steps are visibly shorter or longer than torch's."""

EXPECTED_TO_FAIL = (
    "test_adam_matches_torch_optim_adam",
    "test_adamw_matches_torch_optim_adamw",
    "test_one_step_from_a_mid_training_state_matches_torch",
)


def _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps):
    beta1, beta2 = betas
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1**step)
    v_hat = exp_avg_sq / (1 - beta2**step)
    param = param - lr * m_hat / (v_hat + eps).sqrt()
    return param, exp_avg, exp_avg_sq


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    param = param * (1 - lr * weight_decay)
    return _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)
