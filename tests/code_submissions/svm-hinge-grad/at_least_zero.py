# wrong: tolerance: values differ
import numpy as np


def svm_hinge_grad(scores, targets, margin):
    N = scores.shape[0]
    rows = np.arange(N)
    correct = scores[rows, targets][:, None]
    active = (scores - correct + margin >= 0).astype(float)  # a margin of exactly 0 counted as a violation
    active[rows, targets] = 0
    active[rows, targets] = -active.sum(axis=1)
    return active / N
