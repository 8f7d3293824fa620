"""The backward pass of a two-layer ReLU network with a softmax cross-entropy loss, by hand.

This is the network of CS231n's two-layer net: scores = ReLU(x·W1 + b1)·W2 + b2, loss = mean softmax
cross-entropy. `mlp_backward` returns the gradients PyTorch's autograd gives (golden tests in
`tests/test_engine_conv.py`), including its choice at a pre-activation of exactly 0: ReLU passes no gradient
there.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import FloatArray, float_array
from cvquiz.engine.errors import N_, EngineError

__all__ = ["MlpGradients", "mlp_backward"]


class MlpGradients(NamedTuple):
    """The gradients of the mean loss with respect to each parameter, each of its parameter's shape."""

    dw1: FloatArray
    db1: FloatArray
    dw2: FloatArray
    db2: FloatArray


def _finite(value: ArrayLike, name: str, ndim: int) -> FloatArray:
    array = float_array(value, name)
    if array.ndim != ndim:
        raise EngineError(
            N_("{name} must have {ndim} dimension(s), got shape {shape}"),
            name=name,
            ndim=ndim,
            shape=tuple(array.shape),
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite (no NaN or infinity)"), name=name)
    return array


def mlp_backward(
    x: ArrayLike,
    w1: ArrayLike,
    b1: ArrayLike,
    w2: ArrayLike,
    b2: ArrayLike,
    y: ArrayLike,
) -> MlpGradients:
    """Gradients of the mean softmax cross-entropy of a two-layer ReLU MLP.

    Forward: a = x·W1 + b1, h = max(a, 0), s = h·W2 + b2, L = mean_i(−log softmax(s_i)[y_i]).
    Backward: ds = (softmax(s) − onehot(y)) / N, dW2 = hᵀ·ds, db2 = Σ_i ds, dh = ds·W2ᵀ, da = dh where a > 0
    (0 elsewhere, also at a = 0), dW1 = xᵀ·da, db1 = Σ_i da.

    Args:
        x: (N, D) inputs, N ≥ 1.
        w1: (D, H) first-layer weights.
        b1: (H,) first-layer bias.
        w2: (H, C) second-layer weights.
        b2: (C,) second-layer bias.
        y: (N,) integer class indices in [0, C).

    Returns:
        `MlpGradients(dw1, db1, dw2, db2)`.

    Raises:
        EngineError: shapes that do not chain, non-finite values, an empty batch, or labels out of range.
    """
    xs = _finite(x, "x", 2)
    w_1 = _finite(w1, "w1", 2)
    b_1 = _finite(b1, "b1", 1)
    w_2 = _finite(w2, "w2", 2)
    b_2 = _finite(b2, "b2", 1)
    n, d = xs.shape
    if n == 0:
        raise EngineError(
            N_("x must hold at least one sample (the mean of no losses is undefined)")
        )
    if w_1.shape[0] != d or b_1.shape != (w_1.shape[1],):
        raise EngineError(
            N_(
                "w1 must be ({d}, H) and b1 (H,) for x of shape {xs_shape}, got {w_1_shape} and "
                "{b_1_shape}"
            ),
            d=d,
            xs_shape=xs.shape,
            w_1_shape=w_1.shape,
            b_1_shape=b_1.shape,
        )
    hidden = w_1.shape[1]
    if w_2.shape[0] != hidden or b_2.shape != (w_2.shape[1],):
        raise EngineError(
            N_("w2 must be ({hidden}, C) and b2 (C,), got {w_2_shape} and {b_2_shape}"),
            hidden=hidden,
            w_2_shape=w_2.shape,
            b_2_shape=b_2.shape,
        )
    classes = w_2.shape[1]
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu" or labels.shape != (n,):
        raise EngineError(
            N_("y must be {n} integer class indices, got {dtype} of shape {shape}"),
            n=n,
            dtype=labels.dtype,
            shape=labels.shape,
        )
    if np.any((labels < 0) | (labels >= classes)):
        raise EngineError(
            N_("y must hold classes in [0, {classes}), got {labels}"),
            classes=classes,
            labels=labels.tolist(),
        )
    a = xs @ w_1 + b_1
    h = np.maximum(a, 0.0)
    s = h @ w_2 + b_2
    shifted = s - s.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    ds = probs
    ds[np.arange(n), labels] -= 1.0
    ds /= n
    dh = ds @ w_2.T
    da = np.where(a > 0, dh, 0.0)
    return MlpGradients(xs.T @ da, da.sum(axis=0), h.T @ ds, ds.sum(axis=0))
