"""Tests for moe_router: a float64 softmax with a stable sort as the oracle, the
Switch Transformer loss written out, and the values it is known to take."""

import math

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close

DTYPES = [torch.float32, torch.float64]


def tolerances(dtype):
    """A float32 result against the float64 oracle (rounded to float32) may be off by float32 rounding."""
    return {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {}


def shown(row):
    return [round(x, 4) for x in row]


def softmax_rows(logits):
    """The softmax of each row in float64, written out: exp(x - max) / sum, as lists."""
    rows = []
    for row in logits.double().tolist():
        top = max(row)
        exps = [math.exp(x - top) for x in row]
        rows.append([e / sum(exps) for e in exps])
    return rows


def expected_routing(logits, k):
    """(weights, experts) as lists: per token, the k most probable experts (equal
    probabilities in ascending index order) and their probabilities renormalised."""
    weights, experts = [], []
    for probs in softmax_rows(logits):
        chosen = sorted(range(len(probs)), key=lambda e: (-probs[e], e))[:k]
        total = sum(probs[e] for e in chosen)
        weights.append([probs[e] / total for e in chosen])
        experts.append(chosen)
    return weights, experts


def expected_balancing_loss(logits, experts):
    """E · Σ_i f_i · P_i in float64: f_i over the T·k assignments, P_i the mean probability."""
    probs = softmax_rows(logits)
    tokens, num_experts = len(probs), len(probs[0])
    assignments = experts.reshape(-1).tolist()
    f = [assignments.count(i) / len(assignments) for i in range(num_experts)]
    P = [sum(row[i] for row in probs) / tokens for i in range(num_experts)]
    return num_experts * sum(f_i * P_i for f_i, P_i in zip(f, P))


def check_weights(got, logits, k, expected, name="weights"):
    assert_close(got, torch.tensor(expected, dtype=logits.dtype).reshape(-1, k), name=name, **tolerances(logits.dtype))


def check_experts(got, logits, k, expected):
    assert isinstance(got, torch.Tensor) and got.dtype == torch.int64, (
        f"top_k_routing returned experts as {getattr(got, 'dtype', type(got).__name__)}, expected an int64 tensor"
    )
    assert list(got.shape) == [logits.shape[0], k], (
        f"top_k_routing(logits of shape {list(logits.shape)}, k={k}) returned experts of shape "
        f"{list(got.shape)}, expected {[logits.shape[0], k]}"
    )
    for token, (row, want, logit_row) in enumerate(zip(got.tolist(), expected, logits.tolist())):
        assert row == want, (
            f"top_k_routing(logits, k={k}) sent token {token}, with logits {shown(logit_row)}, to experts {row}; "
            f"expected {want}: the k largest probabilities in descending order, equal ones in ascending expert index"
        )


def logit_tensor(seed, tokens, experts, dtype, step, scale):
    """Logits rounded to multiples of ``step``: a coarse step makes equal probabilities.
    Never all zeros."""
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(tokens, experts, generator=generator, dtype=torch.float64)
    logits = torch.round(logits * scale / step) * step + 0.0  # + 0.0 turns -0.0 into 0.0
    if tokens and not logits.any():
        logits[0, 0] = step
    return logits.to(dtype)


@st.composite
def routing_inputs(draw, max_tokens=6, max_experts=8):
    """``(router_logits, k)``: 1 to 6 tokens, 1 to 8 experts, logits on a grid
    (steps 1 and 1/2 give many ties), float32 or float64."""
    tokens, experts = draw(st.integers(1, max_tokens)), draw(st.integers(1, max_experts))
    k = draw(st.integers(1, experts))
    logits = logit_tensor(
        seed=draw(st.integers(0, 2**32 - 1)),
        tokens=tokens,
        experts=experts,
        dtype=draw(st.sampled_from(DTYPES)),
        step=draw(st.sampled_from([1.0, 0.5, 1 / 64])),
        scale=draw(st.sampled_from([1.0, 4.0])),
    )
    return logits, k


def random_assignments(generator, tokens, num_experts, k):
    """(T, k) int64: k distinct experts per token, drawn at random."""
    return torch.stack([torch.randperm(num_experts, generator=generator)[:k] for _ in range(tokens)])


@st.composite
def balancing_inputs(draw):
    """``(router_logits, experts)``: the experts either chosen by top-k routing or at random."""
    logits, k = draw(routing_inputs())
    if draw(st.booleans()):
        experts = torch.tensor(expected_routing(logits, k)[1], dtype=torch.int64)
    else:
        generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
        experts = random_assignments(generator, logits.shape[0], logits.shape[1], k)
    return logits, experts


@pytest.mark.points(2)
def test_known_answers(submission):
    # Probabilities [1, 2, 3, 2] / 8 and [4, 2, 1, 1] / 8. Top-2 of the first: expert 2
    # (3/8), then experts 1 and 3 tie at 2/8 and the lower index wins.
    logits = torch.log(torch.tensor([[1.0, 2.0, 3.0, 2.0], [4.0, 2.0, 1.0, 1.0]], dtype=torch.float64))
    weights, experts = submission.top_k_routing(logits, 2)
    check_experts(experts, logits, 2, [[2, 1], [0, 1]])
    check_weights(
        weights, logits, 2, [[0.6, 0.4], [2 / 3, 1 / 3]], name="top_k_routing(log([[1,2,3,2],[4,2,1,1]]), 2) weights"
    )
    # f = [1, 2, 1, 0] / 4, P = [5, 4, 4, 3] / 16: 4 · (5 + 8 + 4) / 64 = 17 / 16.
    loss = submission.load_balancing_loss(logits, torch.tensor([[2, 1], [0, 1]]))
    assert_close(loss, torch.tensor(17 / 16, dtype=torch.float64), name="load_balancing_loss of the example")
    # k = 1: the single weight is always 1.
    weights, experts = submission.top_k_routing(logits, 1)
    check_experts(experts, logits, 1, [[2], [0]])
    check_weights(weights, logits, 1, [[1.0], [1.0]], name="top_k_routing(logits, k=1) weights")


@pytest.mark.points(2)
@given(case=routing_inputs())
def test_weights_are_the_top_k_probabilities_renormalised(submission, case):
    logits, k = case
    weights, _ = submission.top_k_routing(logits, k)
    expected_weights, _ = expected_routing(logits, k)
    if isinstance(weights, torch.Tensor) and list(weights.shape) == [logits.shape[0], k]:
        sums = weights.double().sum(dim=-1).tolist()
        assert all(abs(s - 1) < 1e-5 for s in sums), (
            f"top_k_routing(logits of shape {list(logits.shape)}, k={k}) returned weights whose rows sum to "
            f"{shown(sums)}, expected 1: divide the k chosen probabilities by their sum"
        )
    check_weights(weights, logits, k, expected_weights, name=f"top_k_routing(logits, k={k}) weights")


@pytest.mark.points(2)
@given(case=routing_inputs())
def test_experts_are_the_most_probable_with_ties_to_the_lower_index(submission, case):
    logits, k = case
    _, experts = submission.top_k_routing(logits, k)
    check_experts(experts, logits, k, expected_routing(logits, k)[1])


@st.composite
def shifted_routing_inputs(draw):
    """``(router_logits, k, shifts)``: a constant of up to ±2000 to add to each token's logits."""
    logits, k = draw(routing_inputs())
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    shifts = torch.randint(-2000, 2001, (logits.shape[0], 1), generator=generator).to(logits.dtype)
    return logits, k, shifts


@given(case=shifted_routing_inputs())
def test_large_logits_do_not_overflow(submission, case):
    # Adding a constant to a token's logits leaves its softmax unchanged; exp(2000)
    # overflows, so the row maximum must be subtracted first.
    logits, k, shifts = case
    weights, experts = submission.top_k_routing(logits + shifts, k)
    expected_weights, expected_experts = expected_routing(logits, k)
    check_weights(
        weights,
        logits,
        k,
        expected_weights,
        name=(
            f"top_k_routing(logits shifted by {shifts.flatten().tolist()}, k={k}) weights "
            "(exp overflows past about 88 in float32: subtract each row's maximum first)"
        ),
    )
    check_experts(experts, logits + shifts, k, expected_experts)


def test_no_tokens_give_empty_results(submission):
    logits = torch.empty(0, 4, dtype=torch.float32)
    weights, experts = submission.top_k_routing(logits, 2)
    assert list(weights.shape) == [0, 2] and list(experts.shape) == [0, 2], (
        f"top_k_routing(an empty (0, 4) tensor, k=2) returned shapes {list(weights.shape)} and "
        f"{list(experts.shape)}, expected [0, 2] and [0, 2]"
    )


@st.composite
def realistic_routing_inputs(draw):
    """A batch of 256 to 1024 tokens for 8, 16 or 64 experts, as in Mixtral, DeepSeekMoE or Switch."""
    experts = draw(st.sampled_from([8, 16, 64]))
    logits = logit_tensor(
        seed=draw(st.integers(0, 2**32 - 1)),
        tokens=draw(st.integers(256, 1024)),
        experts=experts,
        dtype=draw(st.sampled_from(DTYPES)),
        step=draw(st.sampled_from([0.5, 1 / 64])),
        scale=2.0,
    )
    return logits, draw(st.sampled_from([1, 2, 8]))


@pytest.mark.points(2)
# Real-sized batches: a few, not shrunk (the small inputs above find small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=realistic_routing_inputs())
def test_realistic_batches_match_the_oracle(submission, case):
    logits, k = case
    weights, experts = submission.top_k_routing(logits, k)
    expected_weights, expected_experts = expected_routing(logits, k)
    check_experts(experts, logits, k, expected_experts)
    check_weights(
        weights, logits, k, expected_weights, name=f"top_k_routing(logits of shape {list(logits.shape)}, k={k}) weights"
    )
    loss = submission.load_balancing_loss(logits, experts)
    expected_loss = torch.tensor(expected_balancing_loss(logits, experts), dtype=logits.dtype)
    assert_close(loss, expected_loss, name="load_balancing_loss", **tolerances(logits.dtype))


@pytest.mark.points(2)
@given(case=balancing_inputs())
def test_load_balancing_loss_matches_the_switch_formula(submission, case):
    logits, experts = case
    loss = submission.load_balancing_loss(logits, experts)
    expected = torch.tensor(expected_balancing_loss(logits, experts), dtype=logits.dtype)
    assert_close(
        loss,
        expected,
        name=f"load_balancing_loss(logits of shape {list(logits.shape)}, experts={experts.tolist()})",
        **tolerances(logits.dtype),
    )


@st.composite
def uniform_router_inputs(draw):
    """``(router_logits, experts)``: every logit of a token equal (its own constant, up to ±300), experts at random."""
    tokens, num_experts = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    k = draw(st.integers(1, num_experts))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    constants = torch.round(torch.randn(tokens, 1, generator=generator, dtype=torch.float64) * 400) / 4 + 0.25
    logits = constants.expand(tokens, num_experts).to(draw(st.sampled_from(DTYPES)))
    return logits, random_assignments(generator, tokens, num_experts, k)


@given(case=uniform_router_inputs())
def test_uniform_router_gives_loss_one(submission, case):
    # P_i = 1/E for every expert, so E · Σ f_i / E = Σ f_i = 1, wherever the tokens went.
    logits, experts = case
    loss = submission.load_balancing_loss(logits, experts)
    assert_close(
        loss,
        torch.tensor(1.0, dtype=logits.dtype),
        name=f"load_balancing_loss(equal logits in each row, experts={experts.tolist()})",
        **tolerances(logits.dtype),
    )


@st.composite
def balanced_inputs(draw):
    """``(router_logits, experts)``: random logits; every expert receives exactly T·k/E of the assignments."""
    num_experts = draw(st.integers(1, 8))
    k = draw(st.integers(1, num_experts))
    tokens = draw(st.integers(1, 3)) * (num_experts // math.gcd(num_experts, k))  # so that E divides T·k
    seed = draw(st.integers(0, 2**32 - 1))
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randperm(num_experts, generator=generator)
    # Assignment number t·k + j goes to expert (t·k + j) mod E: consecutive, hence distinct within a row.
    experts = labels[(torch.arange(tokens)[:, None] * k + torch.arange(k)[None, :]) % num_experts]
    logits = logit_tensor(seed, tokens, num_experts, draw(st.sampled_from(DTYPES)), step=1 / 64, scale=3.0)
    return logits, experts


@given(case=balanced_inputs())
def test_balanced_assignments_give_loss_one(submission, case):
    # f_i = 1/E for every expert, so E · Σ P_i / E = Σ P_i = 1, whatever the probabilities.
    logits, experts = case
    loss = submission.load_balancing_loss(logits, experts)
    assert_close(
        loss,
        torch.tensor(1.0, dtype=logits.dtype),
        name=f"load_balancing_loss(logits of shape {list(logits.shape)}, balanced experts={experts.tolist()})",
        **tolerances(logits.dtype),
    )


@st.composite
def calibrated_inputs(draw):
    """``(router_logits, experts)`` where each token's probability is 1/k on each of its
    experts and 0 elsewhere (logits 1000 lower), so that P_i = f_i."""
    num_experts = draw(st.integers(1, 8))
    k = draw(st.integers(1, num_experts))
    tokens = draw(st.integers(1, 6))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):  # every token to the same k experts: as unbalanced as it gets
        experts = torch.arange(k).repeat(tokens, 1)
    else:
        experts = random_assignments(generator, tokens, num_experts, k)
    chosen = torch.zeros(tokens, num_experts, dtype=torch.bool).scatter(1, experts, True)
    constants = torch.round(torch.randn(tokens, 1, generator=generator, dtype=torch.float64) * 16) / 4 + 0.5
    logits = torch.where(chosen, constants, constants - 1000).to(draw(st.sampled_from(DTYPES)))
    return logits, experts


@pytest.mark.points(2)
@given(case=calibrated_inputs())
def test_loss_of_a_calibrated_router_is_smallest_when_balanced(submission, case):
    # When P_i = f_i the loss is E · Σ f_i², which is at least 1 (Cauchy–Schwarz:
    # Σ f_i = 1) and equals 1 exactly when every f_i = 1/E.
    logits, experts = case
    num_experts = logits.shape[1]
    shares = torch.bincount(experts.reshape(-1), minlength=num_experts).double() / experts.numel()
    expected = num_experts * float((shares**2).sum())
    loss = submission.load_balancing_loss(logits, experts)
    assert_close(
        loss,
        torch.tensor(expected, dtype=logits.dtype),
        name=(
            f"load_balancing_loss for a router that gives probability 1/k to each of its experts "
            f"{experts.tolist()} (shares f = {shown(shares.tolist())}; expected E·Σf² = {expected:.4g}, "
            f"which is 1 only when the shares are equal)"
        ),
        **tolerances(logits.dtype),
    )


def test_expert_capacity_known_answers(submission):
    cases = [
        ((6, 3, 1, 1.0), 2),  # Switch Transformer, figure 3: 6 tokens, 3 experts
        ((6, 3, 1, 1.5), 3),  # ... with capacity factor 1.5
        ((10, 4, 1, 1.0), 3),  # 2.5 slots round up
        ((4096, 8, 2, 1.25), 1280),  # top-2 over 8 experts
        ((0, 8, 2, 1.0), 0),
    ]
    for args, expected in cases:
        got = submission.expert_capacity(*args)
        assert type(got) is int and got == expected, (
            f"expert_capacity{args} returned {got!r}, expected the int {expected}"
        )


@st.composite
def capacity_inputs(draw):
    """``(n_tokens, n_experts, k, capacity_factor)`` with the factor a multiple of 1/8, so the
    product is exact in floating point and the order of operations cannot change the ceiling."""
    n_experts = draw(st.integers(1, 256))
    eighths = draw(st.integers(1, 40))
    return draw(st.integers(0, 100_000)), n_experts, draw(st.integers(1, min(8, n_experts))), eighths / 8


@given(args=capacity_inputs())
def test_expert_capacity_is_the_ceiling_of_the_fair_share(submission, args):
    n_tokens, n_experts, k, capacity_factor = args
    numerator, denominator = k * n_tokens * int(capacity_factor * 8), n_experts * 8
    expected = -(-numerator // denominator)  # the ceiling in integer arithmetic
    got = submission.expert_capacity(*args)
    assert type(got) is int and got == expected, (
        f"expert_capacity{args} returned {got!r}, expected the int {expected} = "
        f"ceil({k} * {n_tokens} * {capacity_factor} / {n_experts})"
    )
