"""Small calculations that interview questions ask about: Python slicing, learning-rate scaling, receptive field.

`eval_slice` applies slice text such as "3::-1" with Python's own semantics without ever evaluating the text
as code. `receptive_field` is checked against PyTorch autograd (which input pixels reach an output) in
`tests/test_engine_misc.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple, TypeVar

from cvquiz.engine._checks import finite_float, positive_int
from cvquiz.engine.errors import N_, EngineError

T = TypeVar("T")

_INT = r"\s*([+-]?\d+)?\s*"
_SLICE = re.compile(rf"{_INT}:{_INT}(?::{_INT})?")
_INDEX = re.compile(r"\s*([+-]?\d+)\s*")


def parse_slice(slice_text: str) -> slice | int:
    """Parse subscript text into a `slice` or an int index, never evaluating it.

    Accepts what may stand between the brackets of `seq[...]` in Python when every part is an integer
    literal or empty: "3::-1", "::-2", "-3:", "1:4", ":", "-1". Surrounding brackets ("[::-1]") and spaces are
    allowed.

    Args:
        slice_text: the subscript text.

    Returns:
        A `slice` (missing parts are None) or an int.

    Raises:
        EngineError: text that is not an integer index or a start:stop:step slice of integers, or a step
            of 0.
    """
    if not isinstance(slice_text, str):
        raise EngineError(
            N_("slice text must be a string, got {slice_text!r}"), slice_text=slice_text
        )
    text = slice_text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    index = _INDEX.fullmatch(text)
    if index:
        return int(index.group(1))
    match = _SLICE.fullmatch(text)
    if not match:
        raise EngineError(
            N_("{slice_text!r} is not a slice like '3::-1', '::-2', '-3:' or an index like '-1'"),
            slice_text=slice_text,
        )
    start, stop, step = (None if part is None else int(part) for part in match.groups())
    if step == 0:
        raise EngineError(N_("slice step cannot be zero in {slice_text!r}"), slice_text=slice_text)
    return slice(start, stop, step)


def eval_slice(sequence: Sequence[T], slice_text: str) -> T | Sequence[T]:
    """Apply subscript text to a sequence with Python's semantics: `eval_slice("abcde", "3::-1") == "dcba"`.

    Args:
        sequence: a list, tuple, string or other sequence.
        slice_text: a slice ("3::-1", "::-2", "-3:") or an index ("-1"), as for `parse_slice`.

    Returns:
        The slice (of the sequence's own type for lists, tuples and strings) or the indexed element.

    Raises:
        EngineError: text `parse_slice` rejects, or an index out of range.
    """
    key = parse_slice(slice_text)
    if isinstance(key, slice):
        return sequence[key]
    if not -len(sequence) <= key < len(sequence):
        raise EngineError(
            N_("index {key} is out of range for a sequence of length {length}"),
            key=key,
            length=len(sequence),
        )
    return sequence[key]


def scale_lr(
    base_lr: float, base_batch: int, new_batch: int, rule: Literal["linear", "sqrt"] = "linear"
) -> float:
    """Learning rate for a new batch size: linear scaling (Goyal et al.) or square-root scaling.

    Args:
        base_lr: learning rate tuned for `base_batch`; positive.
        base_batch: the batch size it was tuned for.
        new_batch: the new batch size.
        rule: "linear" multiplies by new/base (same update per sample seen); "sqrt" by √(new/base)
            (same variance of the update).

    Returns:
        The scaled learning rate.

    Raises:
        EngineError: a non-positive learning rate or batch size, or an unknown rule.
    """
    lr = finite_float(base_lr, "base_lr")
    if lr <= 0:
        raise EngineError(N_("base_lr must be positive, got {lr}"), lr=lr)
    ratio = positive_int(new_batch, "new_batch") / positive_int(base_batch, "base_batch")
    if rule == "linear":
        return lr * ratio
    if rule == "sqrt":
        return lr * math.sqrt(ratio)
    raise EngineError(N_("rule must be 'linear' or 'sqrt', got {rule!r}"), rule=rule)


class ReceptiveField(NamedTuple):
    """Receptive field of a stack of layers.

    Attributes:
        size: how many input pixels (along one axis) one output pixel sees.
        stride: how many input pixels apart two neighbouring output pixels are (the product of the strides).
    """

    size: int
    stride: int


def _layer_int(value: object, position: int, name: str) -> int:
    try:
        return positive_int(value, name)
    except EngineError as error:
        raise EngineError(
            N_("layer {position}: {problem}"), position=position, problem=error
        ) from None


def receptive_field(
    layers: Iterable[tuple[int, int, int] | tuple[int, int]],
) -> ReceptiveField:
    """Receptive field and effective stride of a stack of convolution or pooling layers along one axis.

    r ← r + d·(k − 1)·j and then j ← j·s for each layer (kernel k, stride s, dilation d), from r = j = 1.
    Padding does not change the size.

    Args:
        layers: (kernel, stride, dilation) for each layer, input first; (kernel, stride) means dilation 1.

    Returns:
        (size, stride); (1, 1) for no layers.

    Raises:
        EngineError: a layer that is not 2 or 3 positive integers.
    """
    size, jump = 1, 1
    for position, layer in enumerate(layers, start=1):
        if (
            isinstance(layer, str | bytes)
            or not isinstance(layer, Sequence)
            or len(layer) not in (2, 3)
        ):
            raise EngineError(
                N_(
                    "layer {position} must be (kernel, stride, dilation) or (kernel, stride), got {layer!r}"
                ),
                position=position,
                layer=layer,
            )
        kernel = _layer_int(layer[0], position, "kernel")
        stride = _layer_int(layer[1], position, "stride")
        dilation = _layer_int(layer[2], position, "dilation") if len(layer) == 3 else 1
        size += dilation * (kernel - 1) * jump
        jump *= stride
    return ReceptiveField(size, jump)
