# correct
import numpy as np


def svm_hinge_grad(scores, targets, margin):
    N, C = scores.shape
    grad = np.zeros((N, C))
    for i in range(N):
        y = targets[i]
        for j in range(C):
            if j != y and scores[i, j] - scores[i, y] + margin > 0:
                grad[i, j] += 1
                grad[i, y] -= 1
    return grad / N
