"""Per-class IoU, Dice and mIoU against torchvision's segmentation reference code (golden file)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, close, golden_cases

from cvquiz.engine import EngineError, segmentation_confusion, segmentation_scores


def call(case: Case) -> Any:
    kw = case["kwargs"]
    confusion = segmentation_confusion(
        kw["target"], kw["prediction"], kw["num_classes"], kw["ignore_index"]
    )
    return segmentation_scores(confusion)


def _nan(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def matches(actual: Any, expected: dict[str, Any]) -> bool:
    scalars = ("miou", "mdice", "pixel_accuracy")
    return (
        actual.confusion.tolist() == expected["confusion"]
        and close(actual.iou, _nan(expected["iou"]))
        and close(actual.dice, _nan(expected["dice"]))
        and all(close(getattr(actual, k), _nan([expected[k]])[0]) for k in scalars)
    )


def test_matches_the_torchvision_reference() -> None:
    check_cases(golden_cases("segmentation.json", "segmentation_scores"), call, matches)


def test_a_class_in_neither_map_is_left_out_of_the_mean() -> None:
    scores = segmentation_scores([[2, 1, 0], [1, 2, 0], [0, 0, 0]])
    assert math.isnan(scores.iou[2]) and math.isnan(scores.dice[2])
    assert math.isclose(scores.miou, (2 / 4 + 2 / 4) / 2)
    # Dice = 2·IoU / (1 + IoU) for every class
    assert np.allclose(scores.dice[:2], 2 * scores.iou[:2] / (1 + scores.iou[:2]))


@pytest.mark.parametrize(
    ("call_", "message"),
    [
        (lambda: segmentation_confusion([[0, 1]], [[0]], 2), "differ in shape"),
        (lambda: segmentation_confusion([[0, 3]], [[0, 1]], 2), "outside"),
        (lambda: segmentation_scores([[1, 2]]), "square"),
        (lambda: segmentation_scores([[1, -2], [0, 1]]), "negative"),
    ],
)
def test_errors_say_what_is_wrong(call_: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call_()
