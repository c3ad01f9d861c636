"""Hungarian matching (DETR). Read README.md in this folder, then replace each
``raise NotImplementedError`` with your code and run ``grade exercises/hungarian``."""

from torch import Tensor


def linear_sum_assignment(cost: list[list[float]]) -> list[tuple[int, int]]:
    """A minimum-cost assignment of the rows of an n x m cost matrix to its columns.

    ``cost`` is n lists of m finite floats (n > m, n < m and n == m all occur).
    Returns ``min(n, m)`` pairs ``(row, col)`` of ints, sorted by row, with no row
    and no column used twice, whose total cost is the smallest possible. Any
    optimal assignment is accepted. An empty matrix gives ``[]``.
    """
    raise NotImplementedError


def generalized_iou(box_a: list[float], box_b: list[float]) -> float:
    """GIoU of two boxes ``[x1, y1, x2, y2]`` with positive width and height.

    ``IoU - (area(C) - area(union)) / area(C)``, where C is the smallest box
    enclosing both. A float in [-1, 1].
    """
    raise NotImplementedError


def detr_match(
    pred_logits: Tensor,
    pred_boxes: Tensor,
    tgt_labels: Tensor,
    tgt_boxes: Tensor,
    cost_class: float = 1.0,
    cost_bbox: float = 5.0,
    cost_giou: float = 2.0,
) -> list[tuple[int, int]]:
    """DETR's Hungarian matcher for one image.

    ``pred_logits`` (Q, C+1) class logits, the last class being "no object";
    ``pred_boxes`` (Q, 4) normalized (cx, cy, w, h); ``tgt_labels`` (T,) int64 in
    [0, C); ``tgt_boxes`` (T, 4) normalized (cx, cy, w, h). The cost of query q
    for target t is ``-cost_class * softmax(pred_logits[q])[tgt_labels[t]]
    + cost_bbox * L1(pred_boxes[q], tgt_boxes[t]) - cost_giou * GIoU`` of the boxes
    converted to (x1, y1, x2, y2). Returns the optimal (query, target) pairs,
    sorted by query: min(Q, T) of them, ``[]`` when T == 0.
    """
    raise NotImplementedError
