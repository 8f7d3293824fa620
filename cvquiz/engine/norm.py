"""Normalisation layers: batch norm in training mode, layer norm and group norm, as PyTorch computes them.

`batch_norm_train` is ``torch.nn.functional.batch_norm(..., training=True)``: the batch is normalised with its
biased variance, while the running variance is updated with the unbiased one (n/(n − 1) times larger), which is
the detail interview questions probe. `layer_norm` and `group_norm` are ``F.layer_norm`` and ``F.group_norm``:
statistics over the trailing ``normalized_shape`` of each sample, or over each group of channels of each
sample (and its spatial positions), always with the biased variance, and never any running statistics. Golden
tests against PyTorch are in `tests/test_engine_norm.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import FloatArray, as_int, finite_float, float_array, positive_int
from cvquiz.engine.errors import N_, EngineError


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
            N_("{name} must have one entry per channel ({channels}), got shape {shape}"),
            name=name,
            channels=channels,
            shape=tuple(array.shape),
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite"), name=name)
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
        raise EngineError(
            N_("x must be (N, C) or (N, C, ...), got shape {shape}"), shape=tuple(data.shape)
        )
    if not np.all(np.isfinite(data)):
        raise EngineError(N_("x must be finite"))
    channels = data.shape[1]
    g = _channel_vector(gamma, "gamma", channels)
    b = _channel_vector(beta, "beta", channels)
    rm = _channel_vector(running_mean, "running_mean", channels)
    rv = _channel_vector(running_var, "running_var", channels)
    m = finite_float(momentum, "momentum")
    e = finite_float(eps, "eps")
    if e < 0:
        raise EngineError(N_("eps must be non-negative, got {e}"), e=e)
    axes = (0, *range(2, data.ndim))
    n = data.size // channels if channels else 0
    if n <= 1:
        raise EngineError(
            N_(
                "batch norm in training mode needs more than 1 value per channel, got input shape {shape}"
            ),
            shape=tuple(data.shape),
        )
    shape = (1, channels) + (1,) * (data.ndim - 2)
    mean = data.mean(axis=axes)
    centred = data - mean.reshape(shape)
    var = (centred * centred).mean(axis=axes)
    if e == 0 and np.any(var == 0):
        raise EngineError(
            N_("a channel has zero variance and eps is 0: the output would divide by zero")
        )
    y = centred / np.sqrt(var + e).reshape(shape) * g.reshape(shape) + b.reshape(shape)
    new_mean = (1.0 - m) * rm + m * mean
    new_var = (1.0 - m) * rv + m * var * (n / (n - 1))
    return BatchNormResult(y, new_mean, new_var)


class NormResult(NamedTuple):
    """Output of layer norm or group norm with the statistics it normalised with.

    Attributes:
        y: the normalised, scaled and shifted input, of the input's shape.
        mean: the mean of each normalised group: shape ``x.shape[:-len(normalized_shape)]`` for layer norm,
            ``(N, G)`` for group norm.
        var: the biased variance of each group, same shape.
    """

    y: FloatArray
    mean: FloatArray
    var: FloatArray


def _eps(eps: float) -> float:
    value = finite_float(eps, "eps")
    if value < 0:
        raise EngineError(N_("eps must be non-negative, got {value}"), value=value)
    return value


def _affine(value: ArrayLike | None, name: str, shape: tuple[int, ...], fill: float) -> FloatArray:
    if value is None:
        return np.full(shape, fill)
    array = float_array(value, name)
    if array.shape != shape:
        raise EngineError(
            N_("{name} must have shape {shape}, got {array_shape}"),
            name=name,
            shape=shape,
            array_shape=tuple(array.shape),
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite"), name=name)
    return array


def _normalise(groups: FloatArray, eps: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normalise the last axis of ``groups``; return (normalised, mean, biased variance)."""
    mean = groups.mean(axis=-1)
    centred = groups - mean[..., None]
    var = (centred * centred).mean(axis=-1)
    if eps == 0 and np.any(var == 0):
        raise EngineError(
            N_("a group has zero variance and eps is 0: the output would divide by zero")
        )
    return centred / np.sqrt(var + eps)[..., None], mean, var


