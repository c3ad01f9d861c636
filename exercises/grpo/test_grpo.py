"""Tests for grpo: the statistics module and the surrogate loss written out in float64
as oracles, and the properties that make the clipped loss a trust region."""

import math
import statistics

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader import assert_close

DTYPES = [torch.float32, torch.float64]
CLIP_RANGES = [(0.2, 0.2), (0.2, 0.28), (0.1, 0.3), (0.3, 0.1)]  # PPO's 0.2; DAPO's clip-higher 0.28


def tolerances(dtype):
    """A float32 result against the float64 oracle (rounded to float32) may be off by float32 rounding."""
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {}


def shown(values):
    return [round(v, 4) for v in values]


def expected_advantages(rewards, group_size, eps=1e-6):
    """(r - mean) / (stdev + eps) per group of consecutive rewards, with statistics.stdev
    (the sample standard deviation, dividing by n - 1)."""
    values = rewards.double().tolist()
    result = []
    for start in range(0, len(values), group_size):
        group = values[start : start + group_size]
        mean, std = statistics.fmean(group), statistics.stdev(group)
        result += [(r - mean) / (std + eps) for r in group]
    return torch.tensor(result, dtype=torch.float64).to(rewards.dtype)


def expected_loss(logp_new, logp_old, advantages, mask, clip_low=0.2, clip_high=0.2):
    """The clipped surrogate loss in float64, token by token: the sum over unmasked tokens
    of -min(ρA, clip(ρ)A), divided by the number of unmasked tokens."""
    total, count = 0.0, 0
    rows = zip(logp_new.double().tolist(), logp_old.double().tolist(), advantages.double().tolist(), mask.tolist())
    for new_row, old_row, advantage, mask_row in rows:
        for new, old, counts in zip(new_row, old_row, mask_row):
            if counts:
                ratio = math.exp(new - old)
                clipped = min(max(ratio, 1 - clip_low), 1 + clip_high)
                total += -min(ratio * advantage, clipped * advantage)
                count += 1
    return total / count


def check_loss(got, expected, dtype, name):
    # One number: the elementwise tolerance is the whole test. (The relative-error-norm
    # check would fail a loss whose terms cancel to almost 0, where float32 cannot follow.)
    assert_close(got, torch.tensor(expected, dtype=dtype), name=name, rel_norm=math.inf, **tolerances(dtype))


def describe(mask, advantages):
    return f"unmasked tokens per sequence {mask.sum(dim=1).tolist()}, advantages {shown(advantages.tolist())}"


@st.composite
def grouped_rewards(draw):
    """``(rewards, group_size)``: 1 to 5 groups of 2 to 8 rewards: correctness rewards
    (0 or 1, so that whole groups are often equal), partial credit in quarters,
    reward-model scores in eighths (equal, or at least 1/8 apart: float32 cannot resolve
    much closer scores), and (in float64) scores around 1000."""
    group_size, groups = draw(st.integers(2, 8)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from(DTYPES))
    kinds = ["correctness", "partial credit", "scores"] + (["large scores"] if dtype == torch.float64 else [])
    kind = draw(st.sampled_from(kinds))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    n = group_size * groups
    if kind == "correctness":
        rewards = torch.randint(0, 2, (n,), generator=generator).double()
    elif kind == "partial credit":
        rewards = torch.randint(0, 5, (n,), generator=generator).double() / 4
    else:
        offset = 1000.0 if kind == "large scores" else 0.0
        rewards = offset + torch.round(16 * torch.randn(n, generator=generator, dtype=torch.float64)) / 8
    if not rewards.any():
        rewards[0] = 1.0
    return rewards.to(dtype), group_size


