# wrong: tolerance: values differ
import numpy as np


def im2col(x, kh, kw, stride, padding):
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    OH = (H + 2 * padding - kh) // stride + 1
    OW = (W + 2 * padding - kw) // stride + 1
    cols = []
    for i in range(OH):
        for j in range(OW):
            for n in range(N):  # the image index innermost: columns in the wrong order
                cols.append(xp[n, :, i * stride : i * stride + kh, j * stride : j * stride + kw].reshape(-1))
    return np.array(cols).T
