# correct
import numpy as np


def reverse_rows(a):
    return np.array([a[i] for i in range(len(a) - 1, -1, -1)], dtype=a.dtype).reshape(a.shape)
