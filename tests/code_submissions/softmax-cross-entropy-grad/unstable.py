# wrong: tolerance: got nan
import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    N, C = logits.shape
    e = np.exp(logits)  # inf for logits of 1e4, and inf / inf = nan
    p = e / e.sum(axis=1, keepdims=True)
    return (p - np.eye(C)[targets]) / N
