"""Tests for medusa_mtp: a float64 cross-entropy written out per position and torch's own
F.cross_entropy as oracles for the loss; the definition of a prefix, checked node by
node, for the tree; the entropy in float64 for typical acceptance; and metamorphic
relations (shifted logits, changes where nothing counts, prefixes of candidates)."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader import assert_close
from grader.strategies import laid_out

DTYPES = [torch.float32, torch.float64]
LAYOUTS = ["contiguous", "transposed", "strided"]
IGNORE_INDICES = [None, -1, 0]  # None: the default, -100. 0 is also a real token id here.


def shown(values, digits=4):
    if isinstance(values, list):
        return [shown(v, digits) for v in values]
    return round(values, digits)


# ---------------------------------------------------------------- mtp_loss


def expected_mtp_loss(head_logits, tokens, ignore_index=-100):
    """Per head: the mean over counted (b, t) of logsumexp(logits) - logits[target], in float64
    with Python's math, one position at a time."""
    K, B, T, V = head_logits.shape
    logits, targets = head_logits.double().tolist(), tokens.tolist()
    losses = []
    for k in range(K):
        total, count = 0.0, 0
        for b in range(B):
            for t in range(T - k - 1):
                target = targets[b][t + k + 1]
                if target == ignore_index:
                    continue
                row = logits[k][b][t]
                top = max(row)
                total += top + math.log(math.fsum(math.exp(x - top) for x in row)) - row[target]
                count += 1
        losses.append(total / count)
    return torch.tensor(losses, dtype=torch.float64)


def loss_tolerances(head_logits):
    """float32 against the float64 oracle: a logsumexp of logits of size s is off by about
    s·2^-24 in float32, so the absolute tolerance grows with the logits' magnitude."""
    if head_logits.dtype == torch.float64:
        return {}
    return {"rtol": 1e-5, "atol": 1e-5 * max(1.0, float(head_logits.abs().max()))}


@st.composite
def mtp_batches(draw, max_heads=4, max_batch=3, max_length=9, max_vocab=12):
    """``(head_logits, tokens, ignore_index)``: K from 1 to 4 heads, B from 1 to 3, T from
    K + 1 to 9, V from 2 to 12; logits at scale 1, 10 or 1000 (large magnitudes), float32
    or float64, contiguous, transposed or strided; about a quarter of the tokens set to
    ignore_index (None: the default -100), but never the last token of the first sequence,
    so that every head counts at least one position."""
    K = draw(st.integers(1, max_heads))
    B, T, V = draw(st.integers(1, max_batch)), draw(st.integers(K + 1, max_length)), draw(st.integers(2, max_vocab))
    dtype, layout = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS))
    scale = draw(st.sampled_from([1.0, 10.0, 1000.0]))
    ignore_index = draw(st.sampled_from(IGNORE_INDICES))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    head_logits = scale * torch.randn(K, B, T, V, generator=generator, dtype=torch.float64)
    tokens = torch.randint(0, V, (B, T), generator=generator)
    ignored = torch.rand(B, T, generator=generator) < 0.25
    ignored[0, T - 1] = False
    tokens[ignored] = -100 if ignore_index is None else ignore_index
    if ignore_index == 0:  # 0 is an id of the vocabulary too: the last token must not be it
        tokens[0, T - 1] = int(torch.randint(1, V, (1,), generator=generator))
    return laid_out(head_logits.to(dtype), layout), tokens, ignore_index


def call_mtp_loss(submission, head_logits, tokens, ignore_index):
    if ignore_index is None:
        return submission.mtp_loss(head_logits, tokens)
    return submission.mtp_loss(head_logits, tokens, ignore_index=ignore_index)


def described_batch(head_logits, tokens, ignore_index):
    K, B, T, V = head_logits.shape
    ignored = "-100 (the default)" if ignore_index is None else ignore_index
    logits = shown(head_logits.double().tolist(), 3) if head_logits.numel() <= 48 else f"of shape ({K}, {B}, {T}, {V})"
    return f"mtp_loss(head_logits={logits} ({head_logits.dtype}), tokens={tokens.tolist()}, ignore_index={ignored})"


LN_4_3, LN_4 = math.log(4 / 3), math.log(4)


