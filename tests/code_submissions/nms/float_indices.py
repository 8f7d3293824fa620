# wrong: type: expected a list of integer indices
import numpy as np


def nms(boxes, scores, iou_threshold):
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores)
    keep = np.zeros(0)  # a float array: the indices come back as 0.0, 1.0, ...
    while order.size:
        i = order[0]
        keep = np.append(keep, i)
        rest = order[1:]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        order = rest[inter / (areas[i] + areas[rest] - inter) <= iou_threshold]
    return keep
