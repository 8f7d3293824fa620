"""Bilinear resizing and sampling against F.interpolate and F.grid_sample (golden file)."""

from __future__ import annotations

import numpy as np
import pytest
from _engine_golden import check_cases, close, golden_cases
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.engine import EngineError, grid_sample_bilinear, resize_bilinear, source_index


def test_resize_matches_pytorch() -> None:
    check_cases(
        golden_cases("interpolate.json", "resize_bilinear"),
        lambda c: resize_bilinear(**{**c["kwargs"], "size": tuple(c["kwargs"]["size"])}),
        close,
    )


def test_grid_sample_matches_pytorch() -> None:
    check_cases(
        golden_cases("interpolate.json", "grid_sample_bilinear"),
        lambda c: grid_sample_bilinear(**c["kwargs"]),
        close,
    )


def test_source_index_by_hand() -> None:
    # 2 -> 4 pixels: align_corners=False samples at -0.25 (clamped to 0), 0.25, 0.75, 1.25
    assert [source_index(i, 2, 4, False).src for i in range(4)] == [0.0, 0.25, 0.75, 1.25]
    # align_corners=True: 0, 1/3, 2/3, 1
    assert np.allclose([source_index(i, 2, 4, True).src for i in range(4)], [0, 1 / 3, 2 / 3, 1])
    assert source_index(3, 2, 4, False)[1:] == (1, 1, 0.25)  # the last pixel has no upper neighbour


@given(
    st.lists(st.lists(st.integers(-5, 5), min_size=3, max_size=3), min_size=2, max_size=4),
    st.booleans(),
)
def test_resizing_to_the_same_size_changes_nothing(rows: list[list[int]], align: bool) -> None:
    image = np.asarray(rows, dtype=float)
    assert np.allclose(resize_bilinear(image, image.shape, align), image)  # type: ignore[arg-type]


def test_errors() -> None:
    with pytest.raises(EngineError, match="outside"):
        source_index(4, 2, 4, False)
    with pytest.raises(EngineError, match="image"):
        resize_bilinear([1.0, 2.0], (2, 2))
    with pytest.raises(EngineError, match="size"):
        resize_bilinear([[1.0]], (0, 2))