@pytest.mark.points(2)
def test_mtp_loss_known_answer(submission):
    # Logits [ln 3, 0] give token 0 probability 3/4, [0, ln 3] give token 1 probability 3/4.
    # Head 0 at t = 0 predicts tokens[1] = 0 (loss ln 4/3), at t = 1 predicts tokens[2] = 1
    # (ln 4/3); head 1 at t = 0 predicts tokens[2] = 1 from [ln 3, 0] (loss ln 4). The
    # positions with no target hold logits [5, -5], which must not count.
    for dtype in DTYPES:
        ln3 = math.log(3)
        head_logits = torch.tensor(
            [[[[ln3, 0.0], [0.0, ln3], [5.0, -5.0]]], [[[ln3, 0.0], [5.0, -5.0], [5.0, -5.0]]]], dtype=dtype
        )
        for tokens, expected in [([[1, 0, 1]], [LN_4_3, LN_4]), ([[1, -100, 1]], [LN_4_3, LN_4])]:
            got = submission.mtp_loss(head_logits, torch.tensor(tokens))
            assert_close(
                got,
                torch.tensor(expected, dtype=dtype),
                name=f"mtp_loss of the worked example with tokens {tokens} ({dtype}; expected [ln 4/3, ln 4])",
            )


@pytest.mark.points(2)
@given(batch=mtp_batches())
def test_mtp_loss_matches_the_float64_formula(submission, batch):
    head_logits, tokens, ignore_index = batch
    got = call_mtp_loss(submission, head_logits, tokens, ignore_index)
    expected = expected_mtp_loss(head_logits, tokens, -100 if ignore_index is None else ignore_index)
    assert_close(
        got,
        expected.to(head_logits.dtype),
        name=described_batch(head_logits, tokens, ignore_index),
        **loss_tolerances(head_logits),
    )


@given(batch=mtp_batches())
def test_head_zero_is_the_next_token_loss(submission, batch):
    # Head 0 is the ordinary language-model head: torch's cross-entropy of the logits at
    # positions 0..T-2 against the tokens at 1..T-1.
    head_logits, tokens, ignore_index = batch
    got = call_mtp_loss(submission, head_logits, tokens, ignore_index)
    V = head_logits.shape[-1]
    expected = F.cross_entropy(
        head_logits[0, :, :-1].double().reshape(-1, V),
        tokens[:, 1:].reshape(-1),
        ignore_index=-100 if ignore_index is None else ignore_index,
    )
    assert_close(
        got[0] if isinstance(got, torch.Tensor) and got.dim() == 1 else got,
        expected.to(head_logits.dtype),
        name=f"{described_batch(head_logits, tokens, ignore_index)}[0] (head 0 predicts the next token, tokens[:, t + 1])",
        **loss_tolerances(head_logits),
    )


@st.composite
def shifted_logits(draw):
    """A float64 batch and the same logits with a constant added at every (head, sequence,
    position): ±1e3 or ±1e6 (logits of that size overflow exp)."""
    head_logits, tokens, ignore_index = draw(mtp_batches())
    K, B, T, _ = head_logits.shape
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    magnitude = draw(st.sampled_from([1e3, 1e6]))
    offsets = magnitude * torch.randint(-1, 2, (K, B, T, 1), generator=generator).double()
    logits = head_logits.double()
    return logits, logits + offsets, tokens, ignore_index, magnitude


@given(case=shifted_logits())
def test_adding_a_constant_to_a_positions_logits_changes_nothing(submission, case):
    # softmax(x + c) = softmax(x): each position's cross-entropy is unchanged, however large c.
    logits, shifted, tokens, ignore_index, magnitude = case
    before = call_mtp_loss(submission, logits, tokens, ignore_index)
    after = call_mtp_loss(submission, shifted, tokens, ignore_index)
    for losses, which in [(before, "the logits"), (after, f"the logits with ±{magnitude:g} added")]:
        assert isinstance(losses, torch.Tensor) and bool(torch.isfinite(losses).all()), (
            f"{described_batch(logits, tokens, ignore_index)} on {which} returned {losses}: a cross-entropy of "
            f"finite logits is finite (do not form probabilities that underflow or exponentials that overflow)"
        )
    assert_close(
        after,
        before,
        name=(
            f"{described_batch(shifted, tokens, ignore_index)} after adding ±{magnitude:g} to some positions' logits "
            f"(expected the losses before, {shown(before.tolist()) if isinstance(before, torch.Tensor) else before}: "
            f"cross-entropy must not overflow)"
        ),
        rtol=1e-6,
        atol=1e-6,
    )


