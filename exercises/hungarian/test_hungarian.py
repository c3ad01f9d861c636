"""Tests for hungarian: known answers, brute force over every assignment on small matrices,
full-size matrices with a planted optimum certified by potentials, unit squares counted for
GIoU, and DETR's cost matrix rebuilt in float64 from the formula."""

import math
import random
import reprlib
from itertools import permutations

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

_shortener = reprlib.Repr()
_shortener.maxlist = 12
_shortener.maxtuple = 3


def shown(value):
    """A list as messages show it: long ones are cut with an ellipsis."""
    return _shortener.repr(value)


# ---------------------------------------------------------------- oracles


def total(cost, pairs):
    return math.fsum(cost[i][j] for i, j in pairs)


def best_total(cost):
    """The smallest total over every assignment of min(n, m) pairs: the definition, one assignment at a time."""
    n = len(cost)
    m = len(cost[0]) if n else 0
    if n <= m:
        return min(math.fsum(cost[i][j] for i, j in enumerate(cols)) for cols in permutations(range(m), n))
    return min(math.fsum(cost[i][j] for j, i in enumerate(rows)) for rows in permutations(range(n), m))


def transposed(cost):
    return [list(column) for column in zip(*cost)]


def check_assignment(pairs, n, m, call):
    """Fail unless ``pairs`` is min(n, m) (row, col) tuples of ints, sorted by row, no row or column twice."""
    assert isinstance(pairs, list), f"{call} returned a {type(pairs).__name__}, expected a list of (row, col) tuples"
    for pair in pairs:
        assert (
            isinstance(pair, tuple)
            and len(pair) == 2
            and all(isinstance(k, int) and not isinstance(k, bool) for k in pair)
        ), f"{call} returned {shown(pairs)}: {pair!r} is not a tuple of two Python ints"
    assert len(pairs) == min(n, m), f"{call} returned {len(pairs)} pairs, expected min(n, m) = {min(n, m)}"
    rows, cols = [i for i, _ in pairs], [j for _, j in pairs]
    outside = [(i, j) for i, j in pairs if not (0 <= i < n and 0 <= j < m)]
    assert not outside, f"{call} returned {shown(pairs)}: {outside[0]} is outside the {n} x {m} matrix"
    assert len(set(rows)) == len(rows), f"{call} returned {shown(pairs)}: a row is used twice"
    assert len(set(cols)) == len(cols), f"{call} returned {shown(pairs)}: a column is used twice"
    assert rows == sorted(rows), f"{call} returned {shown(pairs)}: the pairs are not sorted by row"


def check_optimal(pairs, cost, best, call):
    got = total(cost, pairs)
    scale = max((abs(c) for row in cost for c in row), default=1.0)
    assert math.isclose(got, best, rel_tol=1e-9, abs_tol=1e-9 * max(scale, 1.0) * len(cost)), (
        f"{call} returned {shown(pairs)}, which costs {got!r}; the best assignment costs {best!r}"
    )


def cells(box):
    x1, y1, x2, y2 = (int(v) for v in box)
    return {(x, y) for x in range(x1, x2) for y in range(y1, y2)}


def giou_by_counting(box_a, box_b):
    """GIoU of integer boxes from unit squares: in both, in either, in the enclosing box."""
    a, b = cells(box_a), cells(box_b)
    enclosing = cells(
        [min(box_a[0], box_b[0]), min(box_a[1], box_b[1]), max(box_a[2], box_b[2]), max(box_a[3], box_b[3])]
    )
    union = len(a | b)
    return len(a & b) / union - (len(enclosing) - union) / len(enclosing)


def giou64(box_a, box_b):
    """GIoU in float64 from the definition, for DETR's cost matrix."""
    inter_w = max(0.0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]))
    inter_h = max(0.0, min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]))
    inter = inter_w * inter_h
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    union = area_a + area_b - inter
    hull = (max(box_a[2], box_b[2]) - min(box_a[0], box_b[0])) * (max(box_a[3], box_b[3]) - min(box_a[1], box_b[1]))
    return inter / union - (hull - union) / hull


def corners(box):
    cx, cy, w, h = box
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]


