"""Comparing what a submission returned with what the reference engine computed, in words a person can use.

`compare` checks the kind of value first (an ndarray, a number, a list of indices, a tuple of arrays), then the
dtype kind and the shape, then the values with the card's tolerance (``|got − expected| ≤ abs + rel·|expected|``,
NaN matching NaN, integers exactly), and returns a `Mismatch` whose one-line message names the difference:
"returned a list of 2 items, expected an ndarray of shape (2, 3)", "3 of 12 values differ beyond the tolerance;
the first at [0, 1]: got 0.5, expected 0.25".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from cvquiz.codecards.references import Output, OutputKind
from cvquiz.codecards.wire import Opaque
from cvquiz.i18n import N_, _

__all__ = [
    "FAILURE_LABELS",
    "FailureKind",
    "Mismatch",
    "compare",
    "describe",
    "format_number",
    "shape_text",
]


class FailureKind(StrEnum):
    """Why a case failed (stored with each attempt; ``cvquiz stats`` counts them)."""

    TYPE = "type"
    """Not the kind of value expected (a list for an ndarray, floats for indices)."""
    SHAPE = "shape"
    """An array of the wrong shape, or a tuple of the wrong length."""
    TOLERANCE = "tolerance"
    """The right shape, wrong values (beyond the tolerance, or not equal where exact)."""
    MUTATION = "mutation"
    """An argument changed in place, or a result that is a view of an argument where a new array is asked for."""
    EXCEPTION = "exception"
    """The code raised an exception."""
    EXIT = "exit"
    """The code called ``sys.exit``."""
    TIMEOUT = "timeout"
    """The code ran past the time limit."""
    MEMORY = "memory"
    """The code ran out of memory (past the limit)."""
    CRASH = "crash"
    """The process died (a segfault, ``os._exit``)."""
    SYNTAX = "syntax"
    """The file is not valid Python."""
    MISSING = "missing"
    """The file defines no function of the card's name."""
    SIGNATURE = "signature"
    """The function cannot take the card's arguments."""


FAILURE_LABELS: dict[str, str] = {
    FailureKind.TYPE.value: N_("wrong type"),
    FailureKind.SHAPE.value: N_("wrong shape"),
    FailureKind.TOLERANCE.value: N_("values beyond the tolerance"),
    FailureKind.MUTATION.value: N_("changed an argument"),
    FailureKind.EXCEPTION.value: N_("exception"),
    FailureKind.EXIT.value: N_("sys.exit"),
    FailureKind.TIMEOUT.value: N_("timeout"),
    FailureKind.MEMORY.value: N_("out of memory"),
    FailureKind.CRASH.value: N_("crash"),
    FailureKind.SYNTAX.value: N_("syntax error"),
    FailureKind.MISSING.value: N_("function missing"),
    FailureKind.SIGNATURE.value: N_("wrong signature"),
}
"""What each failure kind means, in a few words (untranslated: pass each through ``_()``)."""


@dataclass(frozen=True)
class Mismatch:
    """How a result differs from the expected one.

    Attributes:
        kind: type, shape or tolerance.
        message: one line naming the difference.
    """

    kind: FailureKind
    message: str


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as Python writes it: ``(2, 3)``, ``(4,)``, ``()``."""
    return str(tuple(int(n) for n in shape))


def format_number(value: Any) -> str:
    """A number in at most 6 significant digits (``nan``, ``inf`` as such)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


_DTYPE_WORDS = {
    "b": "booleans",
    "i": "integers",
    "u": "integers",
    "f": "floats",
    "c": "complex numbers",
}


def _kind_word(kind: str) -> str:
    words = {
        "booleans": _("booleans"),
        "integers": _("integers"),
        "floats": _("floats"),
        "complex numbers": _("complex numbers"),
    }
    return words.get(_DTYPE_WORDS.get(kind, ""), kind)


def describe(value: Any) -> str:
    """What a returned value is, in a few words: "a list of 2 items", "an ndarray of shape (2, 3)"."""
    if isinstance(value, np.ndarray):
        return _("an ndarray of shape {shape} and dtype {dtype}").format(
            shape=shape_text(value.shape), dtype=value.dtype
        )
    if value is None:
        return _("None")
    if isinstance(value, bool):
        return _("a bool ({value})").format(value=value)
    if isinstance(value, int):
        return _("an int ({value})").format(value=value)
    if isinstance(value, float):
        return _("a float ({value})").format(value=format_number(value))
    if isinstance(value, np.generic):
        return _("a NumPy {dtype} scalar ({value})").format(
            dtype=value.dtype, value=format_number(value)
        )
    if isinstance(value, list):
        return _("a list of {count} items").format(count=len(value))
    if isinstance(value, tuple):
        return _("a tuple of {count} items").format(count=len(value))
    if isinstance(value, str):
        return _("a str")
    if isinstance(value, dict):
        return _("a dict")
    type_name = value.type_name if isinstance(value, Opaque) else type(value).__name__
    return _("an object of type {type}").format(type=type_name)


def _index_text(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _close(
    got: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], rel: float, absolute: float
) -> Any:
    with np.errstate(invalid="ignore", over="ignore"):
        both_nan = np.isnan(got) & np.isnan(expected)
        same_inf = np.isinf(got) & np.isinf(expected) & (np.sign(got) == np.sign(expected))
        within = np.abs(got - expected) <= absolute + rel * np.abs(expected)
    return both_nan | same_inf | np.nan_to_num(within, nan=False)


