"""Tests for dpo: float64 formulas written here as oracles, known answers, and
the relations the loss must satisfy."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

IGNORE = -100
# float32 results against float64 oracles. No bound on the relative error norm: a log-probability
# just above atol (a token the model is nearly sure of) carries float32 rounding of the logits that
# is large relative to itself; the elementwise atol bounds that error.
FLOAT32_VS_FLOAT64 = {torch.float32: {"rtol": 1e-5, "atol": 1e-4, "rel_norm": math.inf}, torch.float64: {}}


def log_sigmoid(z: float) -> float:
    """log σ(z) in float64 without overflow: −log(1 + e^−z), written for either sign of z."""
    return -math.log1p(math.exp(-z)) if z >= 0 else z - math.log1p(math.exp(z))


def oracle_sequence_logps(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE) -> list[float]:
    """The definition, one position at a time in Python floats: logit at the label minus log-sum-exp."""
    totals = []
    for row_logits, row_labels in zip(logits.double().tolist(), labels.tolist()):
        total = 0.0
        for scores, label in zip(row_logits, row_labels):
            if label != ignore_index:
                top = max(scores)
                total += scores[label] - (top + math.log(math.fsum(math.exp(s - top) for s in scores)))
        totals.append(total)
    return totals


def oracle_dpo(pc, pr, rc, rr, beta, eps):
    """(losses, chosen_rewards, rejected_rewards) from the formula, in Python floats."""
    losses, chosen, rejected = [], [], []
    for a, b, c, d in zip(pc.double().tolist(), pr.double().tolist(), rc.double().tolist(), rr.double().tolist()):
        h = (a - b) - (c - d)
        losses.append(-(1 - eps) * log_sigmoid(beta * h) - eps * log_sigmoid(-beta * h))
        chosen.append(beta * (a - c))
        rejected.append(beta * (b - d))
    return losses, chosen, rejected


def one(value):
    """A (1,) float64 tensor: a batch of one."""
    return torch.tensor([value], dtype=torch.float64)


def as_tensor(values, dtype):
    return torch.tensor(values, dtype=torch.float64).to(dtype)


@st.composite
def logits_and_labels(draw, scales=(1.0, 5.0, 30.0)):
    """(logits (B, T, V), labels (B, T)) with some positions ignored, from a drawn seed.

    As a causal LM produces them: logits of T + 1 positions without the last, labels
    without the first. Often left as those (non-contiguous) slices, as training code
    passes them; sometimes in another memory layout.
    """
    batch, length, vocab = draw(st.integers(1, 4)), draw(st.integers(1, 6)), draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    scale = draw(st.sampled_from(scales))
    ignored_share = draw(st.sampled_from([0.0, 0.3, 0.7]))
    layout = draw(st.sampled_from(["shifted slices", "contiguous", "transposed", "strided"]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    logits = (scale * torch.randn(batch, length + 1, vocab, generator=generator, dtype=torch.float64)).to(dtype)
    labels = torch.randint(0, vocab, (batch, length + 1), generator=generator)
    ignored = torch.rand(batch, length + 1, generator=generator) < ignored_share
    logits, labels = logits[:, :-1], torch.where(ignored, IGNORE, labels)[:, 1:]
    if layout == "shifted slices":
        return logits, labels
    return laid_out(logits.contiguous(), layout), laid_out(labels.contiguous(), layout)


@st.composite
def preference_batches(draw, max_logp=60.0):
    """The four (B,) log-probability tensors of a batch, plus beta and label smoothing."""
    batch = draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    logps = [(-max_logp * torch.rand(batch, generator=generator, dtype=torch.float64)).to(dtype) for _ in range(4)]
    beta = draw(st.sampled_from([0.01, 0.1, 0.5, 1.0, 2.0]))
    eps = draw(st.sampled_from([0.0, 0.0, 0.1, 0.25, 0.5]))
    return (*logps, beta, eps)


def check_dpo(submission, pc, pr, rc, rr, beta, eps):
    """Call dpo_loss and compare its three outputs with the float64 formula."""
    got = submission.dpo_loss(pc, pr, rc, rr, beta, eps)
    assert isinstance(got, tuple) and len(got) == 3, "dpo_loss must return (losses, chosen_rewards, rejected_rewards)"
    call = f"dpo_loss(..., beta={beta}, label_smoothing={eps})"
    for value, expected, what in zip(
        got, oracle_dpo(pc, pr, rc, rr, beta, eps), ("losses", "chosen_rewards", "rejected_rewards")
    ):
        assert_close(value, as_tensor(expected, pc.dtype), name=f"{what} of {call}", **FLOAT32_VS_FLOAT64[pc.dtype])


@pytest.mark.points(2)
def test_known_answers(submission):
    losses, chosen, rejected = submission.dpo_loss(one(-1.0), one(-2.0), one(-1.5), one(-1.5), 0.1, 0.0)
    # h = (-1 + 2) - (-1.5 + 1.5) = 1; loss = -log σ(0.1) = log(1 + e^-0.1)
    assert_close(losses, one(math.log1p(math.exp(-0.1))), name="losses of the README example (h = 1, beta = 0.1)")
    assert_close(chosen, one(0.05), name="chosen_rewards of the README example: 0.1·(-1 + 1.5)")
    assert_close(rejected, one(-0.05), name="rejected_rewards of the README example: 0.1·(-2 + 1.5)")
    losses, _, _ = submission.dpo_loss(one(-1.0), one(-2.0), one(-1.5), one(-1.5), 0.1, 0.1)
    expected = 0.9 * math.log1p(math.exp(-0.1)) + 0.1 * math.log1p(math.exp(0.1))
    assert_close(losses, one(expected), name="losses of the README example with label_smoothing=0.1")
    same = torch.tensor([-3.0, -7.5, -0.25], dtype=torch.float64)
    other = torch.tensor([-1.0, -12.0, -4.0], dtype=torch.float64)
    for eps in (0.0, 0.2):
        losses, chosen, rejected = submission.dpo_loss(same, other, same, other, 0.1, eps)
        assert_close(
            losses,
            torch.full((3,), math.log(2), dtype=torch.float64),
            name=f"losses when the policy equals the reference (label_smoothing={eps}); h = 0 gives log 2",
        )
        assert_close(chosen, torch.zeros(3, dtype=torch.float64), name="chosen_rewards when policy equals reference")


@pytest.mark.points(2)
def test_sequence_logps_known_answer(submission):
    logits = torch.tensor([[[0.0, math.log(3)], [0.0, 0.0], [5.0, -5.0]]] * 2, dtype=torch.float64)
    labels = torch.tensor([[1, 0, IGNORE], [IGNORE, IGNORE, IGNORE]])
    got = submission.sequence_logps(logits, labels)
    # row 0: log(3/4) + log(1/2), the third position ignored; row 1: nothing counted
    expected = torch.tensor([math.log(3 / 4) + math.log(1 / 2), 0.0], dtype=torch.float64)
    assert_close(got, expected, name="sequence_logps of the README logits with labels [[1, 0, -100], [-100] * 3]")
    got = submission.sequence_logps(torch.zeros(1, 3, 4, dtype=torch.float64) + 2.5, torch.tensor([[3, 0, 7]]), 7)
    assert_close(
        got,
        torch.tensor([2 * math.log(1 / 4)], dtype=torch.float64),
        name="sequence_logps(equal logits over 4 tokens, labels [[3, 0, 7]], ignore_index=7)",
    )


@pytest.mark.points(2)
@given(case=logits_and_labels())
def test_sequence_logps_matches_log_sum_exp(submission, case):
    logits, labels = case
    got = submission.sequence_logps(logits, labels)
    expected = as_tensor(oracle_sequence_logps(logits, labels), logits.dtype)
    assert_close(got, expected, name=f"sequence_logps(logits {list(logits.shape)}, labels {labels.tolist()})",
                 **FLOAT32_VS_FLOAT64[logits.dtype])  # fmt: skip


@given(case=logits_and_labels(scales=(300.0, 3000.0)))
def test_sequence_logps_is_exact_for_large_logits(submission, case):
    # softmax of logits this spread is 0 for most tokens; its log is -inf.
    logits, labels = case
    got = submission.sequence_logps(logits, labels)
    assert torch.isfinite(got).all(), f"sequence_logps returned {got.tolist()} for logits of size ~1000: not finite"
    expected = as_tensor(oracle_sequence_logps(logits, labels), logits.dtype)
    assert_close(
        got, expected, name="sequence_logps with logits in the thousands", rtol=1e-5, atol=1e-2, rel_norm=math.inf
    )


@st.composite
def logits_labels_and_noise(draw):
    logits, labels = draw(logits_and_labels())
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    noise = (10 * torch.randn(logits.shape, generator=generator, dtype=torch.float64)).to(logits.dtype)
    return logits, labels, noise


@given(case=logits_labels_and_noise())
def test_ignored_positions_do_not_count(submission, case):
    logits, labels, noise = case
    ignored = (labels == IGNORE).unsqueeze(-1)
    changed = torch.where(ignored, logits + noise, logits)
    first, second = submission.sequence_logps(logits, labels), submission.sequence_logps(changed, labels)
    assert_close(second, first, name="sequence_logps after changing only the logits at ignored positions")
    all_ignored = submission.sequence_logps(logits, torch.full_like(labels, IGNORE))
    assert_close(
        all_ignored, torch.zeros(labels.shape[0], dtype=logits.dtype), name="sequence_logps with every label ignored"
    )


@pytest.mark.points(2)
@given(batch=preference_batches())
def test_loss_and_rewards_match_the_formula(submission, batch):
    check_dpo(submission, *batch)


@given(batch=preference_batches())
def test_loss_is_log_2_when_policy_equals_reference(submission, batch):
    pc, pr, _, _, beta, eps = batch
    losses, chosen, rejected = submission.dpo_loss(pc, pr, pc.clone(), pr.clone(), beta, eps)
    expected = torch.full(pc.shape, math.log(2), dtype=pc.dtype)
    assert_close(losses, expected, name=f"losses with policy == reference (beta={beta}, label_smoothing={eps})")
    zero = torch.zeros(pc.shape, dtype=pc.dtype)
    assert_close(chosen, zero, name="chosen_rewards with policy == reference")
    assert_close(rejected, zero, name="rejected_rewards with policy == reference")


@given(batch=preference_batches(), rise=st.sampled_from([0.1, 1.0, 10.0]))
def test_loss_falls_as_the_chosen_logp_rises(submission, batch, rise):
    pc, pr, rc, rr, beta, _ = (t.double() if isinstance(t, torch.Tensor) else t for t in batch)
    before = submission.dpo_loss(pc, pr, rc, rr, beta, 0.0)[0]
    after = submission.dpo_loss(pc + rise, pr, rc, rr, beta, 0.0)[0]
    # Strictly lower where the loss is not yet saturated at 0; never higher (beyond rounding) anywhere.
    falls = torch.where(before > 1e-6, after < before, after <= before + 1e-12)
    assert falls.all(), (
        f"raising policy_chosen_logps by {rise} (beta={beta}) should lower every loss, "
        f"but the losses went from {before.tolist()} to {after.tolist()}"
    )


@pytest.mark.points(2)
@given(batch=preference_batches())
def test_swapping_chosen_and_rejected(submission, batch):
    pc, pr, rc, rr, beta, _ = batch
    losses, chosen, rejected = submission.dpo_loss(pc, pr, rc, rr, beta, 0.0)
    swapped, swapped_chosen, swapped_rejected = submission.dpo_loss(pr, pc, rr, rc, beta, 0.0)
    h = (pc.double() - pr.double()) - (rc.double() - rr.double())
    expected = as_tensor([-log_sigmoid(-beta * value) for value in h.tolist()], pc.dtype)
    tolerance = FLOAT32_VS_FLOAT64[pc.dtype]
    assert_close(swapped, expected, name="losses with chosen and rejected swapped: -log σ(-β·h)", **tolerance)
    # log σ(z) - log σ(-z) = z: the swapped loss exceeds the original by β·h
    assert_close(
        swapped - losses, (beta * h).to(pc.dtype), name="swapped loss minus loss (should be β·h)", rtol=1e-4, atol=1e-4
    )
    assert_close(swapped_chosen, rejected, name="chosen_rewards after swapping (should be the old rejected_rewards)")
    assert_close(swapped_rejected, chosen, name="rejected_rewards after swapping (should be the old chosen_rewards)")


@given(batch=preference_batches(), shift=st.sampled_from([-20.0, -1.0, 3.0]))
def test_only_the_ratio_to_the_reference_counts(submission, batch, shift):
    pc, pr, rc, rr, beta, eps = (t.double() if isinstance(t, torch.Tensor) else t for t in batch)
    losses, chosen, _ = submission.dpo_loss(pc, pr, rc, rr, beta, eps)
    shifted, shifted_chosen, _ = submission.dpo_loss(pc + shift, pr, rc + shift, rr, beta, eps)
    assert_close(
        shifted, losses, name=f"losses after adding {shift} to the chosen log-probs of both policy and reference"
    )
    assert_close(shifted_chosen, chosen, name=f"chosen_rewards after adding {shift} to both chosen log-probs")


@st.composite
def large_margins(draw):
    """Sequence log-probs in the thousands (long answers), so |β·h| reaches the thousands."""
    pc, pr, rc, rr, _, eps = draw(preference_batches(max_logp=5000.0))
    return pc, pr, rc, rr, draw(st.sampled_from([1.0, 2.0])), eps


@given(batch=large_margins())
def test_loss_stays_finite_for_large_margins(submission, batch):
    pc, pr, rc, rr, beta, eps = batch
    losses = submission.dpo_loss(pc, pr, rc, rr, beta, eps)[0]
    assert torch.isfinite(losses).all(), (
        f"dpo_loss(beta={beta}, label_smoothing={eps}) returned {losses.tolist()} for margins β·h of "
        f"{(beta * ((pc - pr) - (rc - rr))).tolist()}: use logsigmoid, log(sigmoid(z)) is log(0) for z << 0"
    )
    check_dpo(submission, pc, pr, rc, rr, beta, eps)
