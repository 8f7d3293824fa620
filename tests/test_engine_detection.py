"""Tests for cvquiz.engine.detection.

Reference values come from tests/golden/detection_*.json, written by tests/golden/make_golden_detection.py
from pycocotools (COCOeval, mask.iou) and from a transcription of the Pascal VOC devkit; the tests do not
need pycocotools. Hypothesis checks the invariants: IoU symmetric and in [0, 1], AP in [0, 1], perfect
detections scoring 1, and a trailing false positive never raising AP.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz.engine.detection import (
    CocoMetrics,
    average_precision_from_pr,
    box_iou,
    box_iou_matrix,
    ciou,
    coco_map,
    confusion_matrix,
    diou,
    giou,
    mask_iou,
    precision_envelope,
    precision_recall_f1,
    voc_ap,
    voc_ap_details,
    voc_map,
)
from cvquiz.engine.errors import EngineError
from cvquiz.errors import CvquizError

GOLDEN = Path(__file__).parent / "golden"
REL = 1e-6
ABS = 1e-9


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


COCO_GOLDEN = _load("detection_coco.json")
VOC_GOLDEN = _load("detection_voc.json")
IOU_GOLDEN = _load("detection_iou.json")


def _close(got: float, expected: float | None) -> bool:
    if expected is None:
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=REL, abs_tol=ABS)


# --------------------------------------------------------------------------------------------------------------
# Golden values
# --------------------------------------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = 25) -> list[list[Any]]:
    # Golden problems are checked in batches: one test per problem would spend longer in fixtures than in
    # the engine. A failure names every problem that went wrong.
    return [items[i : i + size] for i in range(0, len(items), size)]


def _coco_mismatch(problem: dict[str, Any]) -> str | None:
    result = coco_map(problem["ground_truths"], problem["detections"])
    expected = {int(k): v for k, v in problem["per_class"].items()}
    if result.stats() != pytest.approx(problem["stats"], rel=REL, abs=ABS):
        return f"{problem['name']}: stats {result.stats()} != pycocotools {problem['stats']}"
    if result.per_class != pytest.approx(expected, rel=REL, abs=ABS):
        return f"{problem['name']}: per_class {result.per_class} != pycocotools {expected}"
    return None


@pytest.mark.parametrize("batch", _chunks(COCO_GOLDEN["problems"]), ids=lambda b: b[0]["name"])
def test_coco_map_matches_pycocotools(batch: list[dict[str, Any]]) -> None:
    mismatches = [m for m in map(_coco_mismatch, batch) if m]
    assert not mismatches, "\n".join(mismatches)


def test_coco_golden_covers_the_edge_cases() -> None:
    names = {p["name"] for p in COCO_GOLDEN["problems"]}
    assert {
        "empty detections",
        "crowd regions",
        "more than 100 detections per image",
        "touching boxes",
        "equal IoU with two ground truths",
    } <= names
    assert len(COCO_GOLDEN["problems"]) >= 200
    assert any(
        -1.0 in p["per_class"].values() and max(p["stats"]) > 0 for p in COCO_GOLDEN["problems"]
    )


def _voc_mismatches(problem: dict[str, Any]) -> list[str]:
    found = []
    for case in problem["results"]:
        got = voc_ap(
            problem["ground_truths"], problem["detections"], case["iou_threshold"], case["method"]
        )
        expected = {int(k): v for k, v in case["ap"].items()}
        if set(got) != set(expected) or not all(_close(got[k], v) for k, v in expected.items()):
            found.append(
                f"{problem['name']} @{case['iou_threshold']} {case['method']}: {got} != devkit {expected}"
            )
        for category, verdicts in case.get("verdicts", {}).items():
            details = voc_ap_details(problem["ground_truths"], problem["detections"], int(category))
            mine = ["fp" if d.outcome.startswith("fp") else d.outcome for d in details.detections]
            if mine != verdicts:
                found.append(f"{problem['name']} class {category}: {mine} != devkit {verdicts}")
    return found


@pytest.mark.parametrize("batch", _chunks(VOC_GOLDEN["problems"]), ids=lambda b: b[0]["name"])
def test_voc_ap_matches_devkit(batch: list[dict[str, Any]]) -> None:
    mismatches = [m for problem in batch for m in _voc_mismatches(problem)]
    assert not mismatches, "\n".join(mismatches)


def test_box_overlaps_match_references() -> None:
    for case in IOU_GOLDEN["box_pairs"]:
        a, b = case["a"], case["b"]
        assert box_iou(a, b) == pytest.approx(case["iou"], rel=REL, abs=ABS), (a, b)
        assert box_iou(b, a) == pytest.approx(case["iou"], rel=REL, abs=ABS), (a, b)
        assert giou(a, b) == pytest.approx(case["giou"], rel=REL, abs=ABS), (a, b)
        assert diou(a, b) == pytest.approx(case["diou"], rel=REL, abs=ABS), (a, b)
        assert ciou(a, b) == pytest.approx(case["ciou"], rel=REL, abs=ABS), (a, b)


def test_box_iou_matrix_matches_pycocotools() -> None:
    for case in IOU_GOLDEN["matrices"]:
        expected = np.array(case["iou"], dtype=np.float64).reshape(len(case["a"]), len(case["b"]))
        np.testing.assert_allclose(
            box_iou_matrix(case["a"], case["b"]), expected, rtol=REL, atol=ABS
        )


def test_mask_iou_matches_pycocotools() -> None:
    for case in IOU_GOLDEN["masks"]:
        got = mask_iou(np.array(case["a"], dtype=bool), np.array(case["b"], dtype=bool))
        assert got == pytest.approx(case["iou"], rel=REL, abs=ABS)


# --------------------------------------------------------------------------------------------------------------
# Worked details and small helpers
# --------------------------------------------------------------------------------------------------------------

GTS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]},
    {"image_id": 1, "category_id": 1, "bbox": [20, 0, 10, 10], "difficult": True},
    {"image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 10]},
]
DETS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},  # TP
    {"image_id": 1, "category_id": 1, "bbox": [1, 0, 10, 10], "score": 0.8},  # duplicate of gt 0
    {"image_id": 1, "category_id": 1, "bbox": [20, 0, 10, 10], "score": 0.7},  # difficult: ignored
    {"image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 4], "score": 0.6},  # IoU 0.4: low
    {"image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 9], "score": 0.5},  # TP
]


def test_voc_ap_details_worked_example() -> None:
    details = voc_ap_details(GTS, DETS, category_id=1)
    assert [d.outcome for d in details.detections] == [
        "tp",
        "fp_duplicate",
        "difficult",
        "fp_low_iou",
        "tp",
    ]
    assert [d.gt_index for d in details.detections] == [0, 0, 1, 2, 2]
    assert [(d.cum_tp, d.cum_fp) for d in details.detections] == [
        (1, 0),
        (1, 1),
        (1, 1),
        (1, 2),
        (2, 2),
    ]
    assert details.num_positives == 2 and details.num_difficult == 1
    assert [d.recall for d in details.detections] == [0.5, 0.5, 0.5, 0.5, 1.0]
    assert [d.precision for d in details.detections] == pytest.approx([1, 0.5, 0.5, 1 / 3, 0.5])
    assert [d.interpolated_precision for d in details.detections] == pytest.approx(
        [1, 0.5, 0.5, 0.5, 0.5]
    )
    assert details.detections[3].iou == pytest.approx(0.4)
    # AP = 0.5 * 1 + 0.5 * 0.5
    assert details.ap == pytest.approx(0.75)
    assert sum(p.weight * p.precision for p in details.points) == pytest.approx(details.ap)
    assert voc_ap(GTS, DETS) == {1: details.ap}


def test_voc_11_point_details() -> None:
    details = voc_ap_details(GTS, DETS, category_id=1, method="11-point")
    assert [p.recall for p in details.points] == pytest.approx([i / 10 for i in range(11)])
    assert [p.precision for p in details.points] == pytest.approx([1.0] * 6 + [0.5] * 5)
    assert details.ap == pytest.approx((6 + 2.5) / 11)
    assert voc_ap(GTS, DETS, method="11-point")[1] == details.ap


def test_voc_threshold_is_strict_and_coco_is_not() -> None:
    gts = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}]
    half = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5], "score": 1.0}]
    assert voc_ap(gts, half, iou_threshold=0.5) == {1: 0.0}
    assert voc_ap(gts, half, iou_threshold=0.49)[1] == 1.0
    # pycocotools' precision is tp / (tp + fp + spacing(1)), so a perfect score is 1 - 1e-16
    assert coco_map(gts, half).map_50 == pytest.approx(1.0)


def test_classes_without_ground_truth() -> None:
    gts = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}]
    dets = [
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
        {"image_id": 1, "category_id": 2, "bbox": [0, 0, 10, 10], "score": 0.9},
    ]
    aps = voc_ap(gts, dets)
    assert aps[1] == 1.0 and math.isnan(aps[2])
    assert voc_map(gts, dets) == 1.0
    assert math.isnan(voc_map([], dets))
    result = coco_map(gts, dets)
    assert result.per_class == pytest.approx({1: 1.0, 2: -1.0})
    assert result.map == pytest.approx(1.0)


def test_coco_empty_inputs_give_minus_one() -> None:
    result = coco_map([], [])
    assert result.stats() == (-1.0,) * 12
    assert result.per_class == {}


def test_coco_metrics_as_dict_is_json_ready() -> None:
    result = coco_map(GTS, DETS)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["map"] == result.map
    assert data["per_class"] == {"1": result.per_class[1]}
    assert isinstance(result, CocoMetrics)


def test_average_precision_from_pr_methods() -> None:
    recall, precision = [0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3]
    assert average_precision_from_pr(recall, precision) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert average_precision_from_pr(recall, precision, "11-point") == pytest.approx(
        (6 + 5 * 2 / 3) / 11
    )
    assert average_precision_from_pr([0.5, 1.0], [1.0, 0.5], "101-point") == pytest.approx(76 / 101)
    assert average_precision_from_pr([], []) == 0.0
    np.testing.assert_allclose(
        precision_envelope([0.2, 1.0, 0.5, 0.7, 0.1]), [1.0, 1.0, 0.7, 0.7, 0.1]
    )


def test_precision_recall_f1() -> None:
    result = precision_recall_f1(6, 2, 4)
    assert (result.precision, result.recall) == (0.75, 0.6)
    assert result.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    zero = precision_recall_f1(0, 0, 0)
    assert (zero.precision, zero.recall, zero.f1) == (0.0, 0.0, 0.0)


def test_confusion_matrix_layout() -> None:
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert matrix.dtype == np.int64


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=30))
def test_confusion_matrix_counts_every_sample(pairs: list[tuple[int, int]]) -> None:
    true = [t for t, _ in pairs]
    pred = [p for _, p in pairs]
    matrix = confusion_matrix(np.array(true, dtype=np.int64), np.array(pred, dtype=np.int64), 4)
    assert matrix.sum() == len(pairs)
    assert np.trace(matrix) == sum(t == p for t, p in pairs)
    np.testing.assert_array_equal(
        matrix.sum(axis=1), np.bincount(np.array(true, dtype=np.int64), minlength=4)
    )


# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: box_iou([0, 0, -1, 5], [0, 0, 1, 1]), "x2 >= x1"),
        (lambda: box_iou([0, 0, 1], [0, 0, 1, 1]), "four numbers"),
        (lambda: giou([0, 0, 0, 5], [0, 0, 1, 1]), "positive width"),
        (lambda: box_iou_matrix([[0, 0, 1]], [[0, 0, 1, 1]]), "(N, 4)"),
        (lambda: mask_iou(np.zeros((2, 2), bool), np.zeros((2, 3), bool)), "same shape"),
        (lambda: mask_iou(np.full((2, 2), 2), np.zeros((2, 2), bool)), "boolean mask"),
        (lambda: precision_recall_f1(-1, 0, 0), "tp must be a non-negative integer"),
        (lambda: confusion_matrix([0, 3], [0, 1], 3), "outside [0, 3)"),
        (lambda: confusion_matrix([0, 1], [0], 3), "differ in length"),
        (lambda: average_precision_from_pr([0.5], [1.0], "3-point"), "unknown AP method"),  # type: ignore[arg-type]
        (lambda: voc_ap(GTS, DETS, method="12-point"), "unknown VOC AP method"),  # type: ignore[arg-type]
        (lambda: voc_ap(GTS, DETS, iou_threshold=1.5), "iou_threshold"),
        (lambda: voc_ap({"image_id": 1}, DETS), "must be a list"),  # type: ignore[arg-type]
        (
            lambda: coco_map([{"image_id": 1, "category_id": 1, "bbox": [0, 0, -2, 3]}], []),
            "ground_truths[0]: bbox width",
        ),
        (
            lambda: coco_map([], [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 3]}]),
            "detections[0]: missing field 'score'",
        ),
        (
            lambda: coco_map([{"image_id": 1, "bbox": [0, 0, 2, 3]}], []),
            "missing field 'category_id'",
        ),
        (
            lambda: coco_map([{"image_id": "a", "category_id": 1, "bbox": [0, 0, 2, 3]}], []),
            "image_id must be an integer",
        ),
        (
            lambda: coco_map(
                [], [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 3], "score": math.nan}]
            ),
            "score must be a finite",
        ),
        (
            lambda: coco_map(
                [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2], "iscrowd": 0}], []
            ),
            "bbox must be [x, y, width, height]",
        ),
        (
            lambda: coco_map(
                [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "iscrowd": 2}], []
            ),
            "iscrowd must be",
        ),
        (
            lambda: coco_map(
                [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": -1}], []
            ),
            "area must be",
        ),
        (lambda: coco_map([3], []), "ground_truths[0] must be a mapping"),
        (lambda: voc_ap_details(GTS, DETS, category_id="1"), "category_id must be an integer"),  # type: ignore[arg-type]
    ],
)
def test_invalid_input_raises_engine_error(call: Any, message: str) -> None:
    with pytest.raises(EngineError) as info:
        call()
    assert message in str(info.value)
    assert isinstance(info.value, CvquizError) and isinstance(info.value, ValueError)


# --------------------------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------------------------

coordinate = st.floats(0, 100, allow_nan=False, allow_infinity=False)
extent = st.floats(0, 60, allow_nan=False, allow_infinity=False)
positive_extent = st.floats(0.5, 60, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw: st.DrawFn, positive: bool = False) -> list[float]:
    x, y = draw(coordinate), draw(coordinate)
    size = positive_extent if positive else extent
    return [x, y, x + draw(size), y + draw(size)]


@given(boxes(), boxes())
def test_box_iou_is_symmetric_and_bounded(a: list[float], b: list[float]) -> None:
    iou = box_iou(a, b)
    assert iou == box_iou(b, a)
    assert 0.0 <= iou <= 1.0
    assert box_iou_matrix([a], [b])[0, 0] == pytest.approx(iou, abs=1e-12)


@given(boxes(positive=True), boxes(positive=True))
def test_giou_family_is_bounded_by_iou(a: list[float], b: list[float]) -> None:
    iou = box_iou(a, b)
    assert -1.0 <= giou(a, b) <= iou + 1e-12
    assert -1.0 <= diou(a, b) <= iou + 1e-12
    assert ciou(a, b) <= diou(a, b) + 1e-12
    assert giou(a, b) == pytest.approx(giou(b, a), abs=1e-12)
    assert ciou(a, b) == pytest.approx(ciou(b, a), abs=1e-12)
    assert box_iou(a, a) == 1.0


def _ann(image: int, category: int, box: list[float], score: float | None = None) -> dict[str, Any]:
    ann: dict[str, Any] = {"image_id": image, "category_id": category, "bbox": box}
    if score is not None:
        ann["score"] = score
    return ann


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def xywh(positive: bool) -> list[float]:
        x1, y1, x2, y2 = draw(boxes(positive=positive))
        return [x1, y1, x2 - x1, y2 - y1]

    image = st.integers(1, 3)
    category = st.integers(1, 3)
    gts = draw(st.lists(st.builds(lambda i, c: (i, c), image, category), max_size=8))
    ground_truths = [_ann(i, c, xywh(True)) for i, c in gts]
    for gt in ground_truths:
        gt["difficult"] = draw(st.booleans()) and draw(st.booleans())
    detections = []
    for gt in ground_truths:
        for _ in range(draw(st.integers(0, 2))):
            x, y, w, h = gt["bbox"]
            dx, dy = draw(st.floats(-5, 5)), draw(st.floats(-5, 5))
            score = draw(st.floats(0, 1, allow_nan=False))
            detections.append(
                _ann(gt["image_id"], gt["category_id"], [x + dx, y + dy, w, h], score)
            )
    extra = draw(st.lists(st.tuples(image, category, st.floats(0, 1, allow_nan=False)), max_size=4))
    detections += [_ann(i, c, xywh(False), s) for i, c, s in extra]
    return ground_truths, detections


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from(["all-point", "11-point"]))
def test_ap_is_bounded_and_a_trailing_false_positive_never_raises_it(
    problem: tuple[list[dict[str, Any]], list[dict[str, Any]]], method: Any
) -> None:
    ground_truths, detections = problem
    before = voc_ap(ground_truths, detections, method=method)
    # The devkit's 11-point sum of eleven 1/11 terms can reach 1 + 2e-16.
    assert all(math.isnan(ap) or 0.0 <= ap <= 1.0 + 1e-12 for ap in before.values())
    lowest = min((d["score"] for d in detections), default=0.0) - 1.0
    # Image 99 has no ground truth, so each added detection is a false positive ranked last.
    extra = [_ann(99, c, [0.0, 0.0, 5.0, 5.0], lowest) for c in (1, 2, 3)]
    after = voc_ap(ground_truths, detections + extra, method=method)
    for category, ap in before.items():
        assert math.isnan(ap) or after[category] <= ap + 1e-12

    coco_gts = [{k: v for k, v in g.items() if k != "difficult"} for g in ground_truths]
    coco_before = coco_map(coco_gts, detections)
    coco_after = coco_map(coco_gts, detections + extra)
    assert all(ap == -1.0 or 0.0 <= ap <= 1.0 + 1e-12 for ap in coco_before.per_class.values())
    assert coco_after.map <= coco_before.map + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), boxes(positive=True)), min_size=1, max_size=8))
def test_perfect_detections_score_one(objects: list[tuple[int, list[float]]]) -> None:
    # One object per image: two identical objects in one image would make either detection a duplicate.
    ground_truths = [
        _ann(n, c, [b[0], b[1], b[2] - b[0], b[3] - b[1]]) for n, (c, b) in enumerate(objects)
    ]
    detections = [dict(g, score=1.0 - 0.01 * n) for n, g in enumerate(ground_truths)]
    for method in ("all-point", "11-point"):
        aps = voc_ap(ground_truths, detections, method=method)  # type: ignore[arg-type]
        assert aps == pytest.approx(dict.fromkeys(aps, 1.0))
    result = coco_map(ground_truths, detections)
    assert result.map == pytest.approx(1.0) and result.mar_100 == pytest.approx(1.0)
