"""Tests for speculative_decoding: an exact oracle in rational arithmetic (fractions), a
seeded statistical check that the emitted tokens follow the target model, and the
geometric sum behind the speed-up."""

import itertools
import math
from fractions import Fraction

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided"]
SLACK = 1e-5  # how far every uniform stays from the boundary it is compared with


def exact(values):
    """A tensor's values as exact fractions (every float is a fraction)."""
    return [Fraction(v) for v in values.double().tolist()]


def inverse_cdf(weights, u):
    """The smallest token whose cumulative weight exceeds u, and how close u came to a
    cumulative weight (the slack that rounding in the learner's code must not cross)."""
    total, slack, token = Fraction(0), math.inf, None
    for j, weight in enumerate(weights):
        total += weight
        slack = min(slack, abs(float(total - u)))
        if token is None and total > u:
            token = j
    return token, slack


def oracle(target_probs, draft_probs, draft_tokens, uniforms):
    """``(tokens, slack)``: the emitted tokens, computed in exact rational arithmetic from
    the floats given, and the smallest distance between a uniform and a boundary it was
    compared with, scaled to the size of a rounding error in float32."""
    K = len(draft_tokens)
    u = exact(uniforms)
    emitted, slack = [], math.inf
    for i, x in enumerate(draft_tokens.tolist()):
        p, q = exact(target_probs[i]), exact(draft_probs[i])
        ratio = p[x] / q[x]
        slack = min(slack, abs(float(u[i] - ratio)) / max(1.0, float(ratio)))
        if u[i] < ratio:
            emitted.append(x)
            continue
        residual = [max(Fraction(0), a - b) for a, b in zip(p, q)]
        mass = sum(residual)
        token, draw_slack = inverse_cdf([r / mass for r in residual], u[K])
        # The residual is normalised by its mass: rounding errors grow as 1 / mass.
        return emitted + [token], min(slack, draw_slack * float(mass))
    token, draw_slack = inverse_cdf(exact(target_probs[K]), u[K])
    return emitted + [token], min(slack, draw_slack)


def distributions(generator, rows, vocab, dtype):
    """``rows`` next-token distributions over ``vocab`` tokens: softmax of random logits at
    a random temperature (flat to peaked), a third of them truncated to their top few
    tokens (top-k sampling: exact zeros, down to a single token)."""
    out = torch.empty(rows, vocab, dtype=torch.float64)
    for r in range(rows):
        scale = [0.5, 2.0, 6.0][int(torch.randint(0, 3, (1,), generator=generator))]
        probs = torch.softmax(scale * torch.randn(vocab, generator=generator, dtype=torch.float64), dim=0)
        if torch.rand(1, generator=generator) < 1 / 3:
            keep = int(torch.randint(1, vocab + 1, (1,), generator=generator))
            probs[probs.argsort(descending=True)[keep:]] = 0
            probs /= probs.sum()
        out[r] = probs
    return out.to(dtype)


def uniforms_clear_of_boundaries(generator, p, q, tokens, dtype):
    """Uniforms that land at least SLACK (scaled) from every boundary they meet, so that
    float32 rounding in the learner's code cannot change the answer; None if no draw does."""
    for _ in range(50):
        uniforms = torch.rand(len(tokens) + 1, generator=generator, dtype=torch.float64).to(dtype)
        if oracle(p, q, tokens, uniforms)[1] >= SLACK:
            return uniforms
    return None


@st.composite
def speculative_steps(draw, max_k=5, max_vocab=10):
    """``(target_probs, draft_probs, draft_tokens, uniforms)``: K from 0 to 5 draft tokens
    over 2 to 10 tokens, float32 or float64, flat, peaked and top-k-truncated
    distributions, draft tokens sampled from the draft model or uniformly from its
    support, laid out contiguously, transposed or strided."""
    K, vocab = draw(st.integers(0, max_k)), draw(st.integers(2, max_vocab))
    dtype, layout = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS))
    from_draft = draw(st.booleans())
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    p = distributions(generator, K + 1, vocab, dtype)
    q = distributions(generator, K, vocab, dtype)
    weights = q.double() if from_draft else (q > 0).double()
    tokens = torch.multinomial(weights, 1, generator=generator).reshape(K) if K else torch.zeros(0, dtype=torch.long)
    uniforms = uniforms_clear_of_boundaries(generator, p, q, tokens, dtype)
    assume(uniforms is not None)
    return laid_out(p, layout), laid_out(q, layout), tokens, uniforms


