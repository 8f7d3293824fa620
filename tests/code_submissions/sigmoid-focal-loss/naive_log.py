# wrong: tolerance: got nan
import numpy as np


def sigmoid_focal_loss(logits, targets, alpha, gamma):
    p = 1 / (1 + np.exp(-logits))
    ce = -(targets * np.log(p) + (1 - targets) * np.log(1 - p))  # log(0) for logits of ±1e4
    p_t = p * targets + (1 - p) * (1 - targets)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return np.mean(alpha_t * (1 - p_t) ** gamma * ce)
