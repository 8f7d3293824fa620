# wrong: tolerance: got inf
import numpy as np


def softmax_cross_entropy(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    # the max is taken out, but a probability of e^-20000 still underflows to 0 and log(0) = -inf
    return -np.mean(np.log(probs[np.arange(len(targets)), targets]))
