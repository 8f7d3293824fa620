"""NMS and anchor matching against torchvision (golden file), plus invariants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, golden_cases
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.engine import (
    EngineError,
    anchor_labels,
    box_iou_matrix,
    match_anchors,
    nms,
)


def equal(actual: Any, expected: Any) -> bool:
    return list(actual) == list(expected)


def test_nms_matches_torchvision() -> None:
    check_cases(
        golden_cases("proposals.json", "nms"),
        lambda c: nms(**c["kwargs"]),
        equal,
    )


def test_batched_nms_matches_torchvision() -> None:
    check_cases(
        golden_cases("proposals.json", "batched_nms"),
        lambda c: nms(**c["kwargs"]),
        equal,
    )


def test_matcher_matches_torchvision() -> None:
    check_cases(
        golden_cases("proposals.json", "match_anchors"),
        lambda c: match_anchors(**c["kwargs"]),
        equal,
    )


def _rpn_labels(case: Case) -> list[int]:
    kw = case["kwargs"]
    iou = box_iou_matrix(kw["gt_boxes"], kw["anchors"])
    matches = match_anchors(iou, kw["high_threshold"], kw["low_threshold"], True)
    return anchor_labels(matches)


def test_rpn_labels_match_torchvision() -> None:
    check_cases(golden_cases("proposals.json", "rpn_labels"), _rpn_labels, equal)


def test_an_iou_equal_to_the_threshold_does_not_suppress() -> None:
    assert nms([[0, 0, 4, 2], [0, 0, 2, 2]], [0.9, 0.8], 0.5) == [0, 1]
    assert nms([[0, 0, 4, 2], [0, 0, 2, 2]], [0.9, 0.8], 0.49) == [0]


def test_low_quality_matches_rescue_each_ground_truths_best_anchor() -> None:
    iou = [[0.2, 0.1, 0.8], [0.35, 0.25, 0.1]]
    assert match_anchors(iou, 0.7, 0.3, False) == [-2, -1, 0]
    # gt 1's best anchor is anchor 0 (0.35): it is matched to its own best ground truth, gt 1
    assert match_anchors(iou, 0.7, 0.3, True) == [1, -1, 0]
    assert anchor_labels([1, -1, 0, -2]) == [1, 0, 1, -1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nms([[0, 0, 1, 1]], [0.5, 0.4], 0.5), "one number per box"),
        (lambda: nms([[0, 0, 1, 1]], [0.5], float("nan")), "iou_threshold"),
        (lambda: match_anchors([[0.5]], 0.3, 0.7), "must be <= high_threshold"),
        (lambda: match_anchors(np.zeros((0, 3)), 0.7, 0.3), "ground-truth"),
        (lambda: anchor_labels([-3]), "ground-truth index"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()


boxes = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 10), st.integers(1, 10)).map(
        lambda b: [b[0], b[1], b[0] + b[2], b[1] + b[3]]
    ),
    min_size=1,
    max_size=8,
)


@given(boxes, st.floats(0.05, 0.95))
def test_kept_boxes_overlap_each_other_at_most_the_threshold(bs: list[list[int]], t: float) -> None:
    scores = list(np.linspace(1, 0.1, len(bs)))
    kept = nms(bs, scores, t)
    iou = box_iou_matrix(bs, bs)
    assert kept[0] == 0 and kept == sorted(kept)
    assert all(iou[i, j] <= t for i in kept for j in kept if i != j)
    # every dropped box overlaps a kept box of higher score by more than the threshold
    for j in set(range(len(bs))) - set(kept):
        assert any(iou[i, j] > t for i in kept if i < j)
