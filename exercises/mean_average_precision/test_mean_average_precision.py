"""Tests for mean_average_precision: known answers (the statement's worked example among them),
unit squares counted as the IoU oracle, a direct count of true and false positives as the mAP
oracle, and metamorphic properties (reordering, renaming images, adding a false positive)."""

import copy
import math
from itertools import product

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

LABELS = ["cat", "dog"]
METHODS = ["all_points", "11_point"]


def close(got, expected):
    return isinstance(got, int | float) and math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


# ---------------------------------------------------------------- oracles


def cells(box):
    """The unit squares an integer box covers, as (column, row) pairs."""
    x1, y1, x2, y2 = (int(v) for v in box)
    return {(x, y) for x in range(x1, x2) for y in range(y1, y2)}


def iou_by_counting(box_a, box_b):
    """IoU of two integer boxes by counting the unit squares in both and in either."""
    a, b = cells(box_a), cells(box_b)
    either = len(a | b)
    return len(a & b) / either if either else 0.0


def box_iou(box_a, box_b):
    """IoU in float64, as the oracle below uses it."""
    w = min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])
    h = min(box_a[3], box_b[3]) - max(box_a[1], box_b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    union = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1]) + (box_b[2] - box_b[0]) * (box_b[3] - box_b[1]) - inter
    return inter / union if union > 0 else 0.0


def area_under_envelope(recall, precision):
    """The integral over r in [0, 1] of the best precision at recall >= r (0 past the last point).

    Between two successive recall levels, every r has the same best precision: the best
    among the points at or beyond the higher level."""
    area, previous = 0.0, 0.0
    for level in sorted(set(recall)):
        area += (level - previous) * max(p for r, p in zip(recall, precision) if r >= level)
        previous = level
    return area


def eleven_point(recall, precision):
    """The VOC2007 definition, word for word."""
    best = [max((p for r, p in zip(recall, precision) if r >= i / 10), default=0.0) for i in range(11)]
    return sum(best) / 11


def outcomes(label, detections, ground_truths, threshold):
    """'TP', 'FP' or 'ignored' for each detection of ``label``, in ranked order, by the statement's rules."""
    order = sorted(
        (i for i, d in enumerate(detections) if d["label"] == label), key=lambda i: (-detections[i]["score"], i)
    )
    found, result = set(), []
    for i in order:
        det, best, best_overlap = detections[i], None, -1.0
        for k, gt in enumerate(ground_truths):
            if gt["label"] == label and gt["image_id"] == det["image_id"]:
                overlap = box_iou(det["box"], gt["box"])
                if overlap > best_overlap:
                    best, best_overlap = k, overlap
        if best is None or best_overlap <= threshold:
            result.append("FP")
        elif ground_truths[best].get("difficult", False):
            result.append("ignored")
        elif best in found:
            result.append("FP")
        else:
            found.add(best)
            result.append("TP")
    return result


def ap_from_outcomes(marks, npos, method):
    """AP straight from the ranked outcomes: each true positive raises recall by 1/npos, and is
    worth the best precision at its rank or any later one (11-point: the definition)."""
    hits = [mark == "TP" for mark in marks if mark != "ignored"]
    tp_counts = [sum(hits[: k + 1]) for k in range(len(hits))]
    precision = [tp / (k + 1) for k, tp in enumerate(tp_counts)]
    if method == "all_points":
        return sum(max(precision[k:]) / npos for k, hit in enumerate(hits) if hit)
    recall = [tp / npos for tp in tp_counts]
    return eleven_point(recall, precision)


def direct_map(detections, ground_truths, threshold, method):
    """mAP by the oracle, with the per-class outcomes for the failure message."""
    aps, notes = [], []
    for label in sorted({gt["label"] for gt in ground_truths}, key=str):
        npos = sum(1 for gt in ground_truths if gt["label"] == label and not gt.get("difficult", False))
        if npos:
            marks = outcomes(label, detections, ground_truths, threshold)
            aps.append(ap_from_outcomes(marks, npos, method))
            notes.append(f"{label}: npos={npos}, ranked outcomes {' '.join(marks) or '(none)'}, AP={aps[-1]:.6g}")
    return (sum(aps) / len(aps) if aps else 0.0), "; ".join(notes) or "no class with a non-difficult ground truth"


