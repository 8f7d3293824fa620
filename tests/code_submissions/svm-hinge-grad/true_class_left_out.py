# wrong: tolerance: values differ
import numpy as np


def svm_hinge_grad(scores, targets, margin):
    N = scores.shape[0]
    rows = np.arange(N)
    correct = scores[rows, targets][:, None]
    active = (scores - correct + margin > 0).astype(float)
    active[rows, targets] = 0  # the true class's gradient is never filled in
    return active / N
