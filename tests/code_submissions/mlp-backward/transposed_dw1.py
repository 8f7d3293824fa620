# wrong: shape: dw1: returned an ndarray of shape
import numpy as np


def mlp_backward(x, w1, b1, w2, b2, y):
    N = len(y)
    a = x @ w1 + b1
    h = np.maximum(a, 0)
    s = h @ w2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ds = p.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    da = (ds @ w2.T) * (a > 0)
    return da.T @ x, da.sum(axis=0), h.T @ ds, ds.sum(axis=0)  # dw1 as (H, D), like torch's weight