def call(detections, ground_truths, threshold, method):
    return f"mean_average_precision(detections, ground_truths, iou_threshold={threshold}, method={method!r})"


# ---------------------------------------------------------------- strategies


@st.composite
def integer_boxes(draw, max_coord=8, min_size=0, max_size=8):
    """[x1, y1, x2, y2] on an integer grid, as floats; zero-area boxes when min_size is 0."""
    x1, y1 = draw(st.integers(0, max_coord)), draw(st.integers(0, max_coord))
    w, h = draw(st.integers(min_size, max_size)), draw(st.integers(min_size, max_size))
    return [float(x1), float(y1), float(x1 + w), float(y1 + h)]


@st.composite
def float_boxes(draw, min_size=0.0):
    x1, y1 = draw(st.floats(-1e3, 1e3)), draw(st.floats(-1e3, 1e3))
    w, h = draw(st.floats(min_size, 1e3)), draw(st.floats(min_size, 1e3))
    return [x1, y1, x1 + w, y1 + h]


@st.composite
def ranked_curves(draw):
    """Precision and recall as a ranking produces them: k/npos recall steps, tp/(tp+fp) precision."""
    npos = draw(st.integers(1, 10))
    tp = fp = 0
    recall, precision = [], []
    for hit in draw(st.lists(st.booleans(), max_size=15)):
        if hit and tp < npos:
            tp += 1
        else:
            fp += 1
        recall.append(tp / npos)
        precision.append(tp / (tp + fp))
    return recall, precision


