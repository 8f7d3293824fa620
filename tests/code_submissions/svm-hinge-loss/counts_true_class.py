# wrong: tolerance: got
import numpy as np


def svm_hinge_loss(scores, targets, margin):
    N = scores.shape[0]
    correct = scores[np.arange(N), targets][:, None]
    margins = np.maximum(0, scores - correct + margin)  # the true class's own term (= margin) is kept
    return margins.sum() / N
