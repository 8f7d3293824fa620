# wrong: shape: expected shape
import numpy as np


def convolve2d(image, kernel, mode):
    H, W = image.shape
    kh, kw = kernel.shape
    full = np.zeros((H + kh - 1, W + kw - 1))
    for u in range(kh):
        for v in range(kw):
            full[u : u + H, v : v + W] += kernel[u, v] * image
    if mode == "full":
        return full
    if mode == "same":
        r, c = (kh - 1) // 2, (kw - 1) // 2
        return full[r : r + H, c : c + W]
    return full[kh : H, kw : W]  # one short: H - kh rows instead of H - kh + 1