@st.composite
def arbitrary_curves(draw):
    """Any non-decreasing recall in [0, 1] with any precision in [0, 1]."""
    n = draw(st.integers(0, 12))
    recall = sorted(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    precision = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return recall, precision


curves = st.one_of(ranked_curves(), arbitrary_curves())


def grid_boxes(sizes):
    """Every box with corners on the grid 0..10 and the given widths and heights, smallest first."""
    return [
        [float(x), float(y), float(x + w), float(y + h)] for w, h, x, y in product(sizes, sizes, range(11), range(11))
    ]


# Scenes draw whole boxes from these lists: one draw per box keeps a hundred scenes fast to generate.
OBJECT_BOXES = st.sampled_from(grid_boxes(range(2, 7)))
ANY_BOXES = st.sampled_from(grid_boxes(range(7)))  # zero-area boxes too
IMAGES = st.integers(0, 2)
GROUND_TRUTH = st.tuples(IMAGES, st.sampled_from(LABELS), OBJECT_BOXES, st.sampled_from([None, False, False, True]))
# A shift of each coordinate by -1, 0 or 1, mostly 0: the copy is often still a hit, sometimes not.
NEAR_A_GROUND_TRUTH = st.tuples(st.integers(0, 7), st.sampled_from(list(product([0, 0, 0, -1, 1], repeat=4))))
ANYWHERE = st.tuples(IMAGES, st.sampled_from(LABELS), ANY_BOXES)
NEAR_OR_ANYWHERE = st.one_of(NEAR_A_GROUND_TRUTH, NEAR_A_GROUND_TRUTH, ANYWHERE)
TIED_SCORES = st.lists(st.sampled_from([0.2, 0.5, 0.9]), max_size=12)
DISTINCT_SCORES = st.lists(st.integers(1, 99), max_size=12, unique=True).map(lambda ints: [i / 100 for i in ints])


def as_ground_truths(drawn):
    """Ground-truth dicts from drawn (image, label, box, difficult) tuples; None: no "difficult" key."""
    ground_truths = []
    for image, label, box, difficult in drawn:
        truth = {"image_id": image, "label": label, "box": list(box)}
        if difficult is not None:
            truth["difficult"] = difficult
        ground_truths.append(truth)
    return ground_truths


@st.composite
def scenes(draw, distinct_scores=False):
    """(detections, ground_truths, iou_threshold) over up to three images and two classes.

    Two thirds of the detections are jittered copies of a ground truth, so objects are found, found
    twice (duplicates) or just missed; the rest land anywhere, zero-area boxes included.
    Ground truths are sometimes difficult, and the "difficult" key is sometimes absent.
    Scores repeat unless ``distinct_scores``."""
    ground_truths = as_ground_truths(draw(st.lists(GROUND_TRUTH, max_size=8)))
    detections = []
    for score in draw(DISTINCT_SCORES if distinct_scores else TIED_SCORES):
        spec = draw(NEAR_OR_ANYWHERE if ground_truths else ANYWHERE)
        if len(spec) == 2:
            index, jitter = spec
            truth = ground_truths[index % len(ground_truths)]
            x1, y1, x2, y2 = (v + d for v, d in zip(truth["box"], jitter))
            box = [x1, y1, max(x1, x2), max(y1, y2)]
            detections.append({"image_id": truth["image_id"], "label": truth["label"], "score": score, "box": box})
        else:
            image, label, box = spec
            detections.append({"image_id": image, "label": label, "score": score, "box": list(box)})
    return detections, ground_truths, draw(st.sampled_from([0.5, 0.5, 0.3, 0.7]))


def has_tied_best_match(detections, ground_truths, threshold):
    """Whether some detection has two ground truths tied for its best IoU above the threshold:
    then the input order of the ground truths decides which one it takes."""
    for det in detections:
        overlaps = sorted(
            (
                box_iou(det["box"], gt["box"])
                for gt in ground_truths
                if gt["label"] == det["label"] and gt["image_id"] == det["image_id"]
            ),
            reverse=True,
        )
        if len(overlaps) > 1 and overlaps[0] > threshold and overlaps[0] == overlaps[1]:
            return True
    return False


# ---------------------------------------------------------------- iou


def test_iou_known_answers(submission):
    cases = [
        ([0, 0, 2, 1], [1, 0, 3, 1], 1 / 3),  # overlap 1, union 2 + 2 - 1
        ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),
        ([0, 0, 4, 4], [1, 1, 3, 3], 0.25),  # nested: 4 / 16
        ([0, 0, 2, 1], [0, 0, 1, 1], 0.5),
        ([0, 0, 1, 1], [1, 0, 2, 1], 0.0),  # touching along an edge
        ([0, 0, 1, 1], [5, 5, 6, 6], 0.0),  # disjoint
        ([-1.5, -1.5, 0.5, 0.5], [-0.5, -0.5, 1.5, 1.5], 1 / 7),  # overlap 1, union 4 + 4 - 1
        ([2, 2, 2, 2], [2, 2, 2, 2], 0.0),  # zero-area boxes: the union is empty
        ([1, 0, 1, 5], [0, 0, 2, 5], 0.0),  # a line inside a box
    ]
    for box_a, box_b, expected in cases:
        got = submission.iou([float(v) for v in box_a], [float(v) for v in box_b])
        assert close(got, expected), f"iou({box_a}, {box_b}) returned {got!r}, expected {expected}"


@pytest.mark.points(2)
@given(box_a=integer_boxes(), box_b=integer_boxes())
def test_iou_matches_counting_unit_squares(submission, box_a, box_b):
    got = submission.iou(box_a, box_b)
    both, either = len(cells(box_a) & cells(box_b)), len(cells(box_a) | cells(box_b))
    expected = iou_by_counting(box_a, box_b)
    assert close(got, expected), (
        f"iou({box_a}, {box_b}) returned {got!r}, expected {expected}: the boxes share {both} unit squares "
        f"and cover {either} together" + (" (the union is empty, so 0.0)" if either == 0 else "")
    )


@given(box_a=float_boxes(), box_b=float_boxes())
def test_iou_is_symmetric_and_between_0_and_1(submission, box_a, box_b):
    forward, backward = submission.iou(box_a, box_b), submission.iou(box_b, box_a)
    assert isinstance(forward, int | float), f"iou({box_a}, {box_b}) returned {forward!r}, expected a float"
    assert -1e-12 <= forward <= 1 + 1e-12, f"iou({box_a}, {box_b}) returned {forward}, outside [0, 1]"
    assert close(backward, forward), (
        f"iou(a, b) returned {forward} but iou(b, a) returned {backward}, for a={box_a}, b={box_b}"
    )


