# wrong: tolerance: values differ
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    mean = x.mean(axis=0, keepdims=True)  # statistics per pixel over the batch, not per channel
    var = x.var(axis=0, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)
