# correct
import numpy as np


def iou(box_a, box_b):
    lo = np.maximum(box_a[:2], box_b[:2])
    hi = np.minimum(box_a[2:], box_b[2:])
    inter = np.prod(np.clip(hi - lo, 0, None))
    union = np.prod(box_a[2:] - box_a[:2]) + np.prod(box_b[2:] - box_b[:2]) - inter
    return 0.0 if union == 0 else float(inter / union)
