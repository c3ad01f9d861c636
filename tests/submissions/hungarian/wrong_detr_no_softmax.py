"""Mistake: DETR's class cost uses the raw logit of the target's class instead of its
softmax probability, so a query's class score is not comparable with another query's
(logits have no common scale) and the class term swamps or vanishes against the box terms."""

import math

import torch

EXPECTED_TO_FAIL = (
    "test_detr_match_is_optimal_for_the_detr_cost",
)


def linear_sum_assignment(cost: list[list[float]]) -> list[tuple[int, int]]:
    n = len(cost)
    m = len(cost[0]) if n else 0
    if n == 0 or m == 0:
        return []
    if n > m:
        # More rows than columns: solve the transpose, where every column gets a row.
        pairs = linear_sum_assignment([list(column) for column in zip(*cost)])
        return sorted((row, col) for col, row in pairs)

    # Now n <= m, and every row is assigned. Rows and columns are numbered from 1;
    # column 0 is a dummy that holds the row being inserted.
    # u, v: the potentials (the dual solution). They keep every reduced cost
    #   cost[i][j] - u[i] - v[j] >= 0, and it is 0 on every assigned pair,
    #   so an assignment made of zero-reduced-cost pairs only is optimal.
    # p[j]: the row assigned to column j (0: none).
    # way[j]: the column before j on the shortest alternating path found so far.
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        # Insert row i: Dijkstra over the columns, with reduced costs as edge lengths,
        # until the path reaches a free column.
        p[0] = i
        j0 = 0  # the column whose row we expand next
        minv = [math.inf] * (m + 1)  # minv[j]: the shortest distance to column j so far
        used = [False] * (m + 1)  # the columns already on the shortest-path tree
        while True:
            used[j0] = True
            i0 = p[j0]
            delta, j1 = math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < minv[j]:
                        minv[j], way[j] = reduced, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            # Shift the potentials by delta: the closest column's reduced cost becomes 0,
            # the tree's pairs keep reduced cost 0, and no reduced cost becomes negative.
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:  # a free column: the path ends here
                break
        # Augment: flip the assignment along the path back to the dummy column 0.
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return sorted((p[j] - 1, j - 1) for j in range(1, m + 1) if p[j])


def generalized_iou(box_a: list[float], box_b: list[float]) -> float:
    ax1, ay1, ax2, ay2 = box_a
    bx1, by1, bx2, by2 = box_b
    inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    # C: the smallest box enclosing both. Its area not covered by the union is the penalty,
    # which keeps growing as disjoint boxes move apart (where IoU is stuck at 0).
    enclosing = (max(ax2, bx2) - min(ax1, bx1)) * (max(ay2, by2) - min(ay1, by1))
    return inter / union - (enclosing - union) / enclosing


def box_cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)


def detr_match(
    pred_logits: torch.Tensor,
    pred_boxes: torch.Tensor,
    tgt_labels: torch.Tensor,
    tgt_boxes: torch.Tensor,
    cost_class: float = 1.0,
    cost_bbox: float = 5.0,
    cost_giou: float = 2.0,
) -> list[tuple[int, int]]:
    if len(tgt_labels) == 0:
        return []
    # Each cost is (Q, T): prediction q against target t. float64 keeps near-ties honest.
    prob = pred_logits.double()
    class_cost = -prob[:, tgt_labels]  # the more probable the right class, the cheaper
    bbox_cost = torch.cdist(pred_boxes.double(), tgt_boxes.double(), p=1)  # L1 on (cx, cy, w, h)
    pred_xyxy = box_cxcywh_to_xyxy(pred_boxes.double()).tolist()
    tgt_xyxy = box_cxcywh_to_xyxy(tgt_boxes.double()).tolist()
    giou = torch.tensor([[generalized_iou(p, t) for t in tgt_xyxy] for p in pred_xyxy], dtype=torch.float64)
    cost = cost_class * class_cost + cost_bbox * bbox_cost - cost_giou * giou
    return linear_sum_assignment(cost.tolist())
