# wrong: tolerance: got
import numpy as np


def svm_hinge_loss(scores, targets, margin):
    N = scores.shape[0]
    correct = scores[np.arange(N), targets][:, None]
    margins = np.maximum(0, scores - correct + margin)
    margins[np.arange(N), targets] = 0
    return margins.sum()  # not divided by N