def described(p, q, tokens, uniforms):
    def rows(t):
        return [[round(v, 4) for v in row] for row in t.double().tolist()]

    return (
        f"speculative_step(target_probs={rows(p)}, draft_probs={rows(q)}, draft_tokens={tokens.tolist()}, "
        f"uniforms={[round(v, 6) for v in uniforms.double().tolist()]}) ({p.dtype})"
    )


def check_tokens(got, expected, call):
    assert isinstance(got, list) and all(isinstance(t, int) for t in got), (
        f"{call} returned {got!r} ({type(got).__name__}), expected a list of Python ints such as {expected}"
    )
    assert got == expected, f"{call} returned {got}, expected {expected}"


# The worked example of README.md: K = 2 drafts over a vocabulary of 4.
TARGET = [[0.5, 0.25, 0.125, 0.125], [0.125, 0.125, 0.25, 0.5], [0.0625, 0.0625, 0.75, 0.125]]
DRAFT = [[0.25, 0.5, 0.125, 0.125], [0.5, 0.25, 0.125, 0.125]]


@pytest.mark.points(2)
def test_known_answers(submission):
    p, q = torch.tensor(TARGET, dtype=torch.float64), torch.tensor(DRAFT, dtype=torch.float64)
    tokens = torch.tensor([0, 0])
    cases = [
        # Draft 0: p/q = 0.5/0.25 = 2, accepted. Draft 1: p/q = 0.125/0.5 = 0.25 <= 0.6, rejected;
        # residual max(0, p1 - q1) = [0, 0, 0.125, 0.375] / 0.5 = [0, 0, 0.25, 0.75],
        # cumulative [0, 0, 0.25, 1]: the first value above uniforms[2] = 0.2 is token 2.
        ((p, q, tokens, [0.7, 0.6, 0.2]), [0, 2]),
        # Draft 1 accepted too (0.2 < 0.25): the bonus token from p2, cumulative
        # [0.0625, 0.125, 0.875, 1]: token 2.
        ((p, q, tokens, [0.7, 0.2, 0.2]), [0, 0, 2]),
        # K = 0: no drafts, one token from p0 (cumulative [0.5, 0.75, 0.875, 1]) with uniforms[0].
        ((p[:1], q[:0], tokens[:0], [0.6]), [1]),
        # Draft 0 is token 1, which the target gives 0.25 and the draft 0.5: p/q = 0.5 <= 0.7,
        # rejected; residual [0.25, 0, 0, 0] / 0.25: token 0 whatever the last uniform.
        ((p, q, torch.tensor([1, 0]), [0.7, 0.1, 0.99]), [0]),
    ]
    for ((p_, q_, tokens_, uniforms), expected), dtype in itertools.product(cases, DTYPES):
        p_, q_, uniforms = p_.to(dtype), q_.to(dtype), torch.tensor(uniforms, dtype=dtype)
        got = submission.speculative_step(p_, q_, tokens_, uniforms)
        check_tokens(got, expected, described(p_, q_, tokens_, uniforms))


def test_ties_follow_the_stated_rules(submission):
    cases = [
        # Draft token 1: uniforms[0] == p/q = 0.125/0.25 = 0.5, so it is not accepted (accept
        # iff u < p/q). Residual [0.5, 0, 0.5, 0] after normalising, cumulative
        # [0.5, 0.5, 1, 1]: u = 0.5 is not exceeded until token 2.
        (
            [[0.5, 0.125, 0.25, 0.125], [0.25, 0.25, 0.25, 0.25]],
            [[0.25, 0.25, 0.0, 0.5]],
            [1],
            [0.5, 0.5],
            [2],
        ),
        # A draft token the target rules out (p = 0) is rejected even at uniform 0. Residual
        # [0.5, 0, 0.25, 0.25], cumulative [0.5, 0.5, 0.75, 1]: u = 0.5 gives token 2.
        ([[0.5, 0.0, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]], [[0.25, 0.5, 0.125, 0.125]], [1], [0.0, 0.5], [2]),
        # Bonus token at uniform 0 with a zero-probability first token: cumulative
        # [0, 0.5, 1]; the first value above 0 is token 1 (token 0 can never be drawn).
        ([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]], [[0.25, 0.5, 0.25]], [1], [0.75, 0.0], [1, 1]),
    ]
    for (p, q, tokens, uniforms, expected), dtype in itertools.product(cases, DTYPES):
        p, q = torch.tensor(p, dtype=dtype), torch.tensor(q, dtype=dtype)
        tokens, uniforms = torch.tensor(tokens), torch.tensor(uniforms, dtype=dtype)
        got = submission.speculative_step(p, q, tokens, uniforms)
        rules = "accept iff u < p/q strictly; a draw takes the first token whose cumulative probability is > u"
        check_tokens(got, expected, f"{described(p, q, tokens, uniforms)} ({rules})")


