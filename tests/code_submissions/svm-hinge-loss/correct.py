# correct
def svm_hinge_loss(scores, targets, margin):
    N, C = scores.shape
    total = 0.0
    for i in range(N):
        y = targets[i]
        for j in range(C):
            if j != y:
                total += max(0.0, scores[i, j] - scores[i, y] + margin)
    return total / N
