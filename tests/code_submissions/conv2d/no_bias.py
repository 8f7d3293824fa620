# wrong: tolerance: values differ
import numpy as np


def conv2d(x, w, b, stride, padding):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = (H + 2 * padding - KH) // stride + 1
    OW = (W + 2 * padding - KW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((N, F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            window = xp[:, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out  # the bias is never added