@pytest.mark.points(2)
@given(case=speculative_steps())
def test_step_matches_an_exact_oracle(submission, case):
    p, q, tokens, uniforms = case
    got = submission.speculative_step(p, q, tokens, uniforms)
    check_tokens(got, oracle(p, q, tokens, uniforms)[0], described(p, q, tokens, uniforms))


@st.composite
def draft_equal_to_target(draw):
    """A step whose draft model is the target model itself (q_i = p_i), with uniforms
    anywhere in [0, 1), up to 0.999999."""
    p, _, _, _ = draw(speculative_steps())
    K = p.shape[0] - 1
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    q = p[:K].clone()
    tokens = torch.multinomial(q.double(), 1, generator=generator).reshape(K) if K else torch.zeros(0, dtype=torch.long)
    uniforms = torch.rand(K + 1, generator=generator, dtype=torch.float64)
    if K:
        uniforms[draw(st.integers(0, K - 1))] = 0.999999
    uniforms = uniforms.to(p.dtype)
    assume(inverse_cdf(exact(p[K]), exact(uniforms[K:])[0])[1] >= SLACK)
    return p, q, tokens, uniforms


@given(case=draft_equal_to_target())
def test_draft_equal_to_target_accepts_everything(submission, case):
    # p/q = 1 > u for every u < 1: every draft is accepted, and the bonus token follows.
    p, q, tokens, uniforms = case
    got = submission.speculative_step(p, q, tokens, uniforms)
    expected = tokens.tolist() + [inverse_cdf(exact(p[-1]), exact(uniforms[-1:])[0])[0]]
    check_tokens(got, expected, described(p, q, tokens, uniforms) + " with the draft model equal to the target")


# The statistical test: one fixed pair of distributions, chosen so that the common wrong
# answers move some token's frequency by 0.2 or more (the draft over-proposes token 0).
P_ROW = [0.4, 0.3, 0.3]
Q_ROW = [0.9, 0.05, 0.05]
K_SAMPLED = 2
SAMPLES = 2000
SEED = 20230518
FAILURE_PROBABILITY = 1e-9  # of a correct answer, for any seed (Hoeffding's inequality)


