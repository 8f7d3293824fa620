# wrong: tolerance: values differ
import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    N, C = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return p - np.eye(C)[targets]  # the gradient of the sum, not of the mean
