"""Mistake: the VOC devkit's pixel convention, width = x2 - x1 + 1, where the statement
asks for continuous coordinates (width = x2 - x1). iou([0, 0, 2, 1], [1, 0, 3, 1]) gives
1/2 instead of 1/3, and zero-area boxes get an area of 1."""

from collections import defaultdict

EXPECTED_TO_FAIL = (
    "test_iou_known_answers",
    "test_iou_matches_counting_unit_squares",
    "test_mean_average_precision_known_answers",
    "test_mean_average_precision_matches_a_direct_count",
)


def iou(box_a: list[float], box_b: list[float]) -> float:
    ax1, ay1, ax2, ay2 = box_a
    bx1, by1, bx2, by2 = box_b
    # The intersection is a box too; it is empty when the boxes do not overlap.
    inter_w = max(0.0, min(ax2, bx2) - max(ax1, bx1) + 1)
    inter_h = max(0.0, min(ay2, by2) - max(ay1, by1) + 1)
    intersection = inter_w * inter_h
    union = (ax2 - ax1 + 1) * (ay2 - ay1 + 1) + (bx2 - bx1 + 1) * (by2 - by1 + 1) - intersection
    return intersection / union if union > 0 else 0.0


def average_precision(recall: list[float], precision: list[float], method: str = "all_points") -> float:
    if method == "11_point":
        # VOC2007: the best precision reachable at recall >= t, for t = 0, 0.1, ..., 1.
        total = 0.0
        for i in range(11):
            t = i / 10
            total += max((p for r, p in zip(recall, precision) if r >= t), default=0.0)
        return total / 11
    if method != "all_points":
        raise ValueError(f"unknown method {method!r}: expected 'all_points' or '11_point'")
    # VOC2010+: the area under the precision envelope.
    mrec = [0.0, *recall, 1.0]
    mpre = [0.0, *precision, 0.0]
    # The envelope: at each point, the best precision at this recall or any higher one.
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    # Recall only grows; each step in recall is worth the envelope's precision at its end.
    return sum((mrec[i + 1] - mrec[i]) * mpre[i + 1] for i in range(len(mrec) - 1))


def mean_average_precision(
    detections: list[dict],
    ground_truths: list[dict],
    iou_threshold: float = 0.5,
    method: str = "all_points",
) -> float:
    gts_by_label = defaultdict(list)
    for gt in ground_truths:
        gts_by_label[gt["label"]].append(gt)

    aps = []
    for label, gts in gts_by_label.items():
        npos = sum(not gt.get("difficult", False) for gt in gts)
        if npos == 0:
            continue  # only difficult objects: the class is not scored
        gts_by_image = defaultdict(list)
        for gt in gts:
            gts_by_image[gt["image_id"]].append(gt)
        matched = {image: [False] * len(boxes) for image, boxes in gts_by_image.items()}

        # Most confident first; sorted() is stable, so equal scores keep their input order.
        ranked = sorted((d for d in detections if d["label"] == label), key=lambda d: d["score"], reverse=True)
        tp = fp = 0
        recall, precision = [], []
        for det in ranked:
            candidates = gts_by_image.get(det["image_id"], [])
            overlaps = [iou(det["box"], gt["box"]) for gt in candidates]
            best = max(range(len(overlaps)), key=overlaps.__getitem__, default=None)  # first of equal maxima
            if best is not None and overlaps[best] > iou_threshold:
                if candidates[best].get("difficult", False):
                    continue  # neither right nor wrong: left out of the curve
                if not matched[det["image_id"]][best]:
                    matched[det["image_id"]][best] = True
                    tp += 1
                else:
                    fp += 1  # a duplicate of an object already found
            else:
                fp += 1
            recall.append(tp / npos)
            precision.append(tp / (tp + fp))
        aps.append(average_precision(recall, precision, method))
    return sum(aps) / len(aps) if aps else 0.0
