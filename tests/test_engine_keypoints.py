"""Object keypoint similarity against pycocotools' COCOeval (golden file)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from _engine_golden import check_cases, close, golden_cases

from cvquiz.engine import COCO_KEYPOINT_SIGMAS, EngineError, oks


def test_matches_pycocotools() -> None:
    check_cases(golden_cases("keypoints.json", "oks"), lambda c: oks(**c["kwargs"]), close)


def test_by_hand() -> None:
    gt = [[10.0, 10.0, 2], [20.0, 20.0, 0]]
    dt = [[13.0, 14.0], [90.0, 90.0]]  # the unlabelled keypoint does not count
    expected = math.exp(-25 / (2 * 100 * (2 * 0.1) ** 2))
    assert math.isclose(oks(gt, dt, 100.0, [0.1, 0.1]), expected, rel_tol=1e-12)
    assert len(COCO_KEYPOINT_SIGMAS) == 17


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: oks([[1.0, 1.0, 2]], [[1.0, 1.0], [2.0, 2.0]], 10.0, [0.1]), "keypoints"),
        (lambda: oks([[1.0, 1.0, 2]], [[1.0, 1.0]], 10.0, [0.1, 0.2]), "sigmas"),
        (lambda: oks([[1.0, 1.0, 0]], [[1.0, 1.0]], 10.0, [0.1]), "gt_bbox"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
