# wrong: tolerance: values differ
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1)  # the unbiased variance: only for the running average
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)
