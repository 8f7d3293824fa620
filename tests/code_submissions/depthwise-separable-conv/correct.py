# correct
import numpy as np


def depthwise_separable_conv(x, w_depthwise, w_pointwise):
    N, C, H, W = x.shape
    KH, KW = w_depthwise.shape[2:]
    OH, OW = H - KH + 1, W - KW + 1
    mid = np.zeros((N, C, OH, OW))
    for u in range(KH):
        for v in range(KW):
            mid += x[:, :, u : u + OH, v : v + OW] * w_depthwise[None, :, 0, u, v, None, None]
    return np.einsum("fc,nchw->nfhw", w_pointwise[:, :, 0, 0], mid)
