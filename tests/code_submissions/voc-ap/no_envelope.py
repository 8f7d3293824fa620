# wrong: tolerance: got
import numpy as np


def voc_ap(recall, precision):
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([0.0], precision, [0.0]))
    steps = np.where(mrec[1:] != mrec[:-1])[0]  # the raw precision, without its envelope
    return np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1])
