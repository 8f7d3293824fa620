# correct
import numpy as np


def im2col(x, kh, kw, stride, padding):
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    OH = (H + 2 * padding - kh) // stride + 1
    OW = (W + 2 * padding - kw) // stride + 1
    # rows: one per (channel, kernel row, kernel column), filled a whole plane of positions at a time
    cols = np.empty((C, kh, kw, N, OH, OW))
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u : u + stride * (OH - 1) + 1 : stride, v : v + stride * (OW - 1) + 1 : stride]
            cols[:, u, v] = patch.transpose(1, 0, 2, 3)
    return cols.reshape(C * kh * kw, N * OH * OW)
