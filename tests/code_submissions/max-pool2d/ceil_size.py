# wrong: shape: expected shape
import numpy as np


def max_pool2d(x, kernel_size, stride, padding):
    N, C, H, W = x.shape
    k = kernel_size
    OH = -(-(H + 2 * padding - k) // stride) + 1  # rounds up, as ceil_mode=True would
    OW = -(-(W + 2 * padding - k) // stride) + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding + stride), (padding, padding + stride)), constant_values=-np.inf)
    out = np.zeros((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = xp[:, :, i * stride : i * stride + k, j * stride : j * stride + k].max(axis=(2, 3))
    return out
