# correct
import numpy as np


def mlp_backward(x, w1, b1, w2, b2, y):
    N = len(y)
    pre = x @ w1 + b1
    hidden = pre * (pre > 0)
    scores = hidden @ w2 + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    dscores = (probs - np.eye(w2.shape[1])[y]) / N
    dhidden = dscores @ w2.T
    dpre = np.where(pre > 0, dhidden, 0.0)
    return x.T @ dpre, dpre.sum(axis=0), hidden.T @ dscores, dscores.sum(axis=0)