@given(box=float_boxes(min_size=1e-3))
def test_iou_of_a_box_with_itself_is_1(submission, box):
    got = submission.iou(box, list(box))
    assert close(got, 1.0), f"iou({box}, {box}) returned {got!r}, expected 1.0 for a box of non-zero area"


# ---------------------------------------------------------------- average_precision


@pytest.mark.points(2)
def test_average_precision_known_answers(submission):
    cases = [
        # the dog class of the statement: the envelope lifts 2/3 to 3/4
        (([1 / 3, 1 / 3, 2 / 3, 1], [1, 1 / 2, 2 / 3, 3 / 4]), 5 / 6, 9.25 / 11),
        # the cat class: recall never passes 1/2 until the last detection
        (([1 / 2, 1 / 2, 1 / 2, 1], [1, 1 / 2, 1 / 3, 1 / 2]), 0.75, 8.5 / 11),
        # one hit out of two objects: the methods differ (0.5 against 6 thresholds of 11)
        (([0.5], [1.0]), 0.5, 6 / 11),
        (([0.0, 0.5, 1.0], [0.0, 0.5, 2 / 3]), 2 / 3, 2 / 3),  # a false positive first
        (([1.0], [1.0]), 1.0, 1.0),
        (([0.25, 0.25], [1.0, 0.5]), 0.25, 3 / 11),  # recall stops at 1/4: t = 0, 0.1, 0.2 only
        (([], []), 0.0, 0.0),
    ]
    for (recall, precision), all_points, eleven in cases:
        for method, expected in (("all_points", all_points), ("11_point", eleven)):
            got = submission.average_precision(list(recall), list(precision), method)
            assert close(got, expected), (
                f"average_precision({recall}, {precision}, {method!r}) returned {got!r}, expected {expected}"
            )


@pytest.mark.points(2)
@given(curve=curves)
def test_all_points_ap_is_the_area_under_the_envelope(submission, curve):
    recall, precision = curve
    got = submission.average_precision(list(recall), list(precision), "all_points")
    expected = area_under_envelope(recall, precision)
    assert close(got, expected), (
        f"average_precision({recall}, {precision}, 'all_points') returned {got!r}, expected {expected}: "
        f"the area under the curve that takes, at each recall r, the best precision at recall >= r"
    )


@given(curve=curves)
def test_eleven_point_ap_matches_its_definition(submission, curve):
    recall, precision = curve
    got = submission.average_precision(list(recall), list(precision), "11_point")
    expected = eleven_point(recall, precision)
    assert close(got, expected), (
        f"average_precision({recall}, {precision}, '11_point') returned {got!r}, expected {expected}: "
        f"the mean over t = i / 10, i = 0..10, of the best precision at recall >= t"
    )


def test_unknown_method_raises_value_error(submission):
    with pytest.raises(ValueError):
        submission.average_precision([0.5], [1.0], "area")


# ---------------------------------------------------------------- mean_average_precision


def det(image_id, label, score, box):
    return {"image_id": image_id, "label": label, "score": score, "box": [float(v) for v in box]}


def gt(image_id, label, box, difficult=None):
    truth = {"image_id": image_id, "label": label, "box": [float(v) for v in box]}
    if difficult is not None:
        truth["difficult"] = difficult
    return truth


# The worked example of the statement.
EXAMPLE_GROUND_TRUTHS = [
    gt(1, "cat", [0, 0, 10, 10]),  # A
    gt(1, "dog", [20, 20, 30, 30]),  # B
    gt(2, "cat", [0, 0, 10, 10]),  # C
    gt(2, "cat", [50, 50, 60, 60], difficult=True),  # D
    gt(3, "dog", [10, 10, 20, 20]),  # E
    gt(3, "dog", [30, 0, 40, 10], difficult=False),  # F
]
EXAMPLE_DETECTIONS = [
    det(1, "cat", 0.9, [0, 0, 10, 10]),  # TP: A
    det(1, "cat", 0.8, [1, 0, 10, 10]),  # FP: A again
    det(2, "cat", 0.7, [50, 50, 60, 60]),  # ignored: D is difficult
    det(2, "cat", 0.6, [30, 30, 40, 40]),  # FP
    det(2, "cat", 0.5, [0, 0, 10, 9]),  # TP: C
    det(3, "dog", 0.95, [10, 10, 20, 20]),  # TP: E
    det(1, "dog", 0.85, [0, 0, 10, 10]),  # FP
    det(3, "dog", 0.75, [30, 0, 40, 12]),  # TP: F
    det(1, "dog", 0.65, [20, 20, 30, 31]),  # TP: B
]


