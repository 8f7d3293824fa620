"""Weight-initialisation scales of `torch.nn.init`, from the weight's shape instead of a tensor.

`calculate_gain` and the fans are computed exactly as PyTorch computes them: for a weight of shape
(out, in, *kernel), fan_in = in · Π kernel and fan_out = out · Π kernel (so a Linear weight (out, in) has
fan_in = in). Xavier/Glorot uses gain·√(2/(fan_in + fan_out)) as the standard deviation; Kaiming/He uses
gain/√fan with the leaky-ReLU gain √(2/(1 + a²)); a uniform bound is √3 times the standard deviation. Golden
tests against PyTorch are in `tests/test_engine_init.py`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from cvquiz.engine._checks import as_int, finite_float
from cvquiz.engine.errors import N_, EngineError

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)
NONLINEARITIES = (*_LINEAR, "tanh", "relu", "leaky_relu", "selu")
"""Every nonlinearity name `calculate_gain` knows, as `torch.nn.init.calculate_gain`."""


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`.

    linear, conv*, sigmoid: 1; tanh: 5/3; relu: √2; leaky_relu: √(2/(1 + slope²)) with slope `param`
    (default 0.01); selu: 3/4.

    Args:
        nonlinearity: one of `NONLINEARITIES`.
        param: the negative slope for "leaky_relu"; ignored otherwise.

    Returns:
        The gain.

    Raises:
        EngineError: an unknown nonlinearity or a slope that is not a number.
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else finite_float(param, "negative_slope")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise EngineError(
        N_("unsupported nonlinearity {nonlinearity!r}; known: {known}"),
        nonlinearity=nonlinearity,
        known=", ".join(NONLINEARITIES),
    )


def fan_in_and_fan_out(weight_shape: Sequence[int]) -> tuple[int, int]:
    """Fans of a weight as PyTorch computes them: (shape[1]·Π shape[2:], shape[0]·Π shape[2:]).

    Args:
        weight_shape: the weight's shape, at least 2-D: (out_features, in_features) for Linear,
            (out_channels, in_channels/groups, kh, kw) for Conv2d.

    Returns:
        (fan_in, fan_out).

    Raises:
        EngineError: fewer than 2 dimensions, or a dimension that is not a positive integer (PyTorch leaves
            zero-element weights untouched, so they have no scale).
    """
    if isinstance(weight_shape, str | bytes) or not isinstance(weight_shape, Sequence):
        raise EngineError(
            N_("weight_shape must be a sequence of sizes, got {weight_shape!r}"),
            weight_shape=weight_shape,
        )
    dims = [as_int(d, "weight_shape") for d in weight_shape]
    if len(dims) < 2:
        raise EngineError(
            N_(
                "fan in and fan out cannot be computed for a weight with fewer than 2 dimensions, got "
                "{dims}"
            ),
            dims=tuple(dims),
        )
    if min(dims) < 1:
        raise EngineError(
            N_("weight_shape {dims} has no elements: PyTorch leaves such a weight untouched"),
            dims=tuple(dims),
        )
    receptive_field = math.prod(dims[2:])
    return dims[1] * receptive_field, dims[0] * receptive_field


def xavier_normal_std(weight_shape: Sequence[int], gain: float = 1.0) -> float:
    """Standard deviation of `torch.nn.init.xavier_normal_`: gain·√(2/(fan_in + fan_out)).

    Args:
        weight_shape: the weight's shape (see `fan_in_and_fan_out`).
        gain: scaling factor, e.g. `calculate_gain("tanh")`.

    Returns:
        The standard deviation.

    Raises:
        EngineError: as `fan_in_and_fan_out`, or a gain that is not a number.
    """
    fan_in, fan_out = fan_in_and_fan_out(weight_shape)
    return finite_float(gain, "gain") * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_bound(weight_shape: Sequence[int], gain: float = 1.0) -> float:
    """Bound a of `torch.nn.init.xavier_uniform_` (samples from U(−a, a)): gain·√(6/(fan_in + fan_out)).

    Args:
        weight_shape: the weight's shape (see `fan_in_and_fan_out`).
        gain: scaling factor.

    Returns:
        The bound a.

    Raises:
        EngineError: as `fan_in_and_fan_out`, or a gain that is not a number.
    """
    # PyTorch computes the bound as √3 · std; doing the same keeps the last bit equal.
    return math.sqrt(3.0) * xavier_normal_std(weight_shape, gain)


def _fan(weight_shape: Sequence[int], mode: str) -> int:
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise EngineError(N_("mode must be 'fan_in' or 'fan_out', got {mode!r}"), mode=mode)
    fan_in, fan_out = fan_in_and_fan_out(weight_shape)
    return fan_in if mode.lower() == "fan_in" else fan_out


def kaiming_normal_std(
    weight_shape: Sequence[int],
    a: float = 0.0,
    mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> float:
    """Standard deviation of `torch.nn.init.kaiming_normal_`: calculate_gain(nonlinearity, a)/√fan.

    Args:
        weight_shape: the weight's shape (see `fan_in_and_fan_out`).
        a: negative slope of the rectifier after the layer (used with "leaky_relu" only).
        mode: "fan_in" keeps the variance of the activations in the forward pass, "fan_out" of the gradients
            in the backward pass.
        nonlinearity: the nonlinearity after the layer; with the defaults (leaky_relu, a = 0) the gain is √2.

    Returns:
        The standard deviation.

    Raises:
        EngineError: as `fan_in_and_fan_out` and `calculate_gain`, or an unknown mode.
    """
    fan = _fan(weight_shape, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_bound(
    weight_shape: Sequence[int],
    a: float = 0.0,
    mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> float:
    """Bound of `torch.nn.init.kaiming_uniform_` (samples from U(−b, b)): √3·gain/√fan.

    `torch.nn.Linear` and `Conv2d` initialise their weights with this at a = √5, which gives b = 1/√fan_in.

    Args:
        weight_shape: the weight's shape (see `fan_in_and_fan_out`).
        a: negative slope of the rectifier after the layer (used with "leaky_relu" only).
        mode: "fan_in" or "fan_out".
        nonlinearity: the nonlinearity after the layer.

    Returns:
        The bound b.

    Raises:
        EngineError: as `kaiming_normal_std`.
    """
    return math.sqrt(3.0) * kaiming_normal_std(weight_shape, a, mode, nonlinearity)
