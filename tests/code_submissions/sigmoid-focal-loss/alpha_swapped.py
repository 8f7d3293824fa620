# wrong: tolerance: got
import numpy as np


def sigmoid_focal_loss(logits, targets, alpha, gamma):
    ce = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    p = np.exp(-np.logaddexp(0, -logits))
    p_t = p * targets + (1 - p) * (1 - targets)
    alpha_t = (1 - alpha) * targets + alpha * (1 - targets)  # alpha weights the negatives here
    return np.mean(alpha_t * (1 - p_t) ** gamma * ce)
