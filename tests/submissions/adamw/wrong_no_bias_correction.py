"""No bias correction: steps with m / (sqrt(v) + eps) straight from the running
averages. They start at zero, so early steps are wrong by a factor of about
(1 - beta1) / sqrt(1 - beta2): at step 1 a tenth of lr times 1 / sqrt(0.001)."""

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_adam_matches_torch_optim_adam",
    "test_adamw_matches_torch_optim_adamw",
    "test_one_step_from_a_mid_training_state_matches_torch",
    "test_adam_and_adamw_differ_with_weight_decay",
)


def _update(param, grad, exp_avg, exp_avg_sq, lr, betas, eps):
    beta1, beta2 = betas
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    param = param - lr * exp_avg / (exp_avg_sq.sqrt() + eps)  # m and v used without correction
    return param, exp_avg, exp_avg_sq


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return _update(param, grad, exp_avg, exp_avg_sq, lr, betas, eps)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    param = param * (1 - lr * weight_decay)
    return _update(param, grad, exp_avg, exp_avg_sq, lr, betas, eps)
