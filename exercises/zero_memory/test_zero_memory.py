"""Tests for zero_memory: the ZeRO paper's figures, its formulas in exact arithmetic,
and the relations between stages, GPU counts and model sizes."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

REL_TOL = 1e-12  # the exact value, rounded once to a float, against any order of float operations
GB = 10**9


def paper_formula(n_params, n_gpus, zero_stage, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    """Per-GPU bytes, exactly, written out stage by stage as in the paper's Figure 1."""
    psi, k, n = n_params, optimizer_bytes, Fraction(n_gpus)
    if zero_stage == 0:
        return (param_bytes + grad_bytes + k) * psi
    if zero_stage == 1:
        return (param_bytes + grad_bytes) * psi + k * psi / n
    if zero_stage == 2:
        return param_bytes * psi + (grad_bytes + k) * psi / n
    return (param_bytes + grad_bytes + k) * psi / n


def fits(n_params, memory_bytes, n_gpus, zero_stage):
    return paper_formula(n_params, n_gpus, zero_stage) <= Fraction(memory_bytes)


def check_memory(submission, case, expected):
    got = submission.training_memory_bytes(*case)
    call = "training_memory_bytes({}, n_gpus={}, zero_stage={}, param_bytes={}, grad_bytes={}, optimizer_bytes={})"
    call = call.format(*case)
    assert isinstance(got, (int, float)) and not isinstance(got, bool), (
        f"{call} returned a {type(got).__name__}, expected a float"
    )
    assert math.isclose(got, float(expected), rel_tol=REL_TOL), f"{call} returned {got!r}, expected {float(expected)!r}"


@pytest.mark.points(2)
def test_known_answers_from_the_zero_paper(submission):
    # 7.5B parameters, 64 GPUs, K = 12 (Figure 1 and Table 1 of the paper, which round to
    # 120, 31.4, 16.6 and 1.88 GB); the exact values:
    for stage, expected_gb, paper in [
        (0, 120.0, "120"),
        (1, 31.40625, "31.4"),
        (2, 16.640625, "16.6"),
        (3, 1.875, "1.88"),
    ]:
        got = submission.training_memory_bytes(7_500_000_000, 64, stage)
        assert math.isclose(got, expected_gb * GB, rel_tol=REL_TOL), (
            f"training_memory_bytes(7_500_000_000, 64, {stage}) returned {got!r}, expected {expected_gb * GB:.0f} "
            f"(the paper's {paper} GB per GPU at stage {stage})"
        )
    got = submission.training_memory_bytes(7_000_000_000)
    assert math.isclose(got, 112 * GB, rel_tol=REL_TOL), (
        f"training_memory_bytes(7_000_000_000) returned {got!r}, expected 112e9: 16 bytes per parameter"
    )
    got = submission.training_memory_bytes(10**12, 1024, 3)
    assert math.isclose(got, 15.625 * GB, rel_tol=REL_TOL), (
        f"training_memory_bytes(10**12, 1024, 3) returned {got!r}, expected 15.625e9: a trillion parameters "
        f"need 16 TB, shared by 1024 GPUs"
    )


@pytest.mark.points(2)
def test_max_trainable_params_known_answers(submission):
    cases = [
        ((80e9,), 5_000_000_000),  # one 80 GB GPU without ZeRO: 80e9 / 16
        ((32e9, 64, 0), 2_000_000_000),  # 32 GB V100s, as in the paper: data parallelism alone
        ((32e9, 64, 1), 7_641_791_044),  # 32e9 / (4 + 12/64) = 7641791044.77
        ((32e9, 64, 2), 14_422_535_211),  # 32e9 / (2 + 14/64) = 14422535211.27
        ((32e9, 64, 3), 128_000_000_000),  # 32e9 · 64 / 16
        ((15.0,), 0),  # not even one parameter
        ((16.0,), 1),  # exactly one
    ]
    for args, expected in cases:
        got = submission.max_trainable_params(*args)
        assert got == expected, f"max_trainable_params{args} returned {got!r}, expected {expected}"


@st.composite
def memory_cases(draw):
    """(n_params, n_gpus, zero_stage, param_bytes, grad_bytes, optimizer_bytes)."""
    return (
        draw(st.one_of(st.integers(1, 10**13), st.integers(1, 1000))),
        draw(st.one_of(st.sampled_from([1, 2, 8, 64, 1024]), st.integers(1, 4096))),
        draw(st.integers(0, 3)),
        draw(st.integers(0, 16)),
        draw(st.integers(0, 16)),
        draw(st.one_of(st.just(12), st.integers(0, 16))),
    )


@pytest.mark.points(2)
@given(case=memory_cases())
def test_training_memory_matches_the_paper_formula(submission, case):
    check_memory(submission, case, paper_formula(*case))


@given(n_params=st.integers(1, 10**13), n_gpus=st.integers(1, 4096))
def test_each_stage_needs_no_more_than_the_one_before(submission, n_params, n_gpus):
    needs = [submission.training_memory_bytes(n_params, n_gpus, stage) for stage in range(4)]
    for stage in range(1, 4):
        assert needs[stage] <= needs[stage - 1], (
            f"with {n_params} parameters on {n_gpus} GPUs, stage {stage} needs {needs[stage]!r} bytes, more than "
            f"stage {stage - 1}'s {needs[stage - 1]!r}: each stage partitions everything the one before does"
        )


