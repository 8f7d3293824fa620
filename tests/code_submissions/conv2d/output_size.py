# wrong: shape: expected shape
import numpy as np


def conv2d(x, w, b, stride, padding):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    OH = (H + padding - KH) // stride + 1  # forgot that padding is on both sides
    OW = (W + padding - KW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((N, F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            window = xp[:, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += b.reshape(1, F, 1, 1)
    return out
