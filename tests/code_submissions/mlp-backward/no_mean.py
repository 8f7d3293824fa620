# wrong: tolerance: values differ
import numpy as np


def mlp_backward(x, w1, b1, w2, b2, y):
    N = len(y)
    a = x @ w1 + b1
    h = np.maximum(a, 0)
    s = h @ w2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ds = p.copy()
    ds[np.arange(N), y] -= 1  # never divided by N
    da = (ds @ w2.T) * (a > 0)
    return x.T @ da, da.sum(axis=0), h.T @ ds, ds.sum(axis=0)
