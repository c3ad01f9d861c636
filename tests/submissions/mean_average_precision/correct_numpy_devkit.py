"""Correct, written differently from the reference: vectorised with numpy in the style of
the VOC devkit (an IoU row per detection, cumulative sums for the curve, np.maximum.accumulate
for the envelope), ground truths indexed by (image, class) up front, with a stable argsort."""

import numpy as np

EXPECTED_TO_FAIL = ()


def iou(box_a, box_b):
    return float(_ious(np.asarray(box_a, dtype=float), np.asarray([box_b], dtype=float))[0])


def _ious(box, boxes):
    """IoU of one box with each row of ``boxes`` (k, 4)."""
    w = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = w * h
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    out = np.zeros(len(boxes))
    np.divide(inter, union, out=out, where=union > 0)
    return out


def average_precision(recall, precision, method="all_points"):
    rec, prec = np.asarray(recall, dtype=float), np.asarray(precision, dtype=float)
    if method == "11_point":
        points = [prec[rec >= i / 10].max() if (rec >= i / 10).any() else 0.0 for i in range(11)]
        return float(np.mean(points))
    if method != "all_points":
        raise ValueError(f"method must be 'all_points' or '11_point', not {method!r}")
    mrec = np.concatenate([[0.0], rec, [1.0]])
    mpre = np.concatenate([[0.0], prec, [0.0]])
    envelope = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * envelope[steps + 1]))


def mean_average_precision(detections, ground_truths, iou_threshold=0.5, method="all_points"):
    index = {}  # (image, label) -> (boxes array, difficult array)
    for key in {(g["image_id"], g["label"]) for g in ground_truths}:
        rows = [g for g in ground_truths if (g["image_id"], g["label"]) == key]
        index[key] = (np.array([g["box"] for g in rows], dtype=float), np.array([bool(g.get("difficult")) for g in rows]))
    labels = []
    for g in ground_truths:
        if g["label"] not in labels:
            labels.append(g["label"])

    aps = []
    for label in labels:
        npos = sum(int((~difficult).sum()) for (_, lab), (_, difficult) in index.items() if lab == label)
        if npos == 0:
            continue
        mine = [d for d in detections if d["label"] == label]
        order = np.argsort([-d["score"] for d in mine], kind="stable")
        used = {key: np.zeros(len(value[0]), dtype=bool) for key, value in index.items() if key[1] == label}
        hits = []  # 1 for a true positive, 0 for a false positive; ignored detections left out
        for k in order:
            d = mine[k]
            key = (d["image_id"], label)
            if key not in index:
                hits.append(0)
                continue
            boxes, difficult = index[key]
            overlaps = _ious(np.asarray(d["box"], dtype=float), boxes)
            j = int(np.argmax(overlaps))
            if overlaps[j] <= iou_threshold:
                hits.append(0)
            elif difficult[j]:
                continue
            elif used[key][j]:
                hits.append(0)
            else:
                used[key][j] = True
                hits.append(1)
        tp = np.cumsum(hits)
        fp = np.cumsum([1 - h for h in hits])
        recall = tp / npos
        precision = tp / np.maximum(tp + fp, 1)
        aps.append(average_precision(recall.tolist(), precision.tolist(), method))
    return float(np.mean(aps)) if aps else 0.0