@st.composite
def policy_batches(draw, max_rows=4, max_tokens=8):
    """``(logp_new, logp_old, advantages, mask, clip_low, clip_high)``: 1 to 4 sequences of
    1 to 8 tokens; masks either a prefix (completion, then padding) or scattered (tool
    output masked out), never empty in a row; ratios from about 0.05 to 20."""
    rows, tokens = draw(st.integers(1, max_rows)), draw(st.integers(1, max_tokens))
    dtype = draw(st.sampled_from(DTYPES))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    mask = random_mask(generator, rows, tokens, prefix=draw(st.booleans()))
    logp_old = -(torch.rand(rows, tokens, generator=generator, dtype=torch.float64) * 4 + 0.01)
    spread = draw(st.sampled_from([0.05, 0.3, 1.0]))
    logp_new = logp_old + spread * torch.randn(rows, tokens, generator=generator, dtype=torch.float64)
    advantages = torch.round(torch.randn(rows, generator=generator, dtype=torch.float64) * 8) / 8 + 0.0
    if not advantages.any():
        advantages[0] = 1.0
    clip_low, clip_high = draw(st.sampled_from(CLIP_RANGES))
    return logp_new.to(dtype), logp_old.to(dtype), advantages.to(dtype), mask, clip_low, clip_high


def random_mask(generator, rows, tokens, prefix):
    """(rows, tokens) bool with at least one True per row: a prefix of random length, or scattered."""
    if prefix:
        lengths = torch.randint(1, tokens + 1, (rows, 1), generator=generator)
        return torch.arange(tokens)[None, :] < lengths
    mask = torch.rand(rows, tokens, generator=generator) < 0.6
    mask[torch.arange(rows), torch.randint(0, tokens, (rows,), generator=generator)] = True
    return mask


@pytest.mark.points(2)
def test_known_answers(submission):
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=torch.float64)
    # mean 1/4; unbiased variance (9/16 + 3/16) / 3 = 1/4, std 1/2
    got = submission.group_advantages(rewards, 4, eps=0.0)
    assert_close(
        got, torch.tensor([1.5, -0.5, -0.5, -0.5], dtype=torch.float64), name="group_advantages([1, 0, 0, 0], 4, eps=0)"
    )
    got = submission.group_advantages(rewards, 4)
    expected = torch.tensor([0.75, -0.25, -0.25, -0.25], dtype=torch.float64) / (0.5 + 1e-6)
    assert_close(got, expected, name="group_advantages([1, 0, 0, 0], 4) with the default eps=1e-6")
    # Two groups of two: the std of [3, 1] is sqrt(2); the second group's rewards are equal, so
    # its std is 0 and its advantages are 0 / (0 + eps) = 0.
    got = submission.group_advantages(torch.tensor([3.0, 1.0, 0.5, 0.5]), 2)
    expected = torch.tensor([1.0, -1.0, 0.0, 0.0]) / (math.sqrt(2) + 1e-6)
    assert_close(got, expected, name="group_advantages([3, 1, 0.5, 0.5], 2)")

    # Sequence 0: A = 2 and ratios 1, 1.5, 0.5 -> terms -2, -2.4 (1.5 clipped to 1.2), -1 (0.5·2 is smaller).
    # Sequence 1: A = -1, one unmasked token with ratio 0.5 -> clipped to 0.8: term 0.8.
    # Token mean: (-2 - 2.4 - 1 + 0.8) / 4 = -1.15 (a mean per sequence first would give -0.5).
    logp_old = torch.tensor([[-1.0, -2.0, -0.5], [-1.5, -3.0, -3.0]], dtype=torch.float64)
    log_ratio = torch.log(torch.tensor([[1.0, 1.5, 0.5], [0.5, 30.0, 0.01]], dtype=torch.float64))
    mask = torch.tensor([[True, True, True], [True, False, False]])
    advantages = torch.tensor([2.0, -1.0], dtype=torch.float64)
    got = submission.clipped_policy_loss(logp_old + log_ratio, logp_old, advantages, mask)
    assert_close(got, torch.tensor(-1.15, dtype=torch.float64), name="clipped_policy_loss of the worked example")


@pytest.mark.points(2)
@given(case=grouped_rewards(), eps=st.sampled_from([None, 1e-4, 0.1]))
def test_group_advantages_match_statistics_stdev(submission, case, eps):
    rewards, group_size = case
    if eps is None:  # the default, 1e-6
        got, eps = submission.group_advantages(rewards, group_size), 1e-6
    else:
        got = submission.group_advantages(rewards, group_size, eps=eps)
    assert_close(
        got,
        expected_advantages(rewards, group_size, eps),
        name=f"group_advantages(rewards={shown(rewards.tolist())}, group_size={group_size}, eps={eps})",
        **tolerances(rewards.dtype),
    )


