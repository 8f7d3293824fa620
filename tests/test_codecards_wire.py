"""The format between the judge and its child: values survive the trip, and nothing else can come back."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, scalar_dtypes

from cvquiz.codecards.wire import Opaque, WireError, decode, encode


def trip(value: Any) -> Any:
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


@given(
    arrays(
        scalar_dtypes().filter(lambda d: d.kind in "biufc"),
        array_shapes(min_dims=0, max_dims=4, min_side=0),
    )
)
def test_arrays_survive_with_their_dtype_and_shape(array: np.ndarray[Any, Any]) -> None:
    back = trip(array)
    assert isinstance(back, np.ndarray)
    assert back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array, equal_nan=array.dtype.kind in "fc")


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner),
    max_leaves=20,
)


@given(plain)
def test_plain_values_survive(value: Any) -> None:
    back = trip(value)

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        if isinstance(a, list | tuple):
            return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
        return type(a) is type(b) and a == b

    assert same(value, back)


def test_anything_else_comes_back_as_its_type_and_repr() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "<a thing>"

    for value in (Thing(), np.array([object()]), {1, 2}, b"bytes"):
        back = trip(value)
        assert isinstance(back, Opaque)
    assert trip(Thing()).repr == "<a thing>" and trip(Thing()).type_name == "Thing"


def test_a_repr_that_raises_is_reported_not_raised() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "repr raised RuntimeError" in trip(Broken()).repr


@pytest.mark.parametrize(
    "data",
    [
        {"nd": {"dtype": "|O", "shape": [1], "data": ""}},
        {"nd": {"dtype": "<f8", "shape": [3], "data": "AAAA"}},
        {"nd": {"dtype": "<f8", "shape": [-1], "data": ""}},
        {"pickle": "gASV"},
        {"list": [{"nd": {"dtype": "V8", "shape": [1], "data": "AAAAAAAAAAA="}}]},
        ["a", "bare", "list"],
        {"str": 5},
    ],
)
def test_what_is_not_wire_data_is_refused(data: Any) -> None:
    with pytest.raises(WireError):
        decode(data)
