"""Both functions decouple the weight decay: adam_step shrinks the parameter
as AdamW does instead of adding weight_decay * param to the gradient. The two
optimizers then agree even when weight_decay > 0."""

EXPECTED_TO_FAIL = (
    "test_worked_example",
    "test_adam_matches_torch_optim_adam",
    "test_one_step_from_a_mid_training_state_matches_torch",
    "test_adam_and_adamw_differ_with_weight_decay",
)


def _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps):
    beta1, beta2 = betas
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1**step)
    v_hat = exp_avg_sq / (1 - beta2**step)
    param = param - lr * m_hat / (v_hat.sqrt() + eps)
    return param, exp_avg, exp_avg_sq


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    param = param * (1 - lr * weight_decay)
    return _update(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, weight_decay)