@st.composite
def equal_reward_groups(draw):
    """``(rewards, group_size)``: every group's rewards equal (its own non-zero value)."""
    group_size, groups = draw(st.integers(2, 8)), draw(st.integers(1, 5))
    values = draw(st.lists(st.sampled_from([1.0, 0.5, -2.0, 3.25, 1000.0]), min_size=groups, max_size=groups))
    rewards = torch.tensor(values, dtype=draw(st.sampled_from(DTYPES))).repeat_interleave(group_size)
    return rewards, group_size


@given(case=equal_reward_groups())
def test_groups_of_equal_rewards_get_zero_advantages(submission, case):
    # std = 0: eps turns 0/0 into 0/eps = 0. Nothing is learnt from a prompt every sample solved (or failed).
    rewards, group_size = case
    got = submission.group_advantages(rewards, group_size)
    assert_close(
        got,
        torch.zeros_like(rewards),
        name=f"group_advantages(rewards={rewards.tolist()}, group_size={group_size})",
        **tolerances(rewards.dtype),
    )


@st.composite
def rewards_and_affine_maps(draw):
    """``(rewards, group_size, scales, shifts)``: scores in quarters from -2 to 2.5, no
    group all equal (eps is 0 here), and per group a positive scale (a power of two) and a
    shift in quarters, so that the transformed rewards are exact in float32 too."""
    group_size, groups = draw(st.integers(2, 8)), draw(st.integers(1, 5))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    rewards = torch.randint(-8, 9, (groups, group_size), generator=generator).double() / 4
    rewards[torch.arange(groups), torch.randint(0, group_size, (groups,), generator=generator)] = 2.5
    rewards = rewards.reshape(-1)
    scales = 2.0 ** torch.randint(-2, 3, (groups,), generator=generator).double()
    shifts = torch.round(torch.randn(groups, generator=generator, dtype=torch.float64) * 16) / 4
    return rewards.to(draw(st.sampled_from(DTYPES))), group_size, scales, shifts


@given(case=rewards_and_affine_maps())
def test_shifting_and_scaling_a_group_leaves_its_advantages_unchanged(submission, case):
    rewards, group_size, scales, shifts = case
    transformed = (rewards.double() * scales.repeat_interleave(group_size) + shifts.repeat_interleave(group_size)).to(
        rewards.dtype
    )
    before = submission.group_advantages(rewards, group_size, eps=0.0)
    after = submission.group_advantages(transformed, group_size, eps=0.0)
    assert_close(
        after,
        before,
        name=(
            f"group_advantages with eps=0 after each group's rewards were scaled by {scales.tolist()} and shifted by "
            f"{shifts.tolist()} (group_size={group_size}; expected the advantages before, {shown(before.tolist())})"
        ),
        rtol=1e-4,
        atol=1e-5,
    )