def _values(
    got: np.ndarray[Any, Any], expected: np.ndarray[Any, Any], rel: float, absolute: float
) -> Mismatch | None:
    if expected.dtype.kind in "iub":
        ok = got == expected
    else:
        ok = _close(got.astype(np.float64), expected.astype(np.float64), rel, absolute)
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return None
    bad = np.argwhere(~ok)
    first = tuple(int(i) for i in bad[0])
    got_value, expected_value = got[first], expected[first]
    if expected.ndim == 0:
        message = _("got {got}, expected {expected}").format(
            got=format_number(got_value), expected=format_number(expected_value)
        )
    else:
        message = _(
            "{count} of {total} values differ; the first at {index}: got {got}, expected {expected}"
        ).format(
            count=len(bad),
            total=expected.size,
            index=_index_text(first),
            got=format_number(got_value),
            expected=format_number(expected_value),
        )
    return Mismatch(FailureKind.TOLERANCE, message)


def _array(
    got: Any, expected: np.ndarray[Any, Any], rel: float, absolute: float
) -> Mismatch | None:
    wanted = _("an ndarray of shape {shape}").format(shape=shape_text(expected.shape))
    if not isinstance(got, np.ndarray):
        return Mismatch(
            FailureKind.TYPE,
            _("returned {got}, expected {expected}").format(got=describe(got), expected=wanted),
        )
    want_kind = "f" if expected.dtype.kind in "fc" else "i"
    got_kind = {"u": "i", "c": "f"}.get(got.dtype.kind, got.dtype.kind)
    if got_kind != want_kind:
        return Mismatch(
            FailureKind.TYPE,
            _("returned an ndarray of {got} ({dtype}), expected {expected}").format(
                got=_kind_word(got.dtype.kind), dtype=got.dtype, expected=_kind_word(want_kind)
            ),
        )
    if got.shape != expected.shape:
        return Mismatch(
            FailureKind.SHAPE,
            _("returned an ndarray of shape {got}, expected shape {expected}").format(
                got=shape_text(got.shape), expected=shape_text(expected.shape)
            ),
        )
    if got.dtype.kind == "c":
        return Mismatch(
            FailureKind.TYPE,
            _("returned complex numbers ({dtype}), expected real ones").format(dtype=got.dtype),
        )
    return _values(got, expected, rel, absolute)


def _number(got: Any, expected: float, rel: float, absolute: float) -> Mismatch | None:
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, bool | np.bool_) or not isinstance(
        got, int | float | np.integer | np.floating
    ):
        return Mismatch(
            FailureKind.TYPE,
            _("returned {got}, expected a number").format(got=describe(got)),
        )
    return _values(np.asarray(float(got)), np.asarray(float(expected)), rel, absolute)


def _indices(got: Any, expected: list[int]) -> Mismatch | None:
    wanted = _("a list of integer indices")
    if isinstance(got, np.ndarray):
        if got.ndim != 1 or (got.size and got.dtype.kind not in "iu"):
            return Mismatch(
                FailureKind.TYPE,
                _("returned {got}, expected {expected}").format(got=describe(got), expected=wanted),
            )
        items = [int(i) for i in got]
    elif isinstance(got, list | tuple):
        bad = [i for i in got if isinstance(i, bool) or not isinstance(i, int | np.integer)]
        if bad:
            return Mismatch(
                FailureKind.TYPE,
                _("returned a list holding {item}, expected integer indices").format(
                    item=describe(bad[0])
                ),
            )
        items = [int(i) for i in got]
    else:
        return Mismatch(
            FailureKind.TYPE,
            _("returned {got}, expected {expected}").format(got=describe(got), expected=wanted),
        )
    if items == list(expected):
        return None
    position = next(
        (i for i, (a, b) in enumerate(zip(items, expected, strict=False)) if a != b),
        min(len(items), len(expected)),
    )
    return Mismatch(
        FailureKind.TOLERANCE,
        _("returned {got}, expected {expected}; they first differ at position {position}").format(
            got=items, expected=list(expected), position=position
        ),
    )


def compare(
    got: Any, expected: Any, output: Output, rel: float, absolute: float
) -> Mismatch | None:
    """Compare a submission's result with the reference's.

    Args:
        got: what the submission returned (decoded from the child).
        expected: what the reference returned.
        output: what kind of value is expected.
        rel: relative tolerance for floats.
        absolute: absolute tolerance for floats.

    Returns:
        None when they agree, else the first difference.
    """
    if output.kind is OutputKind.NUMBER:
        return _number(got, float(expected), rel, absolute)
    if output.kind is OutputKind.INDICES:
        return _indices(got, [int(i) for i in expected])
    if output.kind is OutputKind.ARRAYS:
        names = output.names
        if not isinstance(got, tuple | list) or len(got) != len(names):
            wanted = _("a tuple of {count} arrays ({names})").format(
                count=len(names), names=", ".join(names)
            )
            kind = FailureKind.SHAPE if isinstance(got, tuple | list) else FailureKind.TYPE
            return Mismatch(
                kind,
                _("returned {got}, expected {expected}").format(got=describe(got), expected=wanted),
            )
        for name, item, want in zip(names, got, expected, strict=True):
            mismatch = _array(item, np.asarray(want), rel, absolute)
            if mismatch is not None:
                return Mismatch(mismatch.kind, f"{name}: {mismatch.message}")
        return None
    return _array(got, np.asarray(expected), rel, absolute)
