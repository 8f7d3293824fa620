# wrong: tolerance: got
import numpy as np


def sigmoid_focal_loss(logits, targets, alpha, gamma):
    ce = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    p = np.exp(-np.logaddexp(0, -logits))
    p_t = p * targets + (1 - p) * (1 - targets)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return np.sum(alpha_t * (1 - p_t) ** gamma * ce)  # the sum, not the mean
