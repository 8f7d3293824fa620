# wrong: tolerance: returned [0], expected [0, 2]
import numpy as np


def nms(boxes, scores, iou_threshold):
    def iou(a, b):
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = w * h
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)

    order = list(np.argsort(-scores))
    keep = []
    for rank, i in enumerate(order):
        # dropped if ANY higher-scoring box overlaps it, kept or not
        if all(iou(boxes[i], boxes[j]) <= iou_threshold for j in order[:rank]):
            keep.append(int(i))
    return keep
