# wrong: tolerance: values differ
import numpy as np


def convolve2d(image, kernel, mode):
    # slides the kernel without flipping it: cross-correlation, not convolution
    H, W = image.shape
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    full = np.zeros((H + kh - 1, W + kw - 1))
    for i in range(full.shape[0]):
        for j in range(full.shape[1]):
            full[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
    if mode == "full":
        return full
    if mode == "same":
        r, c = (kh - 1) // 2, (kw - 1) // 2
        return full[r : r + H, c : c + W]
    return full[kh - 1 : H, kw - 1 : W]
