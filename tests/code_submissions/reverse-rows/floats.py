# wrong: type: returned an ndarray of floats
import numpy as np


def reverse_rows(a):
    out = np.zeros(a.shape)  # always float64, even for an integer array
    for i in range(len(a)):
        out[i] = a[len(a) - 1 - i]
    return out