def layer_norm(
    x: ArrayLike,
    normalized_shape: int | Sequence[int],
    weight: ArrayLike | None = None,
    bias: ArrayLike | None = None,
    eps: float = 1e-5,
) -> NormResult:
    """Layer normalisation, as ``F.layer_norm``: y = (x − μ)/√(σ² + ε)·weight + bias over the trailing dims.

    Args:
        x: the input; its trailing dimensions must equal ``normalized_shape``.
        normalized_shape: the trailing shape normalised over (an int for the last dimension).
        weight: elementwise scale of shape ``normalized_shape`` (default 1).
        bias: elementwise shift of shape ``normalized_shape`` (default 0).
        eps: added to the variance; >= 0.

    Returns:
        `NormResult(y, mean, var)`.

    Raises:
        EngineError: a shape mismatch, non-finite values, a negative eps, or eps 0 with a constant group.
    """
    data = float_array(x, "x")
    if not np.all(np.isfinite(data)):
        raise EngineError(N_("x must be finite"))
    shape = (
        (as_int(normalized_shape, "normalized_shape"),)
        if not isinstance(normalized_shape, Sequence)
        else tuple(as_int(v, "normalized_shape") for v in normalized_shape)
    )
    if not shape or min(shape) < 1:
        raise EngineError(N_("normalized_shape must be positive sizes, got {shape}"), shape=shape)
    if data.ndim < len(shape) or tuple(data.shape[data.ndim - len(shape) :]) != shape:
        raise EngineError(
            N_("the trailing dimensions of x {data_shape} must equal normalized_shape {shape}"),
            data_shape=tuple(data.shape),
            shape=shape,
        )
    if data.size == 0:
        raise EngineError(N_("x must not be empty, got shape {shape}"), shape=tuple(data.shape))
    e = _eps(eps)
    w = _affine(weight, "weight", shape, 1.0)
    b = _affine(bias, "bias", shape, 0.0)
    lead = data.shape[: data.ndim - len(shape)]
    normed, mean, var = _normalise(data.reshape(*lead, -1), e)
    y = normed.reshape(data.shape) * w + b
    return NormResult(y, mean, var)


def group_norm(
    x: ArrayLike,
    num_groups: int,
    weight: ArrayLike | None = None,
    bias: ArrayLike | None = None,
    eps: float = 1e-5,
) -> NormResult:
    """Group normalisation, as ``F.group_norm``: channels split into groups, each normalised per sample.

    Args:
        x: ``(N, C)`` or ``(N, C, d1, ...)`` input.
        num_groups: ``G``, which must divide ``C``; each group holds ``C/G`` consecutive channels.
        weight: per-channel scale ``(C,)`` (default 1).
        bias: per-channel shift ``(C,)`` (default 0).
        eps: added to the variance; >= 0.

    Returns:
        `NormResult(y, mean, var)` with ``(N, G)`` statistics.

    Raises:
        EngineError: x with fewer than 2 dimensions, G not dividing C, a group of one value, bad weight or
            bias, non-finite values.
    """
    data = float_array(x, "x")
    if data.ndim < 2:
        raise EngineError(
            N_("x must be (N, C) or (N, C, ...), got shape {shape}"), shape=tuple(data.shape)
        )
    if not np.all(np.isfinite(data)):
        raise EngineError(N_("x must be finite"))
    if data.size == 0:
        raise EngineError(N_("x must not be empty, got shape {shape}"), shape=tuple(data.shape))
    groups = positive_int(num_groups, "num_groups")
    n, channels = data.shape[0], data.shape[1]
    if channels % groups:
        raise EngineError(
            N_("num_groups {groups} must divide the {channels} channels"),
            groups=groups,
            channels=channels,
        )
    # PyTorch's own check (F.group_norm's _verify_batch_size): it refuses N·(C/G)·H·W = 1 only.
    if data.size // groups == 1:
        raise EngineError(
            N_(
                "group norm needs more than 1 value per channel group across the batch, got input shape "
                "{shape} with {groups} groups (PyTorch raises too)"
            ),
            shape=tuple(data.shape),
            groups=groups,
        )
    e = _eps(eps)
    w = _affine(weight, "weight", (channels,), 1.0)
    b = _affine(bias, "bias", (channels,), 0.0)
    normed, mean, var = _normalise(data.reshape(n, groups, -1), e)
    shape = (1, channels) + (1,) * (data.ndim - 2)
    y = normed.reshape(data.shape) * w.reshape(shape) + b.reshape(shape)
    return NormResult(y, mean, var)