def detr_cost_matrix(pred_logits, pred_boxes, tgt_labels, tgt_boxes, cost_class, cost_bbox, cost_giou):
    """DETR's (Q, T) cost matrix in float64, entry by entry from the formula of the statement."""
    cost = []
    for logits, box in zip(pred_logits.double().tolist(), pred_boxes.double().tolist()):
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]  # softmax, shifted so that large logits do not overflow
        probs = [e / math.fsum(exps) for e in exps]
        row = []
        for label, target in zip(tgt_labels.tolist(), tgt_boxes.double().tolist()):
            l1 = math.fsum(abs(p - t) for p, t in zip(box, target))
            row.append(-cost_class * probs[label] + cost_bbox * l1 - cost_giou * giou64(corners(box), corners(target)))
        cost.append(row)
    return cost


# ---------------------------------------------------------------- strategies

COSTS = [
    st.integers(-3, 3).map(float),  # many ties
    st.integers(0, 100).map(float),
    st.floats(-100, 100),
    st.floats(-1e6, 1e6),
]


@st.composite
def cost_matrices(draw, max_side=6):
    """n x m matrices, 1 <= n, m <= 6, wide, tall and square, of one kind of cost."""
    n, m = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    values = draw(st.sampled_from(COSTS))
    return draw(st.lists(st.lists(values, min_size=m, max_size=m), min_size=n, max_size=n))


@st.composite
def planted_matrices(draw):
    """(cost, planted pairs) for a large matrix whose optimum is known.

    For n <= m: potentials u[i] (any sign) and v[j] <= 0, with v[j] = 0 off the planted columns,
    and cost[i][j] = u[i] + v[j] + slack[i][j], where slack >= 0 and is 0 on the planted pairs.
    Any assignment then costs sum(u) + sum(v over its columns) + its slack >= sum(u) + sum(v),
    which is exactly what the planted assignment costs: it is optimal. Tall matrices are
    built wide and transposed. Integer costs make many other assignments optimal too."""
    n, m = draw(st.sampled_from([(150, 150), (110, 150), (150, 110)]))
    integer = draw(st.booleans())
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    rows, cols = min(n, m), max(n, m)
    uniform = (lambda a, b: float(rng.randint(a, b))) if integer else rng.uniform
    planted_cols = rng.sample(range(cols), rows)
    u = [uniform(-50, 50) for _ in range(rows)]
    v = [0.0] * cols
    for j in planted_cols:
        v[j] = uniform(-50, 0)
    cost = [[u[i] + v[j] + (0.0 if j == planted_cols[i] else uniform(0, 10)) for j in range(cols)] for i in range(rows)]
    planted = list(enumerate(planted_cols))
    if n > m:
        cost, planted = transposed(cost), [(i, j) for j, i in planted]
    return cost, planted


@st.composite
def integer_boxes(draw):
    """[x1, y1, x2, y2] with positive width and height on a small integer grid, as floats."""
    x1, y1 = draw(st.integers(0, 8)), draw(st.integers(0, 8))
    w, h = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return [float(x1), float(y1), float(x1 + w), float(y1 + h)]


@st.composite
def float_boxes(draw):
    x1, y1 = draw(st.floats(-1e3, 1e3)), draw(st.floats(-1e3, 1e3))
    w, h = draw(st.floats(1e-3, 1e3)), draw(st.floats(1e-3, 1e3))
    return [x1, y1, x1 + w, y1 + h]


@st.composite
def nested_boxes(draw):
    """(outer, inner) with inner inside outer (edges may touch), scaled to small, unit or large sizes."""
    x1, y1 = draw(st.integers(0, 20)), draw(st.integers(0, 20))
    w, h = draw(st.integers(1, 20)), draw(st.integers(1, 20))
    ix1, iy1 = x1 + draw(st.integers(0, w - 1)), y1 + draw(st.integers(0, h - 1))
    ix2, iy2 = draw(st.integers(ix1 + 1, x1 + w)), draw(st.integers(iy1 + 1, y1 + h))
    scale = draw(st.sampled_from([1.0, 0.01, 1000.0]))
    return [scale * c for c in (x1, y1, x1 + w, y1 + h)], [scale * c for c in (ix1, iy1, ix2, iy2)]


