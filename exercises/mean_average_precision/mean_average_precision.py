"""Detection mean average precision (PASCAL VOC). Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/mean_average_precision``."""


def iou(box_a: list[float], box_b: list[float]) -> float:
    """Intersection over union of two boxes ``[x1, y1, x2, y2]`` (``x1 <= x2``, ``y1 <= y2``).

    Continuous coordinates: a box is ``x2 - x1`` wide (no "+ 1"). Returns a float
    in [0, 1]; ``0.0`` when the union is empty (both boxes have zero area).
    """
    raise NotImplementedError


def average_precision(recall: list[float], precision: list[float], method: str = "all_points") -> float:
    """The area under a precision-recall curve, as PASCAL VOC computes it.

    ``recall[k]`` and ``precision[k]`` describe the curve after the k-th ranked
    detection (``recall`` is non-decreasing). ``method``:

    - ``"all_points"``: add (0, 0) in front and (1, 0) at the end, make the
      precision non-increasing from the right, and sum
      (recall increase) x (precision at the later point);
    - ``"11_point"``: the mean over ``t = i / 10``, ``i = 0..10``, of the maximum
      precision at recall ``>= t`` (0 when there is none).

    Any other method raises ``ValueError``. Empty lists give ``0.0``.
    """
    raise NotImplementedError


def mean_average_precision(
    detections: list[dict],
    ground_truths: list[dict],
    iou_threshold: float = 0.5,
    method: str = "all_points",
) -> float:
    """The mean over classes of the average precision of the detections.

    A detection is ``{"image_id", "label", "score", "box"}``; a ground truth is
    ``{"image_id", "label", "box"}`` with an optional ``"difficult": bool``.
    Per class, detections are taken by descending score (equal scores keep
    their input order); each one takes the ground truth of its image and class
    with the highest IoU (the first on a tie). If that IoU is greater than
    ``iou_threshold``, the detection is ignored when the ground truth is
    difficult, a true positive when it is not matched yet, else a false
    positive; otherwise it is a false positive. ``npos`` counts the
    non-difficult ground truths. Classes without a non-difficult ground truth
    are not scored; ``0.0`` when no class is scored. Inputs are not changed.
    """
    raise NotImplementedError
