# wrong: shape: expected shape
import numpy as np


def box_iou(boxes_a, boxes_b):
    # broadcast the other way round: (M, N) instead of (N, M)
    x1 = np.maximum(boxes_b[:, None, 0], boxes_a[None, :, 0])
    y1 = np.maximum(boxes_b[:, None, 1], boxes_a[None, :, 1])
    x2 = np.minimum(boxes_b[:, None, 2], boxes_a[None, :, 2])
    y2 = np.minimum(boxes_b[:, None, 3], boxes_a[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (boxes_a[:, 2] - boxes_a[:, 0]) * (boxes_a[:, 3] - boxes_a[:, 1])
    area_b = (boxes_b[:, 2] - boxes_b[:, 0]) * (boxes_b[:, 3] - boxes_b[:, 1])
    return inter / (area_b[:, None] + area_a[None, :] - inter)