@pytest.mark.points(2)
def test_mean_average_precision_known_answers(submission):
    cat = [gt("a", "cat", [0, 0, 2, 1])]
    cases = [
        ("the statement's example", EXAMPLE_DETECTIONS, EXAMPLE_GROUND_TRUTHS, 0.5, "all_points", (0.75 + 5 / 6) / 2),
        ("the statement's example", EXAMPLE_DETECTIONS, EXAMPLE_GROUND_TRUTHS, 0.5, "11_point", (8.5 + 9.25) / 22),
        (
            "an IoU of exactly the threshold is a miss",
            [det("a", "cat", 0.9, [0, 0, 1, 1])],
            cat,
            0.5,
            "all_points",
            0.0,
        ),
        ("an IoU above the threshold is a hit", [det("a", "cat", 0.9, [0, 0, 1, 1])], cat, 0.4, "all_points", 1.0),
        (
            "equal scores keep their input order: the miss comes first",
            [det("b", "cat", 0.5, [0, 0, 2, 1]), det("a", "cat", 0.5, [0, 0, 2, 1])],
            cat,
            0.5,
            "all_points",
            0.5,
        ),
        (
            "a class without ground truths is not scored",
            [det("a", "cat", 0.9, [0, 0, 2, 1]), det("a", "bird", 0.8, [5, 5, 6, 6])],
            cat,
            0.5,
            "all_points",
            1.0,
        ),
        (
            "a class with only difficult ground truths is not scored",
            [det("a", "cat", 0.9, [0, 0, 2, 1])],
            [*cat, gt("a", "bird", [5, 5, 6, 6], difficult=True)],
            0.5,
            "all_points",
            1.0,
        ),
        ("no detections", [], cat, 0.5, "11_point", 0.0),
        ("no ground truths", [det("a", "cat", 0.9, [0, 0, 2, 1])], [], 0.5, "all_points", 0.0),
    ]
    for why, detections, ground_truths, threshold, method, expected in cases:
        got = submission.mean_average_precision(
            copy.deepcopy(detections), copy.deepcopy(ground_truths), threshold, method
        )
        _, per_class = direct_map(detections, ground_truths, threshold, method)
        assert close(got, expected), (
            f"{why}: {call(detections, ground_truths, threshold, method)} returned {got!r}, expected {expected} "
            f"({per_class})\ndetections={detections}\nground_truths={ground_truths}"
        )


@pytest.mark.points(2)
@given(scene=scenes(), method=st.sampled_from(METHODS))
def test_mean_average_precision_matches_a_direct_count(submission, scene, method):
    detections, ground_truths, threshold = scene
    got = submission.mean_average_precision(detections, ground_truths, threshold, method)
    expected, per_class = direct_map(detections, ground_truths, threshold, method)
    assert close(got, expected), (
        f"{call(detections, ground_truths, threshold, method)} returned {got!r}, expected {expected} ({per_class})"
    )


@given(scene=scenes(), method=st.sampled_from(METHODS))
def test_mean_average_precision_is_between_0_and_1(submission, scene, method):
    detections, ground_truths, threshold = scene
    got = submission.mean_average_precision(detections, ground_truths, threshold, method)
    assert isinstance(got, int | float) and -1e-12 <= got <= 1 + 1e-12, (
        f"{call(detections, ground_truths, threshold, method)} returned {got!r}, outside [0, 1]: "
        "recall cannot pass 1 when each ground truth is found at most once"
    )


