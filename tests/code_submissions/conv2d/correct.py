# correct
import numpy as np


def conv2d(x, w, b, stride, padding):
    # im2col: every window as a row, then one matrix product
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    OH = (H + 2 * padding - KH) // stride + 1
    OW = (W + 2 * padding - KW) // stride + 1
    rows = []
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                rows.append(xp[n, :, i * stride : i * stride + KH, j * stride : j * stride + KW].ravel())
    cols = np.array(rows).reshape(N * OH * OW, C * KH * KW)
    out = cols @ w.reshape(F, -1).T  # (N*OH*OW, F)
    out = out.reshape(N, OH, OW, F).transpose(0, 3, 1, 2)
    if b is not None:
        out = out + b[None, :, None, None]
    return out
