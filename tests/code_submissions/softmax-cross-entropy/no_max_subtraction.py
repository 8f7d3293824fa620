# wrong: tolerance: got nan
import numpy as np


def softmax_cross_entropy(logits, targets):
    exp = np.exp(logits)  # overflows for logits of 1e4
    probs = exp / exp.sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[np.arange(len(targets)), targets]))