@st.composite
def changes_where_nothing_counts(draw):
    """A batch and the same batch with new logits at every (head k, position t) that counts
    for nothing: t + k + 1 >= T (no target) or a target equal to ignore_index."""
    head_logits, tokens, ignore_index = draw(mtp_batches())
    K, B, T, V = head_logits.shape
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    ignored_value = -100 if ignore_index is None else ignore_index
    changed = head_logits.clone()
    for k in range(K):
        for t in range(T):
            for b in range(B):
                if t + k + 1 >= T or tokens[b, t + k + 1] == ignored_value:
                    changed[k, b, t] = 50 * torch.randn(V, generator=generator, dtype=torch.float64).to(changed.dtype)
    return head_logits, changed, tokens, ignore_index


@given(case=changes_where_nothing_counts())
def test_positions_without_a_target_do_not_count(submission, case):
    head_logits, changed, tokens, ignore_index = case
    before = call_mtp_loss(submission, head_logits, tokens, ignore_index)
    after = call_mtp_loss(submission, changed, tokens, ignore_index)
    assert_close(
        after,
        before,
        name=(
            f"{described_batch(head_logits, tokens, ignore_index)} after changing the logits of head k at the last "
            f"k + 1 positions and wherever its target is ignore_index (expected the losses before: those pairs "
            f"have no target)"
        ),
        rtol=1e-6,
        atol=1e-6,
    )


# ---------------------------------------------------------------- the candidate tree


def prefixes(path):
    return [tuple(path[:depth]) for depth in range(1, len(path) + 1)]


@st.composite
def candidate_paths(draw, max_paths=8, max_depth=4, max_choice=12):
    """Paths of 0 to 4 choice indices from 0 to 12 (two-digit ones too, so that sorting as
    strings shows), in any order, with duplicates, sometimes prefix-closed (as Medusa's
    lists are), sometimes not."""
    choice = st.one_of(st.integers(0, 2), st.integers(0, max_choice))
    paths = draw(st.lists(st.lists(choice, max_size=max_depth), max_size=max_paths))
    if draw(st.booleans()):
        paths += [list(node) for path in paths for node in prefixes(path)[:-1]]
        paths = draw(st.permutations(paths))
    return [list(path) for path in paths]


PATHS = [[1, 0], [0, 1], [0, 0, 2]]
NODES = [(0,), (1,), (0, 0), (0, 1), (1, 0), (0, 0, 2)]
MASK = [
    [1, 0, 0, 0, 0, 0],  # (0,)      sees itself
    [0, 1, 0, 0, 0, 0],  # (1,)
    [1, 0, 1, 0, 0, 0],  # (0, 0)    sees (0,) and itself
    [1, 0, 0, 1, 0, 0],  # (0, 1)
    [0, 1, 0, 0, 1, 0],  # (1, 0)
    [1, 0, 1, 0, 0, 1],  # (0, 0, 2) sees (0,), (0, 0) and itself
]


@pytest.mark.points(2)
def test_tree_known_answer(submission):
    got = submission.tree_nodes([list(path) for path in PATHS])
    assert got == NODES, f"tree_nodes({PATHS}) returned {got}, expected {NODES}"
    mask = submission.tree_attention_mask([list(path) for path in PATHS])
    assert isinstance(mask, torch.Tensor) and mask.dtype == torch.bool, (
        f"tree_attention_mask({PATHS}) returned {type(mask).__name__} {getattr(mask, 'dtype', '')}, expected a bool tensor"
    )
    expected = torch.tensor(MASK, dtype=torch.bool)
    assert mask.shape == expected.shape and torch.equal(mask, expected), (
        f"tree_attention_mask({PATHS}) returned\n{mask.int().tolist()}\nexpected (rows and columns in the order {NODES})\n"
        f"{MASK}"
    )
    assert submission.tree_nodes([]) == [], "tree_nodes([]) should be []"
    assert submission.tree_nodes([[]]) == [], "tree_nodes([[]]) should be []: an empty path has no non-empty prefix"


