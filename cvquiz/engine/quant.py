"""Affine (asymmetric) and symmetric 8-bit quantization, as ``torch.ao.quantization`` computes it.

A real value x is stored as the integer ``q = clamp(round(x/s) + z, q_min, q_max)`` and read back as
``x̂ = (q − z)·s``. `qparams` is ``MinMaxObserver._calculate_qparams`` for a per-tensor scheme:

- affine: the range is widened to include 0, ``s = (max(x_max, 0) − min(x_min, 0)) / (q_max − q_min)`` and
  ``z = q_min − round(min(x_min, 0)/s)``, clamped to [q_min, q_max], so that 0 is exactly representable;
- symmetric: ``s = max(|x_min|, |x_max|) / ((q_max − q_min)/2)`` and ``z = 0`` for qint8 (128 for quint8).

``quint8`` is 0..255 and ``qint8`` is −128..127 (no ``reduce_range``); the scale is at least float32's machine
epsilon. PyTorch computes in float32 and rounds half to even (``torch.round``, ``nearbyint``); so does this
module, so that its integers agree with ``torch.quantize_per_tensor`` bit for bit. Golden values from
``MinMaxObserver`` and ``torch.quantize_per_tensor`` are in ``tests/golden/quant.json``.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

import numpy as np

from cvquiz.engine._checks import as_int, finite_float
from cvquiz.engine.errors import N_, EngineError

__all__ = ["QUANT_RANGES", "QParams", "dequantize", "qparams", "quantize"]

QuantDtype = Literal["quint8", "qint8"]

QUANT_RANGES: Final[dict[str, tuple[int, int]]] = {"quint8": (0, 255), "qint8": (-128, 127)}
"""(q_min, q_max) of each 8-bit dtype."""

_EPS = float(np.finfo(np.float32).eps)


class QParams(NamedTuple):
    """A scale and zero point.

    Attributes:
        scale: s, a float32 value.
        zero_point: z, an integer in [q_min, q_max].
    """

    scale: float
    zero_point: int


def _range(dtype: str) -> tuple[int, int]:
    if dtype not in QUANT_RANGES:
        raise EngineError(N_("dtype must be 'quint8' or 'qint8', got {dtype!r}"), dtype=dtype)
    return QUANT_RANGES[dtype]


def qparams(
    min_val: float, max_val: float, dtype: QuantDtype = "quint8", symmetric: bool = False
) -> QParams:
    """The scale and zero point ``MinMaxObserver`` derives from an observed range.

    Args:
        min_val: the smallest value observed.
        max_val: the largest value observed.
        dtype: "quint8" or "qint8".
        symmetric: ``torch.per_tensor_symmetric`` instead of ``per_tensor_affine``.

    Returns:
        The `QParams`.

    Raises:
        EngineError: non-finite values, min_val > max_val, or an unknown dtype.
    """
    low, high = finite_float(min_val, "min_val"), finite_float(max_val, "max_val")
    if low > high:
        raise EngineError(N_("min_val {low} must be <= max_val {high}"), low=low, high=high)
    q_min, q_max = _range(dtype)
    f32 = np.float32
    min_neg = min(f32(low), f32(0.0))
    max_pos = max(f32(high), f32(0.0))
    if symmetric:
        max_pos = max(-min_neg, max_pos)
        scale = max(f32(max_pos / f32((q_max - q_min) / 2)), f32(_EPS))
        zero = 128 if dtype == "quint8" else 0
        return QParams(float(scale), zero)
    scale = max(f32((max_pos - min_neg) / f32(q_max - q_min)), f32(_EPS))
    zero = q_min - int(np.rint(f32(min_neg / scale)))
    return QParams(float(scale), int(min(max(zero, q_min), q_max)))


def quantize(x: float, scale: float, zero_point: int, dtype: QuantDtype = "quint8") -> int:
    """The stored integer of x: ``clamp(round(x/s) + z, q_min, q_max)``, as ``torch.quantize_per_tensor``.

    As PyTorch, x/s is computed as x·(1/s) in float32 and rounded half to even.

    Raises:
        EngineError: a non-positive scale, non-finite x, or a zero point outside the dtype's range.
    """
    q_min, q_max = _range(dtype)
    value = finite_float(x, "x")
    s = finite_float(scale, "scale")
    if s <= 0:
        raise EngineError(N_("scale must be positive, got {s}"), s=s)
    z = as_int(zero_point, "zero_point")
    if not q_min <= z <= q_max:
        raise EngineError(
            N_("zero_point {z} is outside {dtype}'s range {q_min}..{q_max}"),
            z=z,
            dtype=dtype,
            q_min=q_min,
            q_max=q_max,
        )
    f32 = np.float32
    # PyTorch (fbgemm) multiplies by a float32 1/s rather than dividing by s; the two can round apart.
    inverse = f32(1.0) / f32(s)
    q = z + int(np.rint(f32(f32(value) * inverse)))
    return min(max(q, q_min), q_max)


def dequantize(q: int, scale: float, zero_point: int) -> float:
    """The real value an integer stands for: ``(q − z)·s`` (float32, as ``Tensor.dequantize``).

    Raises:
        EngineError: non-integer q or zero point, or a non-finite scale.
    """
    s = finite_float(scale, "scale")
    return float(np.float32(as_int(q, "q") - as_int(zero_point, "zero_point")) * np.float32(s))