@st.composite
def detr_images(draw):
    """One image for DETR's matcher: Q <= 6 queries, 0 <= T <= Q targets, 1 to 4 classes.

    About half of the targets sit near a prediction, so the cost matrices have clear winners
    and close calls. Logits are sometimes large, to catch a softmax that overflows."""
    q = draw(st.integers(1, 6))
    t = draw(st.integers(0, q))
    classes = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    logit_scale = draw(st.sampled_from([1.0, 3.0, 300.0]))
    weights = draw(st.one_of(st.just((1.0, 5.0, 2.0)), st.tuples(*[st.floats(0, 5)] * 3)))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    logits = torch.randn(q, classes + 1, generator=g, dtype=torch.float64) * logit_scale
    pred_boxes = torch.cat([torch.rand(q, 2, generator=g), torch.rand(q, 2, generator=g) * 0.5 + 0.02], 1).double()
    labels = torch.randint(0, classes, (t,), generator=g)
    tgt_boxes = torch.cat([torch.rand(t, 2, generator=g), torch.rand(t, 2, generator=g) * 0.5 + 0.02], 1).double()
    near = torch.rand(t, generator=g) < 0.5
    source = torch.randint(0, q, (t,), generator=g)
    jittered = pred_boxes[source] + 0.05 * torch.randn(t, 4, generator=g, dtype=torch.float64)
    jittered[:, 2:] = jittered[:, 2:].clamp(min=0.01)
    tgt_boxes[near] = jittered[near]
    return (logits.to(dtype), pred_boxes.to(dtype), labels, tgt_boxes.to(dtype)), weights


# ---------------------------------------------------------------- linear_sum_assignment


@pytest.mark.points(2)
def test_linear_sum_assignment_known_answers(submission):
    cases = [
        ([[1, 2, 3], [2, 4, 6], [3, 6, 9]], [(0, 2), (1, 1), (2, 0)]),  # greedy takes the diagonal: 14, not 10
        ([[4, 1, 3], [2, 0, 5], [3, 2, 2]], [(0, 1), (1, 0), (2, 2)]),
        ([[1, 2], [1, 10]], [(0, 1), (1, 0)]),  # greedy: 1 + 10
        ([[1, 2, 9], [1, 9, 9]], [(0, 1), (1, 0)]),  # wide: column 2 stays free
        ([[1, 1], [2, 9], [9, 9]], [(0, 1), (1, 0)]),  # tall: row 2 stays free
        ([[-1, -5], [-3, -2]], [(0, 1), (1, 0)]),  # negative costs
        ([[0.5, 0.25, 0.75]], [(0, 1)]),
        ([[5.0], [3.0], [8.0]], [(1, 0)]),
        ([[7.0]], [(0, 0)]),
        ([], []),
        ([[], []], []),
    ]
    for cost, expected in cases:
        cost = [[float(c) for c in row] for row in cost]
        got = submission.linear_sum_assignment(cost)
        assert got == expected, (
            f"linear_sum_assignment({cost}) returned {got!r}, expected {expected} (total {total(cost, expected)})"
        )


@pytest.mark.points(2)
@given(cost=cost_matrices())
def test_assignment_is_optimal(submission, cost):
    call = f"linear_sum_assignment({cost})"
    pairs = submission.linear_sum_assignment(cost)
    check_assignment(pairs, len(cost), len(cost[0]), call)
    check_optimal(pairs, cost, best_total(cost), call)


@given(cost=cost_matrices())
def test_transposing_the_matrix_keeps_the_optimal_total(submission, cost):
    flipped = transposed(cost)
    call = f"linear_sum_assignment({flipped})"
    pairs = submission.linear_sum_assignment(flipped)
    check_assignment(pairs, len(flipped), len(flipped[0]), call)
    before = submission.linear_sum_assignment(cost)
    check_assignment(before, len(cost), len(cost[0]), f"linear_sum_assignment({cost})")
    original = total(cost, before)
    check_optimal(pairs, flipped, original, call + f" (the matrix before transposing gave a total of {original!r})")