@pytest.mark.points(2)
@given(paths=candidate_paths())
def test_tree_nodes_are_the_distinct_prefixes_by_length_then_lexicographically(submission, paths):
    given_paths = [list(path) for path in paths]
    got = submission.tree_nodes(given_paths)
    call = f"tree_nodes({paths}) returned {got}"
    assert given_paths == paths, f"tree_nodes({paths}) changed its argument to {given_paths}"
    assert isinstance(got, list) and all(isinstance(node, tuple) for node in got), f"{call}, expected a list of tuples"
    wanted = {node for path in paths for node in prefixes(path)}
    assert len(got) == len(set(got)), f"{call}, which repeats a node"
    assert set(got) == wanted, (
        f"{call}; missing {sorted(wanted - set(got))}, not a prefix of any path {sorted(set(got) - wanted)}"
    )
    for a, b in zip(got, got[1:]):
        assert len(a) < len(b) or (len(a) == len(b) and a < b), (
            f"{call}: {a} comes before {b}, but nodes are sorted by length, then lexicographically"
        )


@given(paths=candidate_paths(), order_seed=st.integers(0, 2**16))
def test_tree_ignores_the_order_and_repeats_of_paths(submission, paths, order_seed):
    generator = torch.Generator().manual_seed(order_seed)
    shuffled = [paths[i] for i in torch.randperm(len(paths), generator=generator).tolist()]
    shuffled += [paths[0], paths[0][:1]] if paths and paths[0] else []
    before = submission.tree_nodes([list(path) for path in paths])
    after = submission.tree_nodes([list(path) for path in shuffled])
    assert after == before, (
        f"tree_nodes({paths}) returned {before}, but the same paths reordered and repeated, {shuffled}, gave {after}"
    )


@pytest.mark.points(2)
@given(paths=candidate_paths())
def test_tree_mask_is_the_prefix_relation(submission, paths):
    nodes = {node for path in paths for node in prefixes(path)}
    order = sorted(nodes, key=lambda node: (len(node), node))
    mask = submission.tree_attention_mask([list(path) for path in paths])
    n = len(order)
    assert isinstance(mask, torch.Tensor) and mask.dtype == torch.bool and tuple(mask.shape) == (n, n), (
        f"tree_attention_mask({paths}) returned {type(mask).__name__} {getattr(mask, 'dtype', '')} of shape "
        f"{tuple(getattr(mask, 'shape', ()))}, expected a bool tensor of shape ({n}, {n})"
    )
    rows = mask.tolist()
    for i, node in enumerate(order):
        ancestors = set(prefixes(node))  # the node itself and every shorter prefix
        row = {order[j] for j in range(n) if rows[i][j]}
        assert row == ancestors, (
            f"tree_attention_mask({paths}): row {i}, node {node}, attends to {sorted(row, key=len)}, expected its "
            f"prefixes, itself included: {sorted(ancestors, key=len)} (nodes in order: {order})"
        )


@given(paths=candidate_paths())
def test_tree_mask_is_lower_triangular_with_depth_on_each_row(submission, paths):
    # Parents come before children, so every node attends only backwards and to itself;
    # a node at depth d sees exactly d tokens of the tree; what a node's ancestors see, it sees.
    mask = submission.tree_attention_mask([list(path) for path in paths])
    nodes = submission.tree_nodes([list(path) for path in paths])
    if not nodes:
        assert mask.numel() == 0, f"tree_attention_mask({paths}) returned {mask.tolist()} for a tree with no nodes"
        return
    assert torch.equal(mask, mask.tril()), (
        f"tree_attention_mask({paths}) attends to later nodes:\n{mask.int().tolist()}"
    )
    depths = [len(node) for node in nodes]
    assert mask.sum(dim=1).tolist() == depths, (
        f"tree_attention_mask({paths}) has {mask.sum(dim=1).tolist()} True entries per row, expected the depths "
        f"{depths} of the nodes {nodes}"
    )
    reachable = (mask.int() @ mask.int()) > 0
    assert torch.equal(reachable | mask, mask), f"tree_attention_mask({paths}) is not transitive"


# ---------------------------------------------------------------- typical acceptance


def entropy(row):
    return -math.fsum(p * math.log(p) for p in row if p > 0)


def typical_threshold(row, epsilon=0.09, delta=0.3):
    return min(epsilon, delta * math.exp(-entropy(row)))


def expected_accepted(probs, candidate, epsilon=0.09, delta=0.3):
    count = 0
    for row, token in zip(probs.double().tolist(), candidate.tolist()):
        if row[token] <= typical_threshold(row, epsilon, delta):
            break
        count += 1
    return count