@st.composite
def rewards_and_group_order(draw):
    rewards, group_size = draw(grouped_rewards())
    return rewards, group_size, draw(st.permutations(range(len(rewards) // group_size)))


@given(case=rewards_and_group_order())
def test_reordering_groups_reorders_advantages(submission, case):
    # Groups are consecutive runs of group_size rewards; moving a whole group moves its advantages.
    rewards, group_size, order = case
    positions = torch.tensor([g * group_size + i for g in order for i in range(group_size)])
    before = submission.group_advantages(rewards, group_size)
    after = submission.group_advantages(rewards[positions], group_size)
    assert_close(
        after,
        before[positions],
        name=(
            f"group_advantages(rewards={shown(rewards.tolist())}, group_size={group_size}) with the groups "
            f"reordered as {order} (groups are runs of group_size consecutive rewards)"
        ),
    )


@pytest.mark.points(2)
@given(case=policy_batches())
def test_clipped_loss_matches_the_float64_formula(submission, case):
    logp_new, logp_old, advantages, mask, clip_low, clip_high = case
    got = submission.clipped_policy_loss(logp_new, logp_old, advantages, mask, clip_low=clip_low, clip_high=clip_high)
    expected = expected_loss(logp_new, logp_old, advantages, mask, clip_low, clip_high)
    check_loss(
        got,
        expected,
        logp_new.dtype,
        name=f"clipped_policy_loss({describe(mask, advantages)}, clip_low={clip_low}, clip_high={clip_high})",
    )


@pytest.mark.points(2)
@given(case=policy_batches())
def test_ratio_one_gives_minus_the_token_mean_advantage(submission, case):
    # logp_new == logp_old: ρ = 1 everywhere, no clipping, every token's term is -A.
    _, logp_old, advantages, mask, clip_low, clip_high = case
    got = submission.clipped_policy_loss(logp_old, logp_old, advantages, mask, clip_low=clip_low, clip_high=clip_high)
    counts = mask.sum(dim=1).double()
    expected = -float((counts * advantages.double()).sum() / counts.sum())
    check_loss(
        got,
        expected,
        logp_old.dtype,
        name=(
            f"clipped_policy_loss with logp_new == logp_old ({describe(mask, advantages)}; expected minus the mean "
            f"advantage over all unmasked tokens of the batch, Σ n_b·A_b / Σ n_b)"
        ),
    )


@st.composite
def ratios_beyond_the_clip_bound(draw):
    """``(logp_news, logp_old, advantages, mask, clip_low, clip_high)``: three versions of
    logp_new whose ratios all lie beyond the clip bound on the clipped side: above
    1 + clip_high where A > 0, below 1 - clip_low where A < 0, by factors of 1.05 to 5."""
    rows, tokens = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    dtype = draw(st.sampled_from(DTYPES))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    mask = random_mask(generator, rows, tokens, prefix=draw(st.booleans()))
    signs = torch.where(torch.rand(rows, generator=generator) < 0.5, -1.0, 1.0).double()
    advantages = signs * (torch.randint(1, 17, (rows,), generator=generator).double() / 8)
    clip_low, clip_high = draw(st.sampled_from(CLIP_RANGES))
    logp_old = -(torch.rand(rows, tokens, generator=generator, dtype=torch.float64) * 4 + 0.01)
    logp_news = []
    for _ in range(3):
        factors = 1.05 + 3.95 * torch.rand(rows, tokens, generator=generator, dtype=torch.float64)
        ratios = torch.where(advantages[:, None] > 0, (1 + clip_high) * factors, (1 - clip_low) / factors)
        logp_news.append((logp_old + torch.log(ratios)).to(dtype))
    return logp_news, logp_old.to(dtype), advantages.to(dtype), mask, clip_low, clip_high


@pytest.mark.points(2)
@given(case=ratios_beyond_the_clip_bound())
def test_loss_is_flat_beyond_the_clip_bound(submission, case):
    # Beyond the bound the clipped term is the smaller one and no longer depends on ρ:
    # each token gives -(1 + clip_high)·A (A > 0) or -(1 - clip_low)·A (A < 0).
    logp_news, logp_old, advantages, mask, clip_low, clip_high = case
    upper, lower = torch.tensor(1 + clip_high, dtype=torch.float64), torch.tensor(1 - clip_low, dtype=torch.float64)
    bounds = torch.where(advantages > 0, upper, lower)
    counts = mask.sum(dim=1).double()
    expected = -float((counts * bounds * advantages.double()).sum() / counts.sum())
    for logp_new in logp_news:
        got = submission.clipped_policy_loss(
            logp_new, logp_old, advantages, mask, clip_low=clip_low, clip_high=clip_high
        )
        ratios = torch.exp(logp_new.double() - logp_old.double())[mask]
        check_loss(
            got,
            expected,
            logp_old.dtype,
            name=(
                f"clipped_policy_loss with every ratio beyond the clip bound on the clipped side ({describe(mask, advantages)}, "
                f"clip_low={clip_low}, clip_high={clip_high}, unmasked ratios {shown(ratios.tolist())}; there each "
                f"token's term is -(1 + clip_high)·A or -(1 - clip_low)·A, however far beyond the bound ρ is)"
            ),
        )


@st.composite
def padded_policy_batches(draw):
    """A policy batch, and the same batch with 1 to 4 padding columns appended and the
    log-probabilities of every masked token replaced by other values."""
    logp_new, logp_old, advantages, mask, clip_low, clip_high = draw(policy_batches())
    padding = draw(st.integers(1, 4))
    rows, tokens = mask.shape
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    noise_new = -10 * torch.rand(rows, tokens + padding, generator=generator, dtype=torch.float64)
    noise_old = -10 * torch.rand(rows, tokens + padding, generator=generator, dtype=torch.float64)
    padded_mask = torch.cat([mask, torch.zeros(rows, padding, dtype=torch.bool)], dim=1)
    padded_new = torch.where(padded_mask, torch.nn.functional.pad(logp_new.double(), (0, padding)), noise_new)
    padded_old = torch.where(padded_mask, torch.nn.functional.pad(logp_old.double(), (0, padding)), noise_old)
    original = (logp_new, logp_old, advantages, mask)
    padded = (padded_new.to(logp_new.dtype), padded_old.to(logp_new.dtype), advantages, padded_mask)
    return original, padded, clip_low, clip_high


@given(case=padded_policy_batches())
def test_masked_tokens_do_not_count(submission, case):
    original, padded, clip_low, clip_high = case
    before = submission.clipped_policy_loss(*original, clip_low=clip_low, clip_high=clip_high)
    after = submission.clipped_policy_loss(*padded, clip_low=clip_low, clip_high=clip_high)
    rows, tokens = original[3].shape
    assert_close(
        after,
        before,
        name=(
            f"clipped_policy_loss after appending {padded[3].shape[1] - tokens} masked padding columns to a ({rows}, "
            f"{tokens}) batch and changing every masked token's log-probabilities (expected the loss before, "
            f"{before.item() if isinstance(before, torch.Tensor) and before.numel() == 1 else before}: "
            f"divide by the number of unmasked tokens, not by B·T)"
        ),
        rtol=1e-5,
        atol=1e-6,
    )


@st.composite
def training_batches(draw):
    """One GRPO step's data: 8 prompts x 8 samples with correctness rewards, completions of
    1 to T tokens (T from 256 to 1024) padded to T."""
    prompts, group_size = 8, 8
    rows, tokens = prompts * group_size, draw(st.integers(256, 1024))
    dtype = draw(st.sampled_from(DTYPES))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    rewards = torch.randint(0, 2, (rows,), generator=generator).double()
    rewards[0] = 1.0
    mask = random_mask(generator, rows, tokens, prefix=True)
    logp_old = -(torch.rand(rows, tokens, generator=generator, dtype=torch.float64) * 4 + 0.01)
    logp_new = logp_old + 0.3 * torch.randn(rows, tokens, generator=generator, dtype=torch.float64)
    clip_low, clip_high = draw(st.sampled_from(CLIP_RANGES))
    return rewards.to(dtype), group_size, logp_new.to(dtype), logp_old.to(dtype), mask, clip_low, clip_high


@pytest.mark.points(2)
# Real-sized batches: a few, not shrunk (the small inputs above find small counterexamples).
@settings(max_examples=5, phases=[Phase.explicit, Phase.generate])
@given(case=training_batches())
def test_a_training_batch_matches_the_oracles(submission, case):
    rewards, group_size, logp_new, logp_old, mask, clip_low, clip_high = case
    advantages = submission.group_advantages(rewards, group_size)
    expected = expected_advantages(rewards, group_size)
    assert_close(
        advantages,
        expected,
        name="group_advantages of 64 correctness rewards in groups of 8",
        **tolerances(rewards.dtype),
    )
    got = submission.clipped_policy_loss(logp_new, logp_old, expected, mask, clip_low=clip_low, clip_high=clip_high)
    check_loss(
        got,
        expected_loss(logp_new, logp_old, expected, mask, clip_low, clip_high),
        logp_new.dtype,
        name=f"clipped_policy_loss of a ({mask.shape[0]}, {mask.shape[1]}) batch, clip_low={clip_low}, clip_high={clip_high}",
    )
