# wrong: tolerance: values differ
import numpy as np


def depthwise_separable_conv(x, w_depthwise, w_pointwise):
    N, C, H, W = x.shape
    KH, KW = w_depthwise.shape[2:]
    OH, OW = H - KH + 1, W - KW + 1
    mid = np.zeros((N, C, OH, OW))
    for c in range(C):
        for i in range(OH):
            for j in range(OW):
                # sums over every channel: a full convolution, not a depthwise one
                mid[:, c, i, j] = np.sum(x[:, :, i : i + KH, j : j + KW] * w_depthwise[c, 0], axis=(1, 2, 3))
    return np.einsum("fc,nchw->nfhw", w_pointwise[:, :, 0, 0], mid)
