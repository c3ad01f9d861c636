"""Correct, written differently from the reference: the shortest-augmenting-path form that
SciPy uses (Crouse, "On implementing 2D rectangular assignment algorithms", 2016), with the
inner loop over columns vectorised in numpy; GIoU as I/U + U/C - 1; DETR's cost matrix
vectorised over all (query, target) pairs as in DETR's own matcher."""

import numpy as np
import torch

EXPECTED_TO_FAIL = ()


def linear_sum_assignment(cost):
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2 or c.size == 0:
        return []
    tall = c.shape[0] > c.shape[1]
    if tall:
        c = c.T
    nr, nc = c.shape
    u, v = np.zeros(nr), np.zeros(nc)
    col4row, row4col = np.full(nr, -1), np.full(nc, -1)
    for cur_row in range(nr):
        shortest = np.full(nc, np.inf)
        path = np.full(nc, -1)
        visited_rows = np.zeros(nr, dtype=bool)
        visited_cols = np.zeros(nc, dtype=bool)
        i, min_val, sink = cur_row, 0.0, -1
        while sink < 0:
            visited_rows[i] = True
            reduced = min_val + c[i] - u[i] - v
            better = ~visited_cols & (reduced < shortest)
            shortest[better] = reduced[better]
            path[better] = i
            candidates = np.where(visited_cols, np.inf, shortest)
            lowest = candidates.min()
            free_ties = np.flatnonzero((candidates == lowest) & (row4col < 0))
            j = int(free_ties[0]) if len(free_ties) else int(np.argmin(candidates))
            min_val = lowest
            visited_cols[j] = True
            if row4col[j] < 0:
                sink = j
            else:
                i = int(row4col[j])
        u[cur_row] += min_val
        others = visited_rows.copy()
        others[cur_row] = False
        u[others] += min_val - shortest[col4row[others]]
        v[visited_cols] -= min_val - shortest[visited_cols]
        j = sink
        while True:
            i = int(path[j])
            row4col[j] = i
            col4row[i], j = j, int(col4row[i])
            if i == cur_row:
                break
    pairs = [(int(i), int(col4row[i])) for i in range(nr)]
    if tall:
        pairs = [(j, i) for i, j in pairs]
    return sorted(pairs)


def generalized_iou(box_a, box_b):
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = box_a, box_b
    iw = min(ax2, bx2) - max(ax1, bx1)
    ih = min(ay2, by2) - max(ay1, by1)
    inter = iw * ih if iw > 0 and ih > 0 else 0.0
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    hull = (max(ax2, bx2) - min(ax1, bx1)) * (max(ay2, by2) - min(ay1, by1))
    return float(inter / union + union / hull - 1.0)


def _corners(b):
    return torch.cat([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], dim=1)


def _giou_matrix(a, b):
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b[None, :] - inter
    hull = (torch.max(a[:, None, 2:], b[None, :, 2:]) - torch.min(a[:, None, :2], b[None, :, :2])).prod(-1)
    return inter / union - (hull - union) / hull


def detr_match(pred_logits, pred_boxes, tgt_labels, tgt_boxes, cost_class=1.0, cost_bbox=5.0, cost_giou=2.0):
    if tgt_labels.numel() == 0:
        return []
    out_prob = torch.log_softmax(pred_logits.double(), dim=-1).exp()
    pb, tb = pred_boxes.double(), tgt_boxes.double()
    c = (
        -cost_class * out_prob[:, tgt_labels]
        + cost_bbox * (pb[:, None, :] - tb[None, :, :]).abs().sum(-1)
        - cost_giou * _giou_matrix(_corners(pb), _corners(tb))
    )
    return linear_sum_assignment(c.numpy())