@given(
    drawn=st.lists(GROUND_TRUTH, min_size=1, max_size=8),
    threshold=st.sampled_from([0.5, 0.3, 0.7]),
    method=st.sampled_from(METHODS),
)
def test_perfect_detections_give_1(submission, drawn, threshold, method):
    ground_truths = as_ground_truths(drawn)
    ground_truths[0]["difficult"] = False  # at least one object counts
    # One ground truth per box in each image and class, and one exact detection of each.
    unique = list({(g["image_id"], g["label"], tuple(g["box"])): g for g in ground_truths}.values())
    detections = [det(g["image_id"], g["label"], 0.1 * (i % 4 + 1), g["box"]) for i, g in enumerate(unique)]
    got = submission.mean_average_precision(detections, unique, threshold, method)
    assert close(got, 1.0), (
        f"{call(detections, unique, threshold, method)} returned {got!r}, expected 1.0: every object is "
        f"detected exactly, once, and nothing else is detected\ndetections={detections}\nground_truths={unique}"
    )


@st.composite
def scenes_and_orders(draw):
    detections, ground_truths, threshold = draw(scenes(distinct_scores=True))
    return (
        (detections, ground_truths, threshold),
        draw(st.permutations(range(len(detections)))),
        draw(st.permutations(range(len(ground_truths)))),
    )


@given(case=scenes_and_orders(), method=st.sampled_from(METHODS))
def test_order_of_the_inputs_does_not_matter(submission, case, method):
    (detections, ground_truths, threshold), det_order, gt_order = case
    # With a tie for the best IoU, the order of the ground truths decides: the rule, but not this property.
    assume(not has_tied_best_match(detections, ground_truths, threshold))
    original = submission.mean_average_precision(detections, ground_truths, threshold, method)
    shuffled = submission.mean_average_precision(
        [detections[i] for i in det_order], [ground_truths[i] for i in gt_order], threshold, method
    )
    assert close(shuffled, original), (
        f"{call(detections, ground_truths, threshold, method)} returned {original!r}, but {shuffled!r} with the "
        f"detections in the order {list(det_order)} and the ground truths in the order {list(gt_order)} "
        "(all scores differ, so the ranking is the same)"
    )


@given(scene=scenes(), names=st.permutations(["kitchen", "street", "beach"]), method=st.sampled_from(METHODS))
def test_renaming_the_images_does_not_matter(submission, scene, names, method):
    detections, ground_truths, threshold = scene
    original = submission.mean_average_precision(detections, ground_truths, threshold, method)
    renamed = submission.mean_average_precision(
        [{**d, "image_id": names[d["image_id"]]} for d in detections],
        [{**g, "image_id": names[g["image_id"]]} for g in ground_truths],
        threshold,
        method,
    )
    assert close(renamed, original), (
        f"{call(detections, ground_truths, threshold, method)} returned {original!r}, but {renamed!r} after "
        f"renaming the images 0, 1, 2 to {list(names)}"
    )


@given(scene=scenes(), label=st.sampled_from(LABELS), box=ANY_BOXES, method=st.sampled_from(METHODS))
def test_a_least_confident_false_positive_never_raises_map(submission, scene, label, box, method):
    detections, ground_truths, threshold = scene
    lowest = min((d["score"] for d in detections), default=1.0)
    extra = det("an image without objects", label, lowest - 0.1, list(box))
    before = submission.mean_average_precision(detections, ground_truths, threshold, method)
    after = submission.mean_average_precision([*detections, extra], ground_truths, threshold, method)
    assert isinstance(after, int | float) and after <= before + 1e-12, (
        f"{call(detections, ground_truths, threshold, method)} returned {before!r}, and {after!r} after adding "
        f"{extra}, a false positive ranked last: it can only lower precision"
    )


@given(scene=scenes())
def test_inputs_are_left_unchanged(submission, scene):
    detections, ground_truths, threshold = scene
    before = copy.deepcopy((detections, ground_truths))
    submission.mean_average_precision(detections, ground_truths, threshold)
    assert (detections, ground_truths) == before, "mean_average_precision changed its input lists or dicts"
