"""Batch normalisation in training mode, as `torch.nn.functional.batch_norm(..., training=True)`.

The batch is normalised with its biased variance, while the running variance is updated with the unbiased
one (n/(n − 1) times larger), which is the detail interview questions probe. Golden tests against PyTorch are
in `tests/test_engine_norm.py`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import FloatArray, finite_float, float_array
from cvquiz.engine.errors import EngineError


class BatchNormResult(NamedTuple):
    """Output of one batch-norm step in training mode.

    Attributes:
        y: the normalised, scaled and shifted batch, of the input's shape.
        running_mean: (1 − momentum)·running_mean + momentum·batch mean.
        running_var: (1 − momentum)·running_var + momentum·unbiased batch variance.
    """

    y: FloatArray
    running_mean: FloatArray
    running_var: FloatArray


def _channel_vector(value: ArrayLike, name: str, channels: int) -> FloatArray:
    array = float_array(value, name)
    if array.shape != (channels,):
        raise EngineError(
            f"{name} must have one entry per channel ({channels}), got shape {tuple(array.shape)}"
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(f"{name} must be finite")
    return array


def batch_norm_train(
    x: ArrayLike,
    gamma: ArrayLike,
    beta: ArrayLike,
    running_mean: ArrayLike,
    running_var: ArrayLike,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> BatchNormResult:
    """One training-mode batch-norm step: y = γ·(x − μ_B)/√(σ²_B + ε) + β, and the running statistics.

    μ_B and σ²_B (biased) are taken per channel (axis 1) over the batch and any spatial axes, n values each.

    Args:
        x: (N, C) or (N, C, d1, ...) activations; finite.
        gamma: (C,) scale.
        beta: (C,) shift.
        running_mean: (C,) running mean before the step (not modified).
        running_var: (C,) running variance before the step (not modified).
        momentum: weight of the new batch in the running statistics.
        eps: added to the variance before the square root; ≥ 0.

    Returns:
        `BatchNormResult(y, running_mean, running_var)` with the updated running statistics.

    Raises:
        EngineError: x with fewer than 2 dimensions or non-finite values, a channel vector of the wrong
            length, negative eps (or eps 0 with a constant channel), or only one value per channel (n = 1,
            where PyTorch raises too).
    """
    data = float_array(x, "x")
    if data.ndim < 2:
        raise EngineError(f"x must be (N, C) or (N, C, ...), got shape {tuple(data.shape)}")
    if not np.all(np.isfinite(data)):
        raise EngineError("x must be finite")
    channels = data.shape[1]
    g = _channel_vector(gamma, "gamma", channels)
    b = _channel_vector(beta, "beta", channels)
    rm = _channel_vector(running_mean, "running_mean", channels)
    rv = _channel_vector(running_var, "running_var", channels)
    m = finite_float(momentum, "momentum")
    e = finite_float(eps, "eps")
    if e < 0:
        raise EngineError(f"eps must be non-negative, got {e}")
    axes = (0, *range(2, data.ndim))
    n = data.size // channels if channels else 0
    if n <= 1:
        raise EngineError(
            f"batch norm in training mode needs more than 1 value per channel, got input shape "
            f"{tuple(data.shape)}"
        )
    shape = (1, channels) + (1,) * (data.ndim - 2)
    mean = data.mean(axis=axes)
    centred = data - mean.reshape(shape)
    var = (centred * centred).mean(axis=axes)
    if e == 0 and np.any(var == 0):
        raise EngineError(
            "a channel has zero variance and eps is 0: the output would divide by zero"
        )
    y = centred / np.sqrt(var + e).reshape(shape) * g.reshape(shape) + b.reshape(shape)
    new_mean = (1.0 - m) * rm + m * mean
    new_var = (1.0 - m) * rv + m * var * (n / (n - 1))
    return BatchNormResult(y, new_mean, new_var)
