# wrong: tolerance: values differ
import numpy as np


def depthwise_separable_conv(x, w_depthwise, w_pointwise):
    N, C, H, W = x.shape
    KH, KW = w_depthwise.shape[2:]
    OH, OW = H - KH + 1, W - KW + 1
    mid = np.zeros((N, C, OH, OW))
    for c in range(C):
        kernel = w_depthwise[c, 0, ::-1, ::-1]  # flipped: a conv layer does not flip
        for i in range(OH):
            for j in range(OW):
                mid[:, c, i, j] = np.sum(x[:, c, i : i + KH, j : j + KW] * kernel, axis=(1, 2))
    F = w_pointwise.shape[0]
    out = np.zeros((N, F, OH, OW))
    for f in range(F):
        for c in range(C):
            out[:, f] += w_pointwise[f, c, 0, 0] * mid[:, c]
    return out