@given(n_params=st.integers(1, 10**13), n_gpus=st.integers(1, 4095), stage=st.integers(0, 3))
def test_more_gpus_never_need_more(submission, n_params, n_gpus, stage):
    fewer = submission.training_memory_bytes(n_params, n_gpus, stage)
    more = submission.training_memory_bytes(n_params, n_gpus + 1, stage)
    assert more <= fewer, (
        f"stage {stage} with {n_params} parameters: {n_gpus} GPUs need {fewer!r} bytes each, {n_gpus + 1} need {more!r}"
    )


@given(n_params=st.integers(1, 10**13), n_gpus=st.integers(1, 4096))
def test_partitioning_relations(submission, n_params, n_gpus):
    alone = [submission.training_memory_bytes(n_params, 1, stage) for stage in range(4)]
    assert len(set(alone)) == 1, (
        f"with {n_params} parameters on 1 GPU the stages need {alone} bytes: partitioning across one GPU changes nothing"
    )
    stage_0 = submission.training_memory_bytes(n_params, n_gpus, 0)
    assert math.isclose(stage_0, alone[0], rel_tol=REL_TOL), (
        f"stage 0 needs {stage_0!r} bytes per GPU on {n_gpus} GPUs but {alone[0]!r} on one: it partitions nothing"
    )
    stage_3 = submission.training_memory_bytes(n_params, n_gpus, 3)
    assert math.isclose(stage_3 * n_gpus, alone[0], rel_tol=REL_TOL), (
        f"stage 3 needs {stage_3!r} bytes per GPU on {n_gpus} GPUs; times {n_gpus} that is {stage_3 * n_gpus!r}, "
        f"expected {alone[0]!r}, the whole model states: stage 3 partitions all of them"
    )


@given(a=st.integers(1, 10**12), b=st.integers(1, 10**12), n_gpus=st.integers(1, 4096), stage=st.integers(0, 3))
def test_memory_is_linear_in_the_parameter_count(submission, a, b, n_gpus, stage):
    both = submission.training_memory_bytes(a + b, n_gpus, stage)
    apart = submission.training_memory_bytes(a, n_gpus, stage) + submission.training_memory_bytes(b, n_gpus, stage)
    assert math.isclose(both, apart, rel_tol=1e-9), (
        f"stage {stage} on {n_gpus} GPUs: {a + b} parameters need {both!r} bytes, but {a} and {b} need {apart!r} together"
    )


def check_max_params(submission, memory_bytes, n_gpus, zero_stage):
    got = submission.max_trainable_params(memory_bytes, n_gpus, zero_stage)
    call = f"max_trainable_params({memory_bytes!r}, {n_gpus}, {zero_stage})"
    assert isinstance(got, int) and not isinstance(got, bool), (
        f"{call} returned a {type(got).__name__}, expected an int"
    )
    need = paper_formula(got, n_gpus, zero_stage)
    assert got >= 0 and need <= Fraction(memory_bytes), (
        f"{call} returned {got}, but {got} parameters need {float(need)!r} bytes per GPU, more than {memory_bytes!r}"
    )
    more = paper_formula(got + 1, n_gpus, zero_stage)
    assert more > Fraction(memory_bytes), (
        f"{call} returned {got}, but {got + 1} parameters fit too: they need {float(more)!r} bytes per GPU, "
        f"at most {memory_bytes!r}"
    )


@pytest.mark.points(2)
@given(
    memory_bytes=st.one_of(st.floats(0, 1e13), st.sampled_from([16e9, 24e9, 32e9, 40e9, 80e9, 141e9])),
    n_gpus=st.one_of(st.sampled_from([1, 8, 64, 1024]), st.integers(1, 4096)),
    stage=st.integers(0, 3),
)
def test_max_trainable_params_is_the_largest_that_fits(submission, memory_bytes, n_gpus, stage):
    check_max_params(submission, memory_bytes, n_gpus, stage)


@given(n_gpus=st.integers(1, 4096), k=st.integers(1, 10**8))
def test_a_model_that_fits_exactly_is_counted(submission, n_gpus, k):
    # n = k · n_gpus parameters need a whole number of bytes at every stage: give exactly that.
    n_params = k * n_gpus
    for stage in range(4):
        memory_bytes = float(paper_formula(n_params, n_gpus, stage))  # exact: an integer below 2**53
        check_max_params(submission, memory_bytes, n_gpus, stage)


@given(stage=st.one_of(st.integers(-3, -1), st.integers(4, 10)))
def test_unknown_stage_raises_value_error(submission, stage):
    calls = [
        (f"training_memory_bytes(10**9, 8, {stage})", submission.training_memory_bytes, (10**9, 8, stage)),
        (f"max_trainable_params(80e9, 8, {stage})", submission.max_trainable_params, (80e9, 8, stage)),
    ]
    for call, function, args in calls:
        try:
            got = function(*args)
        except ValueError:
            continue
        pytest.fail(f"{call} returned {got!r}, expected a ValueError: ZeRO has stages 0, 1, 2 and 3")