@given(cost=cost_matrices())
def test_input_is_left_unchanged(submission, cost):
    before = [list(row) for row in cost]
    submission.linear_sum_assignment(cost)
    assert cost == before, f"linear_sum_assignment({shown(before)}) changed its input to {shown(cost)}"


@pytest.mark.points(2)
# Full-size matrices: a few of them, not shrunk (the small matrices above find the small counterexamples).
@settings(max_examples=3, phases=[Phase.explicit, Phase.generate])
@given(case=planted_matrices())
def test_large_matrices_reach_the_planted_optimum(submission, case):
    cost, planted = case
    n, m = len(cost), len(cost[0])
    call = f"linear_sum_assignment(a {n} x {m} matrix with a planted optimum)"
    pairs = submission.linear_sum_assignment(cost)
    check_assignment(pairs, n, m, call)
    got, best = total(cost, pairs), total(cost, planted)
    assert math.isclose(got, best, rel_tol=1e-9, abs_tol=1e-6), (
        f"{call} returned pairs costing {got!r}; the planted assignment {shown(planted)} costs {best!r}, "
        "and potentials prove that nothing costs less"
    )


# ---------------------------------------------------------------- generalized_iou


def test_generalized_iou_known_answers(submission):
    cases = [
        ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7 - 2 / 9),  # overlap 1, union 7, enclosing box 9
        ([0, 0, 1, 1], [2, 0, 3, 1], -1 / 3),  # disjoint: IoU 0, enclosing box 3, union 2
        ([0, 0, 1, 1], [5, 0, 6, 1], -2 / 3),  # further apart, lower
        ([0, 0, 1, 1], [1, 1, 2, 2], -0.5),  # touching at a corner
        ([0, 0, 1, 1], [99, 99, 100, 100], 2 / 10_000 - 1),  # far apart: close to -1
        ([0, 0, 4, 4], [1, 1, 3, 3], 0.25),  # nested: the enclosing box is the union, GIoU = IoU
        ([0.5, 0.5, 1.5, 2.5], [0.5, 0.5, 1.5, 2.5], 1.0),
    ]
    for box_a, box_b, expected in cases:
        box_a, box_b = [float(c) for c in box_a], [float(c) for c in box_b]
        got = submission.generalized_iou(box_a, box_b)
        assert isinstance(got, float) and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            f"generalized_iou({box_a}, {box_b}) returned {got!r}, expected {expected}"
        )


@pytest.mark.points(2)
@given(box_a=integer_boxes(), box_b=integer_boxes())
def test_generalized_iou_matches_counting_unit_squares(submission, box_a, box_b):
    got = submission.generalized_iou(box_a, box_b)
    expected = giou_by_counting(box_a, box_b)
    both, either = len(cells(box_a) & cells(box_b)), len(cells(box_a) | cells(box_b))
    hull = (max(box_a[2], box_b[2]) - min(box_a[0], box_b[0])) * (max(box_a[3], box_b[3]) - min(box_a[1], box_b[1]))
    assert isinstance(got, float) and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
        f"generalized_iou({box_a}, {box_b}) returned {got!r}, expected {expected}: the boxes share {both} unit "
        f"squares, cover {either} together, and the smallest box enclosing both has {int(hull)}"
    )


@given(box_a=float_boxes(), box_b=float_boxes())
def test_generalized_iou_is_symmetric_and_between_minus_1_and_1(submission, box_a, box_b):
    forward, backward = submission.generalized_iou(box_a, box_b), submission.generalized_iou(box_b, box_a)
    assert isinstance(forward, float) and -1 - 1e-12 <= forward <= 1 + 1e-12, (
        f"generalized_iou({box_a}, {box_b}) returned {forward!r}, outside [-1, 1]"
    )
    assert math.isclose(forward, backward, rel_tol=1e-9, abs_tol=1e-12), (
        f"generalized_iou(a, b) returned {forward!r} but generalized_iou(b, a) returned {backward!r}, "
        f"for a={box_a}, b={box_b}"
    )


