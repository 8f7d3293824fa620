"""Slicing against Python itself, learning-rate scaling, and receptive fields against torch autograd."""

from __future__ import annotations

import math
from typing import Any

import pytest
from _engine_golden import check_cases, golden_cases
from hypothesis import assume, given
from hypothesis import strategies as st

from cvquiz.engine import (
    EngineError,
    ReceptiveField,
    eval_slice,
    parse_slice,
    receptive_field,
    scale_lr,
)


def test_receptive_field_matches_autograd() -> None:
    check_cases(
        golden_cases("misc.json", "receptive_field"),
        lambda case: receptive_field([tuple(layer) for layer in case["kwargs"]["layers"]]),
        lambda actual, expected: list(actual) == expected,
    )


def test_receptive_field_examples() -> None:
    assert receptive_field([]) == (1, 1)
    assert receptive_field([(3, 1, 1)] * 3) == ReceptiveField(
        size=7, stride=1
    )  # three 3×3 = one 7×7
    assert receptive_field([(7, 2), (3, 2)]) == (11, 4)  # ResNet stem: conv 7/2 then max-pool 3/2
    assert receptive_field([(3, 1, 2)]).size == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3::-1", "dcba"),
        ("::-1", "fedcba"),
        ("-1", "f"),
        ("::-2", "fdb"),
        ("-3:", "def"),
        ("[1:4]", "bcd"),
        (" 1 : 4 : 2 ", "bd"),
        (":", "abcdef"),
    ],
)
def test_slices_from_the_notes(text: str, expected: str) -> None:
    assert eval_slice("abcdef", text) == expected


def test_slices_keep_the_sequence_type() -> None:
    assert eval_slice([0, 1, 2, 3, 4], "3::-1") == [3, 2, 1, 0]
    assert eval_slice((0, 1, 2), "::-1") == (2, 1, 0)
    assert eval_slice([0, 1, 2], "-1") == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::0", "step cannot be zero"),
        ("1:2:3:4", "is not a slice"),
        ("__import__('os')", "is not a slice"),
        ("1.5", "is not a slice"),
        ("", "is not a slice"),
        ("9", "out of range"),
        ("-7", "out of range"),
    ],
)
def test_bad_slices(text: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        eval_slice("abcdef", text)


parts = st.none() | st.integers(-12, 12)


def render(part: int | None, spaces: bool) -> str:
    text = "" if part is None else str(part)
    return f" {text} " if spaces else text


@given(
    st.lists(st.integers(), max_size=10),
    parts,
    parts,
    parts,
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_every_slice_equals_python_slicing(
    items: list[int],
    start: Any,
    stop: Any,
    step: Any,
    spaces: bool,
    brackets: bool,
    two_parts: bool,
) -> None:
    assume(step != 0)
    if two_parts and step is None:
        text = f"{render(start, spaces)}:{render(stop, spaces)}"
    else:
        text = f"{render(start, spaces)}:{render(stop, spaces)}:{render(step, spaces)}"
    if brackets:
        text = f"[{text}]"
    assert parse_slice(text) == slice(start, stop, step)
    assert eval_slice(items, text) == items[start:stop:step]
    assert eval_slice(str(items), text) == str(items)[start:stop:step]


@given(st.lists(st.integers(), min_size=1, max_size=10), st.integers(-10, 9))
def test_every_index_equals_python_indexing(items: list[int], index: int) -> None:
    assume(-len(items) <= index < len(items))
    assert eval_slice(items, str(index)) == items[index]


def test_scale_lr() -> None:
    assert scale_lr(0.1, 256, 1024) == pytest.approx(0.4)
    assert scale_lr(0.1, 256, 1024, "sqrt") == pytest.approx(0.2)
    assert scale_lr(0.1, 256, 64) == pytest.approx(0.025)
    with pytest.raises(EngineError, match="rule"):
        scale_lr(0.1, 256, 1024, "cubic")  # type: ignore[arg-type]
    with pytest.raises(EngineError, match="new_batch"):
        scale_lr(0.1, 256, 0)


@given(st.floats(1e-6, 10.0), st.integers(1, 4096), st.integers(1, 4096))
def test_sqrt_rule_is_the_geometric_mean_of_linear_and_none(lr: float, base: int, new: int) -> None:
    assert scale_lr(lr, base, new, "sqrt") == pytest.approx(math.sqrt(scale_lr(lr, base, new) * lr))
