# correct
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    N, C, H, W = x.shape
    flat = x.transpose(1, 0, 2, 3).reshape(C, -1)  # one row per channel
    mean = flat.mean(axis=1)
    var = ((flat - mean[:, None]) ** 2).mean(axis=1)
    y = (flat - mean[:, None]) / np.sqrt(var[:, None] + eps) * gamma[:, None] + beta[:, None]
    return y.reshape(C, N, H, W).transpose(1, 0, 2, 3)
