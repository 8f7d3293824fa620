"""Argument checks shared by the engine modules.

Every public engine function validates its arguments with these helpers so that a wrong argument becomes an
`EngineError` naming the argument, never a NumPy traceback or a silently wrong number.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvquiz.engine.errors import N_, EngineError

IntPair: TypeAlias = int | tuple[int, int]
"""An int used for both spatial dimensions, or a (height, width) pair."""

FloatArray: TypeAlias = NDArray[np.float64]

Reduction: TypeAlias = Literal["mean", "sum", "none"]

_REDUCTIONS = ("mean", "sum", "none")


def as_int(value: object, name: str) -> int:
    """Return `value` as a Python int, refusing bools, floats and strings."""
    if isinstance(value, bool | np.bool_):
        raise EngineError(N_("{name} must be an integer, got {value!r}"), name=name, value=value)
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise EngineError(
            N_("{name} must be an integer, got {value!r}"), name=name, value=value
        ) from None


def positive_int(value: object, name: str) -> int:
    """Return `value` as an int >= 1."""
    number = as_int(value, name)
    if number < 1:
        raise EngineError(
            N_("{name} must be a positive integer, got {number}"), name=name, number=number
        )
    return number


def non_negative_int(value: object, name: str) -> int:
    """Return `value` as an int >= 0."""
    number = as_int(value, name)
    if number < 0:
        raise EngineError(
            N_("{name} must be a non-negative integer, got {number}"), name=name, number=number
        )
    return number


def pair(value: object, name: str) -> tuple[int, int]:
    """Return an int-or-pair argument as a (height, width) pair of ints."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if len(value) != 2:
            raise EngineError(
                N_("{name} must be an integer or a (height, width) pair, got {value!r}"),
                name=name,
                value=tuple(value),
            )
        return as_int(value[0], name), as_int(value[1], name)
    number = as_int(value, name)
    return number, number


def positive_pair(value: object, name: str) -> tuple[int, int]:
    """Return an int-or-pair argument whose entries are all >= 1."""
    result = pair(value, name)
    if min(result) < 1:
        raise EngineError(
            N_("{name} must be positive, got {value}"), name=name, value=_show_pair(result)
        )
    return result


def non_negative_pair(value: object, name: str) -> tuple[int, int]:
    """Return an int-or-pair argument whose entries are all >= 0."""
    result = pair(value, name)
    if min(result) < 0:
        raise EngineError(
            N_("{name} must be non-negative, got {value}"), name=name, value=_show_pair(result)
        )
    return result


def _show_pair(value: tuple[int, int]) -> str:
    return str(value[0]) if value[0] == value[1] else str(value)


def finite_float(value: object, name: str) -> float:
    """Return `value` as a finite Python float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise EngineError(N_("{name} must be a number, got {value!r}"), name=name, value=value)
    number = float(value)
    if not math.isfinite(number):
        raise EngineError(N_("{name} must be finite, got {number}"), name=name, number=number)
    return number


def float_array(value: ArrayLike, name: str) -> FloatArray:
    """Return `value` as a float64 array, refusing strings, objects and complex numbers."""
    try:
        array = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise EngineError(
            N_("{name} must be a rectangular array of numbers: {exc}"), name=name, exc=exc
        ) from None
    if array.dtype.kind not in "biuf":
        raise EngineError(
            N_("{name} must hold real numbers, got dtype {dtype}"), name=name, dtype=array.dtype
        )
    return array.astype(np.float64)


def check_reduction(reduction: object) -> Reduction:
    """Return `reduction` if it is one of "mean", "sum", "none"."""
    if reduction not in _REDUCTIONS:
        raise EngineError(
            N_("reduction must be one of 'mean', 'sum', 'none', got {reduction!r}"),
            reduction=reduction,
        )
    return reduction  # type: ignore[return-value]


def reduce(values: FloatArray, reduction: Reduction) -> float | FloatArray:
    """Apply a PyTorch-style reduction; "mean" of nothing is NaN, as in torch."""
    if reduction == "none":
        return values
    if reduction == "sum":
        return float(values.sum())
    if values.size == 0:
        return math.nan
    return float(values.mean())


def same_shape(a: NDArray[Any], b: NDArray[Any], name_a: str, name_b: str) -> None:
    """Raise unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise EngineError(
            N_(
                "{name_b} has shape {b_shape} but {name_a} has shape {a_shape}; they must be the same"
            ),
            name_b=name_b,
            b_shape=tuple(b.shape),
            name_a=name_a,
            a_shape=tuple(a.shape),
        )