@given(boxes=nested_boxes())
def test_generalized_iou_of_nested_boxes_is_their_iou(submission, boxes):
    outer, inner = boxes
    expected = ((inner[2] - inner[0]) * (inner[3] - inner[1])) / ((outer[2] - outer[0]) * (outer[3] - outer[1]))
    for box_a, box_b in ((outer, inner), (inner, outer)):
        got = submission.generalized_iou(box_a, box_b)
        assert isinstance(got, float) and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            f"generalized_iou({box_a}, {box_b}) returned {got!r}, expected {expected}: one box contains the "
            "other, so the enclosing box is the union and GIoU equals IoU (inner area / outer area)"
        )


# ---------------------------------------------------------------- detr_match


def check_detr_match(submission, inputs, weights):
    pred_logits, pred_boxes, tgt_labels, tgt_boxes = inputs
    cost_class, cost_bbox, cost_giou = weights
    q, t = len(pred_logits), len(tgt_labels)
    call = (
        f"detr_match(Q={q} queries, T={t} targets, {pred_logits.dtype}, "
        f"cost_class={cost_class}, cost_bbox={cost_bbox}, cost_giou={cost_giou})"
    )
    pairs = submission.detr_match(
        pred_logits, pred_boxes, tgt_labels, tgt_boxes, cost_class=cost_class, cost_bbox=cost_bbox, cost_giou=cost_giou
    )
    check_assignment(pairs, q, t, call)
    if t == 0:
        return
    cost = detr_cost_matrix(pred_logits, pred_boxes, tgt_labels, tgt_boxes, cost_class, cost_bbox, cost_giou)
    got, best = total(cost, pairs), best_total(cost)
    rows = "\n".join("    " + "  ".join(f"{c:9.4f}" for c in row) for row in cost)
    assert math.isclose(got, best, rel_tol=1e-6, abs_tol=1e-4), (
        f"{call} returned {pairs}, which costs {got:.6f} under the cost matrix of the statement; the best "
        f"assignment costs {best:.6f}. The cost matrix (queries x targets), in float64:\n{rows}"
    )


@pytest.mark.points(2)
def test_detr_match_known_answers(submission):
    # The statement's example: query 1 says "no object" and is left unmatched.
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 2.0, 0.0]])
    boxes = torch.tensor([[0.3, 0.3, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2], [0.7, 0.7, 0.2, 0.2]])
    labels = torch.tensor([0, 1])
    targets = torch.tensor([[0.3, 0.32, 0.2, 0.2], [0.7, 0.7, 0.2, 0.24]])
    # Query 0's box is nearer target 0, but query 1 sits exactly on it: a greedy pass over the
    # queries gives query 0 target 0 and leaves query 1 the far target 1.
    greedy_logits = torch.zeros(2, 2)
    greedy_boxes = torch.tensor([[0.45, 0.5, 0.2, 0.2], [0.3, 0.5, 0.2, 0.2]])
    greedy_targets = torch.tensor([[0.3, 0.5, 0.2, 0.2], [0.7, 0.5, 0.2, 0.2]])
    cases = [
        ("the statement's example", (logits, boxes, labels, targets), [(0, 0), (2, 1)]),
        ("float64", (logits.double(), boxes.double(), labels, targets.double()), [(0, 0), (2, 1)]),
        ("large logits (a softmax must not overflow)", (logits * 200, boxes, labels, targets), [(0, 0), (2, 1)]),
        ("greedy fails", (greedy_logits, greedy_boxes, torch.tensor([0, 0]), greedy_targets), [(0, 1), (1, 0)]),
        ("no targets", (logits, boxes, torch.zeros(0, dtype=torch.int64), torch.zeros(0, 4)), []),
    ]
    for why, inputs, expected in cases:
        got = submission.detr_match(*inputs)
        cost = detr_cost_matrix(*inputs, 1.0, 5.0, 2.0)
        rows = "\n".join("    " + "  ".join(f"{c:9.4f}" for c in row) for row in cost)
        assert got == expected, (
            f"{why}: detr_match returned {got!r}, expected {expected}. The cost matrix (queries x targets):\n{rows}"
        )


@pytest.mark.points(2)
@given(image=detr_images())
def test_detr_match_is_optimal_for_the_detr_cost(submission, image):
    inputs, weights = image
    check_detr_match(submission, inputs, weights)