@pytest.mark.points(2)
def test_emitted_tokens_follow_the_target_model(submission):
    # The point of speculative sampling: whatever the draft model, each emitted token is
    # distributed exactly as the target model's. SAMPLES steps with the same rows p and q at
    # every position, draft tokens sampled from q and fresh uniforms, from a fixed seed.
    generator = torch.Generator().manual_seed(SEED)
    p = torch.tensor([P_ROW] * (K_SAMPLED + 1), dtype=torch.float64)
    q = torch.tensor([Q_ROW] * K_SAMPLED, dtype=torch.float64)
    tokens = torch.multinomial(q, SAMPLES, replacement=True, generator=generator).T.contiguous()  # (SAMPLES, K)
    uniforms = torch.rand(SAMPLES, K_SAMPLED + 1, generator=generator, dtype=torch.float64)
    steps = []
    for n in range(SAMPLES):
        emitted = submission.speculative_step(p, q, tokens[n], uniforms[n])
        if not (isinstance(emitted, list) and emitted and all(isinstance(t, int) for t in emitted)):
            check_tokens(emitted, oracle(p, q, tokens[n], uniforms[n])[0], described(p, q, tokens[n], uniforms[n]))
        steps.append(emitted)
    setting = (
        f"over {SAMPLES} seeded calls of speculative_step with K={K_SAMPLED}, target rows {P_ROW}, draft rows "
        f"{Q_ROW} and draft tokens sampled from the draft rows"
    )

    # 1. The first emitted token's frequencies match p. By Hoeffding's inequality and a
    # union bound over the V frequencies, a correct step misses by more than `bound` with
    # probability below FAILURE_PROBABILITY.
    counts = [0] * len(P_ROW)
    for emitted in steps:
        counts[emitted[0]] += 1
    frequencies = [c / SAMPLES for c in counts]
    bound = math.sqrt(math.log(2 * len(P_ROW) / FAILURE_PROBABILITY) / (2 * SAMPLES))
    worst = max(abs(f - e) for f, e in zip(frequencies, P_ROW))
    assert worst <= bound, (
        f"{setting}, the first emitted token had frequencies {[round(f, 4) for f in frequencies]}, expected the "
        f"target's {P_ROW} within {bound:.3f} (one is off by {worst:.3f}; a correct step misses by that much "
        f"with probability below {FAILURE_PROBABILITY:g})"
    )

    # 2. Each draft is accepted with probability alpha = sum(min(p, q)), so a step emits
    # 1 + alpha + ... + alpha^K tokens on average. Lengths lie in [1, K + 1]: by Hoeffding's
    # inequality their mean misses by more than `bound` with probability below FAILURE_PROBABILITY.
    alpha = sum(min(a, b) for a, b in zip(P_ROW, Q_ROW))
    expected = sum(alpha**i for i in range(K_SAMPLED + 1))
    mean = sum(len(emitted) for emitted in steps) / SAMPLES
    bound = K_SAMPLED * math.sqrt(math.log(2 / FAILURE_PROBABILITY) / (2 * SAMPLES))
    assert abs(mean - expected) <= bound, (
        f"{setting} (each accepted with probability alpha = sum(min(p, q)) = {alpha:g}), the steps emitted "
        f"{mean:.3f} tokens on average, expected 1 + alpha + ... + alpha^{K_SAMPLED} = {expected:g} within {bound:.3f}"
    )


def test_expected_tokens_per_step_known_values(submission):
    cases = [
        ((0.8, 4), 3.3616),  # (1 - 0.8^5) / 0.2 = (1 - 0.32768) / 0.2
        ((0.5, 1), 1.5),
        ((0.0, 5), 1.0),  # every draft rejected: only the target's own token
        ((1.0, 4), 5.0),  # every draft accepted, plus the bonus token
        ((0.7, 0), 1.0),  # no drafts: ordinary decoding
    ]
    for (alpha, k), expected in cases:
        got = submission.expected_tokens_per_step(alpha, k)
        assert isinstance(got, (int, float)) and math.isclose(got, expected, rel_tol=1e-9), (
            f"expected_tokens_per_step({alpha}, {k}) returned {got!r}, expected {expected}"
        )


# Up to alpha = 0.999: closer to 1 the closed form loses digits to cancellation (1 - alpha).
@pytest.mark.points(2)
@given(
    alpha=st.one_of(st.floats(0.0, 0.999), st.sampled_from([0.0, 0.5, 0.9, 0.999, 1.0])),
    k=st.integers(0, 16),
)
def test_expected_tokens_per_step_is_the_geometric_sum(submission, alpha, k):
    got = submission.expected_tokens_per_step(alpha, k)
    expected = math.fsum(alpha**i for i in range(k + 1))
    assert isinstance(got, (int, float)) and math.isclose(got, expected, rel_tol=1e-9), (
        f"expected_tokens_per_step({alpha!r}, {k}) returned {got!r}, expected 1 + alpha + ... + alpha^{k} = {expected!r}"
    )


@given(alpha=st.one_of(st.floats(0.0, 0.999), st.just(1.0)), k=st.integers(0, 15))
def test_one_more_draft_adds_alpha_times_the_rest(submission, alpha, k):
    # The (k+1)-th draft is reached only through an accepted first one: E(k + 1) = 1 + alpha·E(k).
    shorter = submission.expected_tokens_per_step(alpha, k)
    longer = submission.expected_tokens_per_step(alpha, k + 1)
    assert math.isclose(longer, 1 + alpha * shorter, rel_tol=1e-7), (
        f"expected_tokens_per_step({alpha!r}, {k + 1}) = {longer!r}, but 1 + alpha·expected_tokens_per_step({alpha!r}, "
        f"{k}) = {1 + alpha * shorter!r}: one more draft adds alpha times the tokens of the shorter step"
    )
