# correct
import numpy as np


def sigmoid_focal_loss(logits, targets, alpha, gamma):
    log_p = -np.logaddexp(0, -logits)  # log sigmoid(x)
    log_not_p = -np.logaddexp(0, logits)  # log (1 - sigmoid(x))
    p = np.exp(log_p)
    ce = -(targets * log_p + (1 - targets) * log_not_p)
    p_t = p * targets + (1 - p) * (1 - targets)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return float(np.mean(alpha_t * (1 - p_t) ** gamma * ce))
