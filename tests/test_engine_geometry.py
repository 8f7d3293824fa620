"""Camera projection, homographies and RANSAC iterations against independent NumPy / mpmath code."""

from __future__ import annotations

import math
from typing import Any

import pytest
from _engine_golden import Case, check_cases, close, golden_cases
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.engine import (
    EngineError,
    camera_project,
    homography_apply,
    intrinsics,
    ransac_iterations,
)


def _project(case: Case) -> dict[str, Any]:
    result = camera_project(**case["kwargs"])
    return {"pixel": list(result.pixel), "depth": result.camera_point[2]}


def test_projection_matches_the_reference() -> None:
    check_cases(
        golden_cases("geometry.json", "camera_project"),
        _project,
        lambda a, e: close(a["pixel"], e["pixel"]) and close(a["depth"], e["depth"]),
    )


def test_homography_matches_the_reference() -> None:
    check_cases(
        golden_cases("geometry.json", "homography_apply"),
        lambda c: homography_apply(**c["kwargs"]),
        close,
    )


def test_ransac_iterations_match_the_definition() -> None:
    check_cases(
        golden_cases("geometry.json", "ransac_iterations"),
        lambda c: ransac_iterations(**c["kwargs"]),
        lambda a, e: a == e,
    )


def test_by_hand() -> None:
    K = intrinsics(800, 800, 320, 240)
    assert camera_project(K, [1.0, -0.5, 4.0]).pixel == (520.0, 140.0)
    assert homography_apply([[2, 0, 1], [0, 2, 0], [0, 0, 1]], [3.0, 4.0]) == (7.0, 8.0)
    # w = 0.5, s = 4, p = 0.99: log 0.01 / log(15/16) = 71.35 -> 72
    assert ransac_iterations(0.5, 4, 0.99) == 72
    assert ransac_iterations(0.5, 1, 0.75) == 2  # exactly 2, not 3 through rounding


@given(st.floats(0.05, 0.99), st.integers(1, 8), st.floats(0.5, 0.999))
def test_the_count_is_the_least_that_reaches_the_confidence(w: float, s: int, p: float) -> None:
    n = ransac_iterations(w, s, p)

    def success(k: int) -> float:  # 1 - (1 - w^s)^k, accurate when w^s is tiny
        return -math.expm1(k * math.log1p(-(w**s)))

    assert success(n) >= p * (1 - 1e-9)
    assert n == 1 or success(n - 1) < p * (1 + 1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: camera_project(intrinsics(1, 1, 0, 0), [0.0, 0.0, -1.0]), "in front"),
        (lambda: camera_project([[1, 0, 0], [0, 1, 0], [0, 1, 1]], [0.0, 0.0, 1.0]), "last row"),
        (lambda: homography_apply([[1, 0, 0], [0, 1, 0], [1, 0, 0]], [0.0, 5.0]), "infinity"),
        (lambda: ransac_iterations(0.0, 4, 0.99), "inlier_ratio"),
        (lambda: ransac_iterations(0.5, 4, 1.0), "confidence"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
