"""A constant-velocity Kalman step against an independent NumPy/SciPy implementation (golden file)."""

from __future__ import annotations

from typing import Any

import pytest
from _engine_golden import Case, check_cases, close, golden_cases

from cvquiz.engine import EngineError, kalman_cv_step

KEYS = ("x_pred", "P_pred", "innovation", "S", "K", "x", "P")


def _step(case: Case) -> dict[str, Any]:
    result = kalman_cv_step(**case["kwargs"])
    return {key: getattr(result, key) for key in KEYS}


def test_matches_the_reference() -> None:
    check_cases(
        golden_cases("kalman.json", "kalman_cv_step"),
        _step,
        lambda a, e: all(close(a[k], e[k]) for k in KEYS),
    )


def test_by_hand() -> None:
    # P = I, dt = 1, no process noise: P⁻ = [[2, 1], [1, 1]], S = 2 + 2 = 4, K = (0.5, 0.25)
    step = kalman_cv_step([0.0, 1.0], [[1, 0], [0, 1]], 3.0, 1.0, [[0, 0], [0, 0]], 2.0)
    assert step.x_pred.tolist() == [1.0, 1.0] and step.S == 4.0
    assert step.K.tolist() == [0.5, 0.25] and step.x.tolist() == [2.0, 1.5]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kalman_cv_step([0.0], [[1, 0], [0, 1]], 1.0, 1.0, [[0, 0], [0, 0]], 1.0), "pair"),
        (
            lambda: kalman_cv_step([0.0, 0.0], [[1, 1], [0, 1]], 1.0, 1.0, [[0, 0], [0, 0]], 1.0),
            "symmetric",
        ),
        (
            lambda: kalman_cv_step([0.0, 0.0], [[1, 0], [0, 1]], 1.0, 1.0, [[0, 0], [0, 0]], -1.0),
            "R",
        ),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
