# wrong: tolerance: values differ
import numpy as np


def max_pool2d(x, kernel_size, stride, padding):
    N, C, H, W = x.shape
    k = kernel_size
    OH = (H + 2 * padding - k) // stride + 1
    OW = (W + 2 * padding - k) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = xp[:, :, i * stride : i * stride + k, j * stride : j * stride + k].mean(axis=(2, 3))
    return out
