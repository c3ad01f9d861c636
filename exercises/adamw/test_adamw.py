"""Tests for adamw: torch.optim.Adam and torch.optim.AdamW, run step by step on
the same gradients, are the oracles."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
SHAPES = [(1,), (7,), (3, 4), (2, 3, 2)]


@st.composite
def hyperparameters(draw, weight_decays=None):
    """lr, betas, eps and weight_decay, drawn so that every part of the update shows: learning
    rates and decays large enough that where the decay is applied matters, and an eps up to 0.1,
    so that adding it inside the square root instead of outside is visible."""
    lr = draw(st.one_of(st.sampled_from([1e-3, 1e-2, 0.1, 0.3]), st.floats(1e-4, 0.5)))
    beta1 = draw(st.one_of(st.sampled_from([0.0, 0.5, 0.9]), st.floats(0.0, 0.99)))
    beta2 = draw(st.one_of(st.sampled_from([0.9, 0.99, 0.999]), st.floats(0.5, 0.9999)))
    eps = draw(st.sampled_from([1e-8, 1e-6, 1e-3, 0.1]))
    if weight_decays is None:
        weight_decays = st.one_of(st.sampled_from([0.0, 1e-2, 0.1, 0.5]), st.floats(0.0, 1.0))
    weight_decay = draw(weight_decays)
    return {"lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}


@st.composite
def training_runs(draw, weight_decays=None):
    """(param, grads, hyper): a parameter tensor, the gradients of 1 to 4 steps (from a drawn
    seed, at a drawn scale, some elements exactly zero, in a drawn memory layout) and the
    hyperparameters."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.sampled_from(SHAPES))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    steps = draw(st.integers(1, 4))
    grad_scale = draw(st.sampled_from([1e-3, 1.0, 10.0]))
    zero_fraction = draw(st.sampled_from([0.0, 0.3]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    param = torch.randn(shape, generator=generator, dtype=torch.float64)
    grads = []
    for _ in range(steps):
        grad = grad_scale * torch.randn(shape, generator=generator, dtype=torch.float64)
        zeroed = torch.rand(shape, generator=generator, dtype=torch.float64) < zero_fraction
        zeroed.view(-1)[0] = False  # never an all-zero gradient
        grads.append(laid_out(grad.masked_fill(zeroed, 0.0).to(dtype), layout))
    return laid_out(param.to(dtype), layout), grads, draw(hyperparameters(weight_decays))


def torch_run(optimizer_class, param, grads, hyper):
    """Run ``torch.optim.<optimizer_class>`` on ``param`` with the given gradients; returns
    (param, exp_avg, exp_avg_sq) after the last step."""
    p = param.clone().requires_grad_(True)
    optimizer = optimizer_class([p], foreach=False, **hyper)
    for grad in grads:
        p.grad = grad.clone()
        optimizer.step()
    state = optimizer.state[p]
    return p.detach(), state["exp_avg"], state["exp_avg_sq"]


def learner_run(submission, function, param, grads, hyper):
    """Call ``function`` once per gradient, from zero moments, feeding back what it returned.
    The learner gets copies, so that the oracle's inputs stay intact whatever it does to them."""
    state = (param.clone(), torch.zeros_like(param), torch.zeros_like(param))
    for step, grad in enumerate(grads, start=1):
        result = getattr(submission, function)(state[0], grad.clone(), state[1], state[2], step, **hyper)
        check_triple(result, function, param)
        state = result
    return state


def check_triple(result, function, param):
    assert isinstance(result, tuple) and len(result) == 3, (
        f"{function} returned {type(result).__name__}, expected a tuple (param, exp_avg, exp_avg_sq)"
    )
    for name, tensor in zip(("param", "exp_avg", "exp_avg_sq"), result):
        assert isinstance(tensor, torch.Tensor), (
            f"{function} returned {name} as {type(tensor).__name__}, expected a Tensor"
        )


def compare_state(got, expected, function, oracle, steps, hyper):
    """assert_close on each of the three tensors, with a name saying which run and which tensor."""
    where = f"after {steps} step(s) of {function} with {describe(hyper)}"
    for name, g, e in zip(("param", "exp_avg", "exp_avg_sq"), got, expected):
        # Operations in another order differ by a few ulps per step; scale the absolute
        # tolerance by the size of the values (gradients reach 10, their squares 100).
        rtol = 1e-5 if e.dtype == torch.float32 else 1e-10
        atol = rtol * float(e.abs().max())
        assert_close(g, e, rtol=rtol, atol=atol, name=f"{name} {where} (expected as {oracle})")


def describe(hyper):
    return ", ".join(f"{key}={value!r}" for key, value in hyper.items())


@pytest.mark.points(2)
def test_worked_example(submission):
    param, grad = torch.tensor([1.0, -2.0], dtype=torch.float64), torch.tensor([0.5, -0.1], dtype=torch.float64)
    zeros = torch.zeros(2, dtype=torch.float64)
    cases = [
        ("adam_step", {"lr": 0.1}, [0.9, -1.9], [0.05, -0.01], [2.5e-4, 1e-5]),
        # L2 decay: g + 0.1·θ = [0.6, -0.3] enters the moments; the step is still lr·sign(g).
        ("adam_step", {"lr": 0.1, "weight_decay": 0.1}, [0.9, -1.9], [0.06, -0.03], [3.6e-4, 9e-5]),
        # Decoupled decay: θ·(1 - 0.1·0.1) = [0.99, -1.98], then the same step as without decay.
        ("adamw_step", {"lr": 0.1, "weight_decay": 0.1}, [0.89, -1.88], [0.05, -0.01], [2.5e-4, 1e-5]),
        ("adamw_step", {"lr": 0.1, "weight_decay": 0.0}, [0.9, -1.9], [0.05, -0.01], [2.5e-4, 1e-5]),
    ]
    for function, hyper, *expected in cases:
        result = getattr(submission, function)(param.clone(), grad.clone(), zeros.clone(), zeros.clone(), 1, **hyper)
        check_triple(result, function, param)
        call = f"{function}([1, -2], [0.5, -0.1], zeros, zeros, step=1, {describe(hyper)})"
        for name, got, want in zip(("param", "exp_avg", "exp_avg_sq"), result, expected):
            # 1e-7: the step is lr·g / (|g| + eps) with eps = 1e-8, not exactly lr·sign(g).
            assert_close(got, torch.tensor(want, dtype=torch.float64), rtol=1e-7, atol=1e-7, name=f"{name} of {call}")


@pytest.mark.points(2)
@given(run=training_runs())
def test_adam_matches_torch_optim_adam(submission, run):
    param, grads, hyper = run
    got = learner_run(submission, "adam_step", param, grads, hyper)
    expected = torch_run(torch.optim.Adam, param, grads, hyper)
    compare_state(got, expected, "adam_step", "torch.optim.Adam", len(grads), hyper)


@pytest.mark.points(2)
@given(run=training_runs())
def test_adamw_matches_torch_optim_adamw(submission, run):
    param, grads, hyper = run
    got = learner_run(submission, "adamw_step", param, grads, hyper)
    expected = torch_run(torch.optim.AdamW, param, grads, hyper)
    compare_state(got, expected, "adamw_step", "torch.optim.AdamW", len(grads), hyper)


@st.composite
def mid_training_states(draw):
    """(param, grad, exp_avg, exp_avg_sq, step, hyper, function): one step from a state that
    training could have reached, at a step number from 1 to 5000."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.sampled_from(SHAPES))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    param, grad, exp_avg, root_v = (torch.randn(shape, generator=generator, dtype=torch.float64) for _ in range(4))
    exp_avg_sq = root_v**2 + exp_avg**2  # at least m²: an average of squares is at least the square of the average
    step = draw(st.one_of(st.integers(1, 20), st.integers(21, 5000)))
    function = draw(st.sampled_from(["adam_step", "adamw_step"]))
    return tuple(t.to(dtype) for t in (param, grad, exp_avg, exp_avg_sq)) + (step, draw(hyperparameters()), function)


@pytest.mark.points(2)
@given(case=mid_training_states())
def test_one_step_from_a_mid_training_state_matches_torch(submission, case):
    param, grad, exp_avg, exp_avg_sq, step, hyper, function = case
    got = getattr(submission, function)(param.clone(), grad.clone(), exp_avg.clone(), exp_avg_sq.clone(), step, **hyper)
    check_triple(got, function, param)
    optimizer_class = torch.optim.Adam if function == "adam_step" else torch.optim.AdamW
    p = param.clone().requires_grad_(True)
    optimizer = optimizer_class([p], foreach=False, **hyper)
    # The state torch keeps between steps: the count of steps taken so far and the moments.
    optimizer.state[p] = {
        "step": torch.tensor(float(step - 1)),
        "exp_avg": exp_avg.clone(),
        "exp_avg_sq": exp_avg_sq.clone(),
    }
    p.grad = grad.clone()
    optimizer.step()
    expected = (p.detach(), optimizer.state[p]["exp_avg"], optimizer.state[p]["exp_avg_sq"])
    compare_state(got, expected, function, f"torch.optim.{optimizer_class.__name__} at step {step}", 1, hyper)


@given(run=training_runs(weight_decays=st.just(0.0)))
def test_adam_and_adamw_agree_without_weight_decay(submission, run):
    param, grads, hyper = run
    adam = learner_run(submission, "adam_step", param, grads, hyper)
    adamw = learner_run(submission, "adamw_step", param, grads, hyper)
    compare_state(
        adamw, adam, "adamw_step", "adam_step's result: without weight decay they are the same", len(grads), hyper
    )


@given(run=training_runs(weight_decays=st.floats(0.1, 1.0)))
def test_adam_and_adamw_differ_with_weight_decay(submission, run):
    param, grads, hyper = run
    # Large enough steps that the two decays lead to visibly different parameters.
    hyper = {**hyper, "lr": max(hyper["lr"], 0.05)}
    for function, own, other in [
        ("adam_step", torch.optim.Adam, torch.optim.AdamW),
        ("adamw_step", torch.optim.AdamW, torch.optim.Adam),
    ]:
        got = learner_run(submission, function, param, grads, hyper)[0]
        expected, wrong = torch_run(own, param, grads, hyper)[0], torch_run(other, param, grads, hyper)[0]
        gap = float((expected - wrong).abs().max())
        error = float((got - expected).abs().max())
        assert error < gap / 10, (
            f"after {len(grads)} step(s) with {describe(hyper)}, {function} is {error:.3g} away from "
            f"torch.optim.{own.__name__} (largest difference), while torch.optim.Adam and torch.optim.AdamW are "
            f"{gap:.3g} apart: with weight_decay > 0 each must follow its own rule"
        )


@given(run=training_runs())
def test_inputs_are_left_unchanged(submission, run):
    param, grads, hyper = run
    exp_avg = 0.1 * grads[0]
    exp_avg_sq = 0.01 * grads[0] ** 2
    for function in ("adam_step", "adamw_step"):
        arguments = [param.clone(), grads[0].clone(), exp_avg.clone(), exp_avg_sq.clone()]
        getattr(submission, function)(*arguments, 2, **hyper)
        for name, before, after in zip(
            ("param", "grad", "exp_avg", "exp_avg_sq"), [param, grads[0], exp_avg, exp_avg_sq], arguments
        ):
            assert torch.equal(before, after), (
                f"{function} changed its argument {name}: it must return new tensors and leave its inputs as they were"
            )