def typical_rows(generator, L, V):
    """Softmax of random logits at temperatures from flat to peaked, some truncated to their
    top few tokens (exact zeros, down to one-hot), in float64."""
    rows = []
    for _ in range(L):
        scale = [0.3, 1.0, 3.0, 10.0][int(torch.randint(0, 4, (1,), generator=generator))]
        row = torch.softmax(scale * torch.randn(V, generator=generator, dtype=torch.float64), dim=0)
        if torch.rand(1, generator=generator) < 0.3:
            keep = int(torch.randint(1, V + 1, (1,), generator=generator))
            row[row.argsort(descending=True)[keep:]] = 0
            row /= row.sum()
        rows.append(row)
    return torch.stack(rows) if rows else torch.zeros(0, V, dtype=torch.float64)


@st.composite
def typical_cases(draw, max_length=8, max_vocab=16):
    """``(probs, candidate, epsilon, delta)``: L from 0 to 8 positions over 2 to 16 tokens,
    float32 or float64, contiguous, transposed or strided; candidates the greedy token, one
    above the threshold, one between the two bars epsilon and delta·exp(-H), or any;
    epsilon and delta the defaults or others. Each candidate
    probability is at least 1% away from its threshold, so that rounding (and Medusa's
    log(p + 1e-5) in the entropy) cannot decide."""
    L, V = draw(st.integers(0, max_length)), draw(st.integers(2, max_vocab))
    dtype, layout = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS))
    epsilon, delta = draw(st.sampled_from([(0.09, 0.3), (0.05, 0.3), (0.3, 0.09), (0.2, 0.5)]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    probs = typical_rows(generator, L, V).to(dtype)
    candidate = []
    for row in probs.double().tolist():
        threshold = typical_threshold(row, epsilon, delta)
        clear = [v for v in range(V) if abs(row[v] - threshold) >= 0.01 * threshold]
        bars = sorted([epsilon, delta * math.exp(-entropy(row))])
        how = int(torch.randint(0, 4, (1,), generator=generator))
        if how == 0:  # greedy: the most likely token
            token = max(range(V), key=row.__getitem__)
        elif how == 1:  # any token above the threshold, else any
            above = [v for v in clear if row[v] > threshold]
            token = above[int(torch.randint(0, len(above), (1,), generator=generator))] if above else clear[0]
        elif how == 2:  # a token between the two bars if there is one: above the lower, not the higher
            between = [v for v in clear if bars[0] < row[v] <= bars[1]] or clear
            token = between[int(torch.randint(0, len(between), (1,), generator=generator))]
        else:
            token = clear[int(torch.randint(0, len(clear), (1,), generator=generator))]
        if token not in clear:
            token = clear[0]
        candidate.append(token)
    return laid_out(probs, layout), torch.tensor(candidate, dtype=torch.long), epsilon, delta


def described_typical(probs, candidate, epsilon, delta):
    return (
        f"typical_acceptance(probs={shown(probs.double().tolist())} ({probs.dtype}), candidate={candidate.tolist()}, "
        f"epsilon={epsilon}, delta={delta})"
    )


def check_count(got, expected, call):
    assert isinstance(got, int) and not isinstance(got, bool), f"{call} returned {got!r}, expected the int {expected}"
    assert got == expected, f"{call} returned {got}, expected {expected}"


@pytest.mark.points(2)
def test_typical_acceptance_known_answers(submission):
    # Row 0: H = 1.75 ln 2, 0.3·exp(-H) = 0.3·2^-1.75 = 0.0892 < 0.09: token 2 (0.125) passes.
    # Row 1: H = 0.168, 0.3·exp(-H) = 0.254, threshold 0.09: token 1 (0.01) fails.
    # Row 2: uniform over 4, threshold min(0.09, 0.3/4 = 0.075): token 0 (0.25) passes, but
    # it comes after a rejection and does not count.
    probs = [[0.5, 0.25, 0.125, 0.125], [0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25]]
    cases = [
        ((probs, [2, 1, 0]), 1),
        ((probs, [2, 0, 0]), 3),
        ((probs[:1], [2]), 1),
        ((probs[1:2], [1]), 0),
        # H(0.8, 0.15, 0.05) = 0.613, 0.3·exp(-H) = 0.163 > 0.09: the threshold is 0.09 and
        # token 1 (0.15) passes; it must clear one of the two bars, not both.
        (([[0.8, 0.15, 0.05]], [1]), 1),
        # One-hot rows: entropy 0 (0·log 0 = 0), threshold min(0.09, 0.3): the greedy token passes.
        (([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [1, 0]), 2),
    ]
    for dtype in DTYPES:
        for (rows, candidate), expected in cases:
            p, c = torch.tensor(rows, dtype=dtype), torch.tensor(candidate)
            check_count(submission.typical_acceptance(p, c), expected, described_typical(p, c, 0.09, 0.3))
        p, c = torch.zeros(0, 4, dtype=dtype), torch.zeros(0, dtype=torch.long)
        check_count(
            submission.typical_acceptance(p, c), 0, described_typical(p, c, 0.09, 0.3) + " (no candidate tokens)"
        )


def test_typical_acceptance_needs_more_than_the_threshold(submission):
    # [0.75, 0.25] with epsilon = 0.25 and delta = 1: 1·exp(-H) = 0.57, so the threshold is
    # epsilon = 0.25 exactly; token 1 has probability exactly 0.25 and is not accepted (> is strict).
    for dtype in DTYPES:
        p, c = torch.tensor([[0.75, 0.25], [0.75, 0.25]], dtype=dtype), torch.tensor([0, 1])
        got = submission.typical_acceptance(p, c, epsilon=0.25, delta=1.0)
        check_count(got, 1, described_typical(p, c, 0.25, 1.0) + " (accepted iff the probability is > the threshold)")


@pytest.mark.points(2)
@given(case=typical_cases())
def test_typical_acceptance_matches_the_float64_entropy_rule(submission, case):
    probs, candidate, epsilon, delta = case
    got = submission.typical_acceptance(probs, candidate, epsilon=epsilon, delta=delta)
    check_count(
        got, expected_accepted(probs, candidate, epsilon, delta), described_typical(probs, candidate, epsilon, delta)
    )


@st.composite
def one_hot_cases(draw):
    """One-hot target rows (greedy decoding: entropy 0) and a candidate that follows the
    argmax for a while, then maybe not."""
    L, V = draw(st.integers(1, 8)), draw(st.integers(2, 12))
    dtype = draw(st.sampled_from(DTYPES))
    greedy = draw(st.lists(st.integers(0, V - 1), min_size=L, max_size=L))
    candidate = [g if draw(st.integers(0, 3)) else draw(st.integers(0, V - 1)) for g in greedy]
    probs = F.one_hot(torch.tensor(greedy), V).to(dtype)
    return probs, torch.tensor(candidate), greedy


@given(case=one_hot_cases())
def test_one_hot_targets_accept_the_greedy_match(submission, case):
    # With deterministic targets typical acceptance is greedy verification: accept while
    # the candidate equals the argmax.
    probs, candidate, greedy = case
    expected = 0
    while expected < len(greedy) and candidate[expected] == greedy[expected]:
        expected += 1
    got = submission.typical_acceptance(probs, candidate)
    check_count(got, expected, described_typical(probs, candidate, 0.09, 0.3) + f" (one-hot targets: greedy {greedy})")


@given(case=typical_cases(), cut=st.integers(0, 8))
def test_only_the_leading_run_counts(submission, case, cut):
    # The count for the first `cut` positions is the count for all of them, capped at `cut`:
    # nothing after the first rejection matters.
    probs, candidate, epsilon, delta = case
    whole = submission.typical_acceptance(probs, candidate, epsilon=epsilon, delta=delta)
    part = submission.typical_acceptance(probs[:cut], candidate[:cut], epsilon=epsilon, delta=delta)
    assert part == min(whole, cut, len(candidate)), (
        f"{described_typical(probs, candidate, epsilon, delta)} returned {whole}, but its first {cut} positions "
        f"alone gave {part}, expected {min(whole, cut, len(candidate))}: only the tokens before the first rejection count"
    )


@given(case=typical_cases())
def test_raising_epsilon_or_delta_never_accepts_more(submission, case):
    # Both raise the threshold min(epsilon, delta·exp(-H)).
    probs, candidate, epsilon, delta = case
    base = submission.typical_acceptance(probs, candidate, epsilon=epsilon, delta=delta)
    for e, d in [(2 * epsilon, delta), (epsilon, 2 * delta)]:
        got = submission.typical_acceptance(probs, candidate, epsilon=e, delta=d)
        assert got <= base, (
            f"{described_typical(probs, candidate, epsilon, delta)} returned {base}, but with epsilon={e}, delta={d} "
            f"(a higher threshold) it accepted {got}"
        )
