# wrong: tolerance: got
import numpy as np


def voc_ap(recall, precision):
    # VOC2007's 11-point interpolation instead of the all-point area
    ap = 0.0
    for t in np.arange(0.0, 1.1, 0.1):
        p = precision[recall >= t].max() if np.any(recall >= t) else 0.0
        ap += p / 11
    return ap
