# wrong: tolerance: values differ
import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    std = x.std(axis=(0, 2, 3), keepdims=True)
    x_hat = (x - mean) / (std + eps)  # eps added to the standard deviation, outside the square root
    return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)
