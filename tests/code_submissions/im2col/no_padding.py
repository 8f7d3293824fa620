# wrong: shape: expected shape
import numpy as np


def im2col(x, kh, kw, stride, padding):
    N, C, H, W = x.shape
    OH = (H - kh) // stride + 1  # padding forgotten altogether
    OW = (W - kw) // stride + 1
    cols = np.zeros((C * kh * kw, N * OH * OW))
    col = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                cols[:, col] = x[n, :, i * stride : i * stride + kh, j * stride : j * stride + kw].reshape(-1)
                col += 1
    return cols
