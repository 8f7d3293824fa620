"""The data format between the judge and the child process that runs a submission: JSON, never pickle.

Values cross the process boundary in both directions as JSON with a few tagged forms: arrays as their dtype,
shape and raw bytes (base64), tuples and lists apart, and anything else the submission returns as its type name
and a short repr. The parent decodes what the child sends with `decode`, which checks every array's dtype and
size and builds nothing but plain Python data and NumPy arrays, so a submission can never make the parent run
code (unpickling would).

This module imports only the standard library and NumPy: the child imports it before anything else.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

import numpy as np

MAX_DEPTH = 16
"""Deeper nesting is sent as its repr."""
MAX_ITEMS = 100_000
"""Longer lists, tuples and dicts are sent as their repr."""
MAX_ARRAY_BYTES = 16 * 1024 * 1024
"""Larger arrays are sent as their description."""
MAX_TEXT = 2_000
"""Strings and reprs are cut to this many characters."""

_DTYPE = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16))\Z")


class WireError(ValueError):
    """Data from the other process that is not in the wire format."""


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """Return ``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def _safe_repr(value: Any) -> str:
    try:
        return cut(repr(value))
    except Exception as exc:  # a submission's own __repr__ may raise anything
        return f"<{type(value).__name__} whose repr raised {type(exc).__name__}>"


def _other(value: Any, why: str | None = None) -> dict[str, Any]:
    data = {"type": type(value).__name__, "repr": _safe_repr(value)}
    if why:
        data["why"] = why
    return {"other": data}


def encode(value: Any, depth: int = 0) -> Any:
    """Turn a value into JSON-ready data (see the module docstring); never raises on a strange value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and type(value) is int:
        return value if abs(value) < 2**63 else {"bigint": str(value)}
    if isinstance(value, float) and type(value) is float:
        return _float(value)
    if isinstance(value, str) and type(value) is str:
        return {"str": cut(value)}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, np.generic):
        if value.dtype.kind in "biufc":
            return {"np": _array(np.asarray(value))["nd"]}
        return _other(value)
    if depth >= MAX_DEPTH:
        return _other(value, "nested too deeply")
    if type(value) in (list, tuple):
        if len(value) > MAX_ITEMS:
            return _other(value, "too long")
        tag = "list" if type(value) is list else "tuple"
        return {tag: [encode(item, depth + 1) for item in value]}
    if type(value) is dict:
        if len(value) > MAX_ITEMS:
            return _other(value, "too long")
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return _other(value)


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _array(value: np.ndarray[Any, Any]) -> dict[str, Any]:
    if value.dtype.kind not in "biufc" or not _DTYPE.match(value.dtype.str):
        return _other(value)
    if value.nbytes > MAX_ARRAY_BYTES:
        return _other(value, "too large")
    data = np.ascontiguousarray(value).tobytes()
    return {
        "nd": {
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "data": base64.b64encode(data).decode("ascii"),
        }
    }


class Opaque:
    """A value the other process could not send as data: its type name and repr."""

    __slots__ = ("repr", "type_name", "why")

    def __init__(self, type_name: str, text: str, why: str | None = None) -> None:
        self.type_name = type_name
        self.repr = text
        self.why = why

    def __repr__(self) -> str:
        return self.repr


def decode(data: Any, depth: int = 0) -> Any:
    """Rebuild a value from `encode`'s data, checking everything; raises `WireError` on anything else."""
    if depth > MAX_DEPTH + 1:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, bool | int | float):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError(f"unexpected {type(data).__name__}")
    ((tag, body),) = data.items()
    if tag == "str" and isinstance(body, str):
        return body
    if tag == "bigint" and isinstance(body, str) and re.fullmatch(r"-?\d{1,4000}", body):
        return int(body)
    if tag == "float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag in ("list", "tuple") and isinstance(body, list):
        items = [decode(item, depth + 1) for item in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(body, list):
        out = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("bad dict item")
            key = decode(pair[0], depth + 1)
            try:
                out[key] = decode(pair[1], depth + 1)
            except TypeError:
                raise WireError("unhashable dict key") from None
        return out
    if tag == "nd":
        return _decode_array(body)
    if tag == "np":
        return _decode_array(body)[()]
    if tag == "other" and isinstance(body, dict):
        return Opaque(str(body.get("type", "?")), cut(str(body.get("repr", ""))), body.get("why"))
    raise WireError(f"unknown tag {tag!r}")


def _decode_array(body: Any) -> np.ndarray[Any, Any]:
    if not isinstance(body, dict):
        raise WireError("bad array")
    dtype_text, shape, text = body.get("dtype"), body.get("shape"), body.get("data")
    if not isinstance(dtype_text, str) or not _DTYPE.match(dtype_text):
        raise WireError(f"array dtype {dtype_text!r} is not allowed")
    if (
        not isinstance(shape, list)
        or len(shape) > 32
        or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31 for n in shape)
    ):
        raise WireError("bad array shape")
    if not isinstance(text, str):
        raise WireError("bad array data")
    dtype = np.dtype(dtype_text)
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw) or len(raw) > MAX_ARRAY_BYTES:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
