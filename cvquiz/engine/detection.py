"""Detection and segmentation metrics: box and mask IoU, VOC AP, COCO mAP, and their worked details.

This module is the reference that compute cards about object detection check answers against. It agrees with
the tools people are asked about in interviews:

- `coco_map` reproduces pycocotools' ``COCOeval`` for ``iouType="bbox"`` (evaluate + accumulate + summarize):
  IoU thresholds .50:.05:.95, 101-point interpolated precision, at most 100 detections per image and category,
  crowd ground truths ignored and matchable many times, the small/medium/large area breakdown and average
  recall at 1/10/100 detections.
- `voc_ap` reproduces the Pascal VOC devkit's ``voc_eval`` (the py-faster-rcnn transcription): greedy matching
  by descending score to the ground truth of maximum IoU, ``IoU > threshold``, "difficult" objects ignored,
  all-point or VOC2007 11-point interpolation. One deliberate difference: boxes are continuous coordinates,
  so widths are ``x2 - x1`` and not the devkit's pixel-inclusive ``x2 - x1 + 1``.
- `box_iou`, `giou`, `diou`, `ciou` follow ``torchvision.ops`` (``box_iou``, ``generalized_box_iou``,
  ``distance_box_iou``, ``complete_box_iou``) on ``(x1, y1, x2, y2)`` boxes.

Annotations use COCO's JSON form: ground truths are mappings with ``image_id``, ``category_id`` and
``bbox = [x, y, width, height]`` (optionally ``iscrowd``, ``area`` for COCO, ``difficult`` for VOC);
detections add ``score``. Everything here is a pure function of its arguments; invalid input raises
`EngineError` with a message naming the offending entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from cvquiz.engine.errors import N_, EngineError

__all__ = [
    "COCO_AREA_RANGES",
    "COCO_IOU_THRESHOLDS",
    "COCO_MAX_DETECTIONS",
    "COCO_RECALL_THRESHOLDS",
    "VOC07_RECALL_POINTS",
    "CocoMetrics",
    "InterpolationPoint",
    "PrecisionRecallF1",
    "RankedDetection",
    "VocApDetails",
    "average_precision_from_pr",
    "box_iou",
    "box_iou_matrix",
    "ciou",
    "coco_map",
    "confusion_matrix",
    "diou",
    "giou",
    "mask_iou",
    "precision_envelope",
    "precision_recall_f1",
    "voc_ap",
    "voc_ap_details",
    "voc_map",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Annotation = Mapping[str, Any]
APMethod = Literal["all-point", "11-point", "101-point"]
VocMethod = Literal["all-point", "11-point"]
Outcome = Literal["tp", "fp_low_iou", "fp_duplicate", "difficult"]


def _read_only(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


# pycocotools builds these with linspace, not arange, so that 0.75 and 0.5 are exact; comparisons such as
# "recall >= 0.07" depend on the exact floats, so they are built the same way here.
COCO_IOU_THRESHOLDS: Final[FloatArray] = _read_only(np.linspace(0.5, 0.95, 10, endpoint=True))
COCO_RECALL_THRESHOLDS: Final[FloatArray] = _read_only(np.linspace(0.0, 1.0, 101, endpoint=True))
COCO_MAX_DETECTIONS: Final = 100
#: (name, lowest area, highest area), both ends inclusive, as pycocotools' ``Params.areaRng``.
COCO_AREA_RANGES: Final = (
    ("all", 0.0, 1e10),
    ("small", 0.0, 32.0**2),
    ("medium", 32.0**2, 96.0**2),
    ("large", 96.0**2, 1e10),
)
# The VOC devkit iterates ``np.arange(0.0, 1.1, 0.1)``, whose fourth point is 0.30000000000000004, so a
# recall of exactly 0.3 does not reach it; the same array keeps the same answers.
VOC07_RECALL_POINTS: Final[FloatArray] = _read_only(np.arange(0.0, 1.1, 0.1))

_COCO_MAX_DETS_FOR_RECALL: Final = (1, 10, 100)
# pycocotools caps each matching threshold at 1 - 1e-10 (a no-op for .50:.95, kept for fidelity).
_COCO_MATCH_THRESHOLDS: Final[FloatArray] = _read_only(np.minimum(COCO_IOU_THRESHOLDS, 1 - 1e-10))


# --------------------------------------------------------------------------------------------------------------
# Box and mask overlap
# --------------------------------------------------------------------------------------------------------------


def _xyxy(box: Sequence[float], name: str) -> tuple[float, float, float, float]:
    """Validate one ``(x1, y1, x2, y2)`` box and return it as four floats."""
    try:
        values = [float(v) for v in box]
    except (TypeError, ValueError) as exc:
        raise EngineError(
            N_("{name} must be four numbers (x1, y1, x2, y2), got {box!r}"), name=name, box=box
        ) from exc
    if len(values) != 4:
        raise EngineError(
            N_("{name} must be four numbers (x1, y1, x2, y2), got {count} values"),
            name=name,
            count=len(values),
        )
    x1, y1, x2, y2 = values
    if not all(math.isfinite(v) for v in values):
        raise EngineError(
            N_("{name} has a value that is not finite: {values}"), name=name, values=values
        )
    if x2 < x1 or y2 < y1:
        raise EngineError(
            N_("{name} must have x2 >= x1 and y2 >= y1, got {values}"), name=name, values=values
        )
    return x1, y1, x2, y2


def _positive_xyxy(box: Sequence[float], name: str) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = _xyxy(box, name)
    if x2 <= x1 or y2 <= y1:
        raise EngineError(
            N_("{name} must have a positive width and height (x2 > x1, y2 > y1), got {box}"),
            name=name,
            box=[x1, y1, x2, y2],
        )
    return x1, y1, x2, y2


def _inter_union(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float]:
    # The same operations, in the same order, as torchvision's _box_inter_union and the devkit's overlaps.
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    inter_w = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
    inter_h = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
    inter = inter_w * inter_h
    return inter, area_a + area_b - inter


def box_iou(box_a: Sequence[float], box_b: Sequence[float]) -> float:
    """Intersection over union of two axis-aligned boxes.

    Coordinates are continuous: a box ``(x1, y1, x2, y2)`` has width ``x2 - x1`` (no "+1 pixel"), so boxes that
    only touch along an edge have IoU 0.

    Args:
        box_a: the first box as ``(x1, y1, x2, y2)`` with ``x2 >= x1`` and ``y2 >= y1``.
        box_b: the second box, same form.

    Returns:
        ``area(a ∩ b) / area(a ∪ b)`` in [0, 1]; 0 when the boxes are disjoint or touch, and 0 when both boxes
        have zero area (the union is empty).

    Raises:
        EngineError: a box is not four finite numbers with ``x2 >= x1`` and ``y2 >= y1``.
    """
    inter, union = _inter_union(_xyxy(box_a, "box_a"), _xyxy(box_b, "box_b"))
    return inter / union if union > 0 else 0.0


def _boxes_array(boxes: npt.ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EngineError(
            N_("{name} must be an (N, 4) array of (x1, y1, x2, y2) boxes"), name=name
        ) from exc
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise EngineError(
            N_("{name} must be an (N, 4) array of (x1, y1, x2, y2) boxes, got shape {shape}"),
            name=name,
            shape=array.shape,
        )
    if not np.isfinite(array).all():
        raise EngineError(N_("{name} contains a value that is not finite"), name=name)
    bad = np.flatnonzero((array[:, 2] < array[:, 0]) | (array[:, 3] < array[:, 1]))
    if bad.size:
        raise EngineError(
            N_("{name}[{index}] must have x2 >= x1 and y2 >= y1, got {box}"),
            name=name,
            index=bad[0],
            box=array[bad[0]].tolist(),
        )
    return array


def box_iou_matrix(boxes_a: npt.ArrayLike, boxes_b: npt.ArrayLike) -> FloatArray:
    """Pairwise IoU between two sets of boxes, as ``torchvision.ops.box_iou``.

    Args:
        boxes_a: ``N`` boxes as an ``(N, 4)`` array of ``(x1, y1, x2, y2)``.
        boxes_b: ``M`` boxes, same form.

    Returns:
        An ``(N, M)`` float64 array whose ``[i, j]`` entry is ``box_iou(boxes_a[i], boxes_b[j])`` (0 where the
        union is empty).

    Raises:
        EngineError: an input is not an ``(N, 4)`` array of finite boxes with ``x2 >= x1``, ``y2 >= y1``.
    """
    a = _boxes_array(boxes_a, "boxes_a")
    b = _boxes_array(boxes_b, "boxes_b")
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    inter_w = np.maximum(
        np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0.0
    )
    inter_h = np.maximum(
        np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0.0
    )
    inter = inter_w * inter_h
    union = area_a[:, None] + area_b[None, :] - inter
    out: FloatArray = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def _enclosing_box(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float]:
    return max(a[2], b[2]) - min(a[0], b[0]), max(a[3], b[3]) - min(a[1], b[1])


def giou(box_a: Sequence[float], box_b: Sequence[float]) -> float:
    """Generalized IoU (Rezatofighi et al., 2019), as ``torchvision.ops.generalized_box_iou``.

    ``GIoU = IoU - (|C| - |A ∪ B|) / |C|`` where ``C`` is the smallest box enclosing both.

    Args:
        box_a: the first box as ``(x1, y1, x2, y2)`` with ``x2 > x1`` and ``y2 > y1``.
        box_b: the second box, same form.

    Returns:
        GIoU in (-1, 1]; it equals IoU when one box contains the other and goes negative as disjoint boxes
        move apart.

    Raises:
        EngineError: a box is not four finite numbers with a positive width and height.
    """
    a = _positive_xyxy(box_a, "box_a")
    b = _positive_xyxy(box_b, "box_b")
    inter, union = _inter_union(a, b)
    enclose_w, enclose_h = _enclosing_box(a, b)
    enclose = enclose_w * enclose_h
    return inter / union - (enclose - union) / enclose


def _diou_and_iou(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float], eps: float
) -> tuple[float, float]:
    inter, union = _inter_union(a, b)
    iou = inter / union
    enclose_w, enclose_h = _enclosing_box(a, b)
    diagonal_sq = enclose_w**2 + enclose_h**2 + eps
    centre_dx = (a[0] + a[2]) / 2 - (b[0] + b[2]) / 2
    centre_dy = (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2
    return iou - (centre_dx**2 + centre_dy**2) / diagonal_sq, iou


def diou(box_a: Sequence[float], box_b: Sequence[float], eps: float = 1e-7) -> float:
    """Distance IoU (Zheng et al., 2020), as ``torchvision.ops.distance_box_iou``.

    ``DIoU = IoU - ρ²(centre_a, centre_b) / (c² + eps)`` where ``c`` is the diagonal of the enclosing box.

    Args:
        box_a: the first box as ``(x1, y1, x2, y2)`` with ``x2 > x1`` and ``y2 > y1``.
        box_b: the second box, same form.
        eps: added to the squared diagonal, as torchvision does (default 1e-7).

    Returns:
        DIoU in (-1, 1].

    Raises:
        EngineError: a box is not four finite numbers with a positive width and height.
    """
    value, _ = _diou_and_iou(_positive_xyxy(box_a, "box_a"), _positive_xyxy(box_b, "box_b"), eps)
    return value


def ciou(box_a: Sequence[float], box_b: Sequence[float], eps: float = 1e-7) -> float:
    """Complete IoU (Zheng et al., 2020), as ``torchvision.ops.complete_box_iou``.

    ``CIoU = DIoU - α·v`` with ``v = 4/π² · (atan(w_a/h_a) - atan(w_b/h_b))²`` (aspect-ratio consistency) and
    ``α = v / (1 - IoU + v + eps)``. Symmetric in its two boxes.

    Args:
        box_a: the first box as ``(x1, y1, x2, y2)`` with ``x2 > x1`` and ``y2 > y1``.
        box_b: the second box, same form.
        eps: the small constant torchvision adds to both denominators (default 1e-7).

    Returns:
        CIoU, at most 1.

    Raises:
        EngineError: a box is not four finite numbers with a positive width and height.
    """
    a = _positive_xyxy(box_a, "box_a")
    b = _positive_xyxy(box_b, "box_b")
    distance_iou, iou = _diou_and_iou(a, b, eps)
    v = (4 / math.pi**2) * (
        math.atan((a[2] - a[0]) / (a[3] - a[1])) - math.atan((b[2] - b[0]) / (b[3] - b[1]))
    ) ** 2
    alpha = v / (1 - iou + v + eps)
    return distance_iou - alpha * v


def mask_iou(mask_a: npt.ArrayLike, mask_b: npt.ArrayLike) -> float:
    """Intersection over union of two binary masks of the same shape (as pycocotools' mask IoU).

    Args:
        mask_a: a boolean array (or an array of 0 and 1).
        mask_b: a boolean array of the same shape.

    Returns:
        ``|a ∧ b| / |a ∨ b|`` in [0, 1]; 0 when both masks are empty.

    Raises:
        EngineError: the shapes differ or a mask holds values other than 0/1/True/False.
    """
    a = _binary_mask(mask_a, "mask_a")
    b = _binary_mask(mask_b, "mask_b")
    if a.shape != b.shape:
        raise EngineError(
            N_("masks must have the same shape, got {a_shape} and {b_shape}"),
            a_shape=a.shape,
            b_shape=b.shape,
        )
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 0.0


def _binary_mask(mask: npt.ArrayLike, name: str) -> BoolArray:
    array = np.asarray(mask)
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all():
        raise EngineError(N_("{name} must be a boolean mask (values 0/1 or True/False)"), name=name)
    return array.astype(np.bool_)


# --------------------------------------------------------------------------------------------------------------
# Counting metrics
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrecisionRecallF1:
    """Precision, recall and F1 from true positive, false positive and false negative counts.

    Attributes:
        tp: true positives.
        fp: false positives.
        fn: false negatives.
        precision: ``tp / (tp + fp)``, 0 when nothing was predicted.
        recall: ``tp / (tp + fn)``, 0 when there is nothing to find.
        f1: ``2·P·R / (P + R)``, 0 when both are 0.
    """

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


def precision_recall_f1(tp: int, fp: int, fn: int) -> PrecisionRecallF1:
    """Precision, recall and F1 score from counts.

    A zero denominator gives 0 (scikit-learn's ``zero_division=0``), so the result is always a number.

    Args:
        tp: true positives (matched detections), a non-negative integer.
        fp: false positives (unmatched detections).
        fn: false negatives (missed ground truths).

    Returns:
        The counts with precision, recall and F1.

    Raises:
        EngineError: a count is negative or not an integer.
    """
    for name, value in (("tp", tp), ("fp", fp), ("fn", fn)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise EngineError(
                N_("{name} must be a non-negative integer, got {value!r}"), name=name, value=value
            )
    tp, fp, fn = int(tp), int(fp), int(fn)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PrecisionRecallF1(tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1)


def confusion_matrix(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, num_classes: int) -> IntArray:
    """Confusion matrix of integer class labels, rows true and columns predicted (scikit-learn's layout).

    Args:
        y_true: true labels, integers in ``[0, num_classes)``.
        y_pred: predicted labels, same length and range.
        num_classes: the number of classes ``C``.

    Returns:
        A ``(C, C)`` int64 array whose ``[i, j]`` entry counts samples of class ``i`` predicted as ``j``.

    Raises:
        EngineError: the label arrays differ in length, are not 1-D integers, or hold a label out of range.
    """
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int | np.integer)
        or num_classes < 1
    ):
        raise EngineError(
            N_("num_classes must be a positive integer, got {num_classes!r}"),
            num_classes=num_classes,
        )
    true = np.asarray(y_true)
    pred = np.asarray(y_pred)
    for name, labels in (("y_true", true), ("y_pred", pred)):
        if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
            raise EngineError(N_("{name} must be a 1-D sequence of integer labels"), name=name)
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise EngineError(
                N_("{name} holds a label outside [0, {num_classes}): {lowest}..{highest}"),
                name=name,
                num_classes=num_classes,
                lowest=labels.min(),
                highest=labels.max(),
            )
    if true.shape != pred.shape:
        raise EngineError(
            N_("y_true and y_pred differ in length: {true_size} and {pred_size}"),
            true_size=true.size,
            pred_size=pred.size,
        )
    flat = true.astype(np.int64) * int(num_classes) + pred.astype(np.int64)
    counts = np.bincount(flat, minlength=int(num_classes) ** 2)
    return counts.reshape(int(num_classes), int(num_classes)).astype(np.int64)


# --------------------------------------------------------------------------------------------------------------
# Interpolated average precision
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterpolationPoint:
    """One term of an interpolated AP sum: ``AP = Σ weight · precision``.

    Attributes:
        recall: the recall level the term is taken at (the recall reached, for all-point; the grid point,
            for 11- and 101-point interpolation).
        precision: the interpolated precision there (the best precision at this recall or beyond; 0 when the
            recall is never reached).
        weight: the term's weight: the recall step for all-point, 1/11 or 1/101 for the fixed grids.
    """

    recall: float
    precision: float
    weight: float


def precision_envelope(precision: npt.ArrayLike) -> FloatArray:
    """The precision envelope: at each rank, the best precision at that rank or any later one.

    Args:
        precision: cumulative precision after each ranked detection.

    Returns:
        ``envelope[i] = max(precision[i:])``, the interpolated precision VOC and COCO integrate.

    Raises:
        EngineError: the input is not a 1-D array of numbers.
    """
    values = _pr_array(precision, "precision")
    return np.maximum.accumulate(values[::-1])[::-1] if values.size else values


def _pr_array(values: npt.ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EngineError(N_("{name} must be a 1-D sequence of numbers"), name=name) from exc
    if array.ndim != 1:
        raise EngineError(
            N_("{name} must be a 1-D sequence of numbers, got shape {shape}"),
            name=name,
            shape=array.shape,
        )
    return array


def _interpolation_points(
    recall: FloatArray, precision: FloatArray, method: str
) -> list[InterpolationPoint]:
    if method == "all-point":
        # The devkit's voc_ap: pad with (0, 0) and (1, 0), take the envelope and sum rectangles where the
        # recall changes.
        mrec = np.concatenate(([0.0], recall, [1.0]))
        mpre = np.maximum.accumulate(np.concatenate(([0.0], precision, [0.0]))[::-1])[::-1]
        steps = np.flatnonzero(mrec[1:] != mrec[:-1])
        return [
            InterpolationPoint(float(mrec[i + 1]), float(mpre[i + 1]), float(mrec[i + 1] - mrec[i]))
            for i in steps
        ]
    if method == "11-point":
        points = []
        for t in VOC07_RECALL_POINTS:
            reached = recall >= t
            best = float(np.max(precision[reached])) if reached.any() else 0.0
            points.append(InterpolationPoint(float(t), best, 1 / 11))
        return points
    if method == "101-point":
        envelope = precision_envelope(precision)
        index = np.searchsorted(recall, COCO_RECALL_THRESHOLDS, side="left")
        return [
            InterpolationPoint(float(t), float(envelope[i]) if i < envelope.size else 0.0, 1 / 101)
            for t, i in zip(COCO_RECALL_THRESHOLDS, index, strict=True)
        ]
    raise EngineError(
        N_("unknown AP method {method!r}; use 'all-point', '11-point' or '101-point'"),
        method=method,
    )


def _sum_points(points: Sequence[InterpolationPoint], method: str) -> float:
    if method == "11-point":
        # The devkit accumulates p / 11 one point at a time.
        total = 0.0
        for point in points:
            total = total + point.precision / 11.0
        return total
    if method == "101-point":
        return float(np.mean([point.precision for point in points]))
    return float(np.sum([point.weight * point.precision for point in points]))


def average_precision_from_pr(
    recall: npt.ArrayLike, precision: npt.ArrayLike, method: APMethod = "all-point"
) -> float:
    """Area under an interpolated precision-recall curve given at each ranked detection.

    Args:
        recall: cumulative recall after each detection in descending-score order (non-decreasing).
        precision: cumulative precision after each detection, same length.
        method: ``"all-point"`` (VOC2010+: area under the precision envelope), ``"11-point"`` (VOC2007: the
            mean of the envelope at recall 0, 0.1, …, 1.0) or ``"101-point"`` (COCO: the mean of the envelope
            at recall 0, 0.01, …, 1.0, looked up at the first detection reaching each recall).

    Returns:
        The average precision in [0, 1] for valid precision/recall input. The 11-point sum adds ``p / 11``
        term by term as the devkit does, so a perfect curve gives 1.0000000000000002, not 1.

    Raises:
        EngineError: the arrays differ in length or are not 1-D, or the method is unknown.
    """
    rec = _pr_array(recall, "recall")
    prec = _pr_array(precision, "precision")
    if rec.shape != prec.shape:
        raise EngineError(
            N_("recall and precision differ in length: {rec_size} and {prec_size}"),
            rec_size=rec.size,
            prec_size=prec.size,
        )
    return _sum_points(_interpolation_points(rec, prec, method), method)


# --------------------------------------------------------------------------------------------------------------
# Annotations in COCO's JSON form
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Annotations:
    """Annotations as columns; ``bbox`` is COCO's ``[x, y, width, height]``."""

    image: IntArray
    category: IntArray
    bbox: FloatArray
    score: FloatArray
    iscrowd: BoolArray
    area: FloatArray
    difficult: BoolArray

    @property
    def size(self) -> int:
        return int(self.image.size)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _is_flag(value: object) -> bool:
    return isinstance(value, bool | np.bool_) or (
        isinstance(value, int | np.integer) and int(value) in (0, 1)
    )


def _check_annotation(ann: object, where: str, *, detection: bool, voc: bool) -> None:
    """Raise an `EngineError` naming the first problem with one annotation, if it has one."""
    if not isinstance(ann, Mapping):
        raise EngineError(
            N_("{where} must be a mapping with image_id, category_id and bbox, got {ann!r}"),
            where=where,
            ann=ann,
        )
    required = ["image_id", "category_id", "bbox"] + (["score"] if detection else [])
    for key in required:
        if key not in ann:
            raise EngineError(N_("{where}: missing field {key!r}"), where=where, key=key)
    for key in ("image_id", "category_id"):
        value = ann[key]
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise EngineError(
                N_("{where}: {key} must be an integer, got {value!r}"),
                where=where,
                key=key,
                value=value,
            )
        if not -(2**63) <= int(value) < 2**63:
            raise EngineError(
                N_("{where}: {key} {value} does not fit in 64 bits"),
                where=where,
                key=key,
                value=value,
            )
    bbox = ann["bbox"]
    if (
        isinstance(bbox, str | bytes)
        or not isinstance(bbox, Sequence | np.ndarray)
        or len(bbox) != 4
        or not all(_is_number(v) for v in bbox)
    ):
        raise EngineError(
            N_("{where}: bbox must be [x, y, width, height], got {bbox!r}"), where=where, bbox=bbox
        )
    if not all(math.isfinite(float(v)) for v in bbox):
        raise EngineError(
            N_("{where}: bbox values must be finite, got {bbox}"), where=where, bbox=list(bbox)
        )
    if float(bbox[2]) < 0 or float(bbox[3]) < 0:
        raise EngineError(
            N_(
                "{where}: bbox width and height must be >= 0, got {bbox} (bbox is [x, y, width, height])"
            ),
            where=where,
            bbox=list(bbox),
        )
    if detection:
        score = ann["score"]
        if not _is_number(score) or not math.isfinite(float(score)):
            raise EngineError(
                N_("{where}: score must be a finite number, got {score!r}"),
                where=where,
                score=score,
            )
        return
    if "iscrowd" in ann and not _is_flag(ann["iscrowd"]):
        raise EngineError(
            N_("{where}: iscrowd must be 0, 1, true or false, got {iscrowd!r}"),
            where=where,
            iscrowd=ann["iscrowd"],
        )
    if voc and "difficult" in ann and not _is_flag(ann["difficult"]):
        raise EngineError(
            N_("{where}: difficult must be 0, 1, true or false, got {difficult!r}"),
            where=where,
            difficult=ann["difficult"],
        )
    if "area" in ann:
        area = ann["area"]
        if not _is_number(area) or not math.isfinite(float(area)) or float(area) < 0:
            raise EngineError(
                N_("{where}: area must be a finite number >= 0, got {area!r}"),
                where=where,
                area=area,
            )


def _parse(
    anns: Sequence[Annotation], name: str, *, detection: bool, voc: bool = False
) -> _Annotations:
    """Turn a list of COCO-style annotations into columns, validating them.

    The common case is checked with whole-array operations; only when something is wrong are the entries
    walked one by one to say which entry and which field.
    """
    if isinstance(anns, str | bytes | Mapping) or not isinstance(anns, Sequence):
        raise EngineError(
            N_("{name} must be a list of annotation mappings, got {type}"),
            name=name,
            type=type(anns).__name__,
        )
    n = len(anns)
    if n == 0:
        empty_f = np.zeros(0, dtype=np.float64)
        empty_b = np.zeros(0, dtype=np.bool_)
        return _Annotations(
            image=np.zeros(0, dtype=np.int64),
            category=np.zeros(0, dtype=np.int64),
            bbox=np.zeros((0, 4), dtype=np.float64),
            score=empty_f,
            iscrowd=empty_b,
            area=empty_f,
            difficult=empty_b,
        )
    try:
        columns = _columns(anns, detection=detection, voc=voc)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        columns = None
    if columns is None:
        for i, ann in enumerate(anns):
            _check_annotation(ann, f"{name}[{i}]", detection=detection, voc=voc)
        raise EngineError(
            N_("{name}: annotations could not be read as COCO-style records"), name=name
        )
    return columns


def _columns(anns: Sequence[Annotation], *, detection: bool, voc: bool) -> _Annotations | None:
    """The fast path of `_parse`: whole-column reads and checks; None when any check fails."""
    n = len(anns)
    image = np.array([a["image_id"] for a in anns])
    category = np.array([a["category_id"] for a in anns])
    bbox = np.array([a["bbox"] for a in anns], dtype=np.float64)
    if not (
        image.shape == (n,)
        and category.shape == (n,)
        and image.dtype.kind in "iu"
        and category.dtype.kind in "iu"
        and bbox.shape == (n, 4)
        and np.isfinite(bbox).all()
        and (bbox[:, 2:] >= 0).all()
    ):
        return None
    no_flags = np.zeros(n, dtype=np.bool_)
    if detection:
        score = np.array([a["score"] for a in anns], dtype=np.float64)
        if score.shape != (n,) or not np.isfinite(score).all():
            return None
        iscrowd, difficult, area = no_flags, no_flags, bbox[:, 2] * bbox[:, 3]
    else:
        score = np.zeros(n, dtype=np.float64)
        iscrowd_raw = np.array([a.get("iscrowd", 0) for a in anns])
        difficult_raw = np.array([a.get("difficult", 0) for a in anns]) if voc else no_flags
        has_area = np.array(["area" in a for a in anns], dtype=np.bool_)
        given_area = np.array([a.get("area", 0.0) for a in anns], dtype=np.float64)
        for flags in (iscrowd_raw, difficult_raw):
            if (
                flags.shape != (n,)
                or flags.dtype.kind not in "biu"
                or not np.isin(flags, (0, 1)).all()
            ):
                return None
        if given_area.shape != (n,) or not np.isfinite(given_area).all() or (given_area < 0).any():
            return None
        iscrowd = iscrowd_raw.astype(np.bool_)
        difficult = difficult_raw.astype(np.bool_)
        area = np.where(has_area, given_area, bbox[:, 2] * bbox[:, 3])
    return _Annotations(
        image=image.astype(np.int64),
        category=category.astype(np.int64),
        bbox=bbox,
        score=score,
        iscrowd=iscrowd,
        area=area,
        difficult=difficult,
    )


# --------------------------------------------------------------------------------------------------------------
# Pascal VOC
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedDetection:
    """One detection of a class, in the order VOC evaluation visits it.

    Attributes:
        rank: 1 for the highest score; ties keep the order of the input list.
        index: the detection's position in the ``detections`` list passed in.
        image_id: the image it was made on.
        score: its confidence.
        bbox: its box as given, ``(x, y, width, height)``.
        iou: its largest IoU with a ground truth of the class in its image (0 when there is none).
        gt_index: the position, in the ``ground_truths`` list passed in, of that best-overlapping ground
            truth; None when the image has no ground truth of the class.
        outcome: ``"tp"`` (IoU above the threshold with a ground truth not yet taken), ``"fp_low_iou"``
            (IoU not above the threshold, or no ground truth), ``"fp_duplicate"`` (its ground truth was
            already taken by a higher-scored detection) or ``"difficult"`` (matched a difficult object:
            neither TP nor FP).
        cum_tp: true positives among ranks 1..rank.
        cum_fp: false positives among ranks 1..rank.
        precision: ``cum_tp / (cum_tp + cum_fp)`` (0 while both are 0).
        recall: ``cum_tp / num_positives`` (nan when the class has no positives).
        interpolated_precision: the precision envelope: the best precision at this rank or any later one.
    """

    rank: int
    index: int
    image_id: int
    score: float
    bbox: tuple[float, float, float, float]
    iou: float
    gt_index: int | None
    outcome: Outcome
    cum_tp: int
    cum_fp: int
    precision: float
    recall: float
    interpolated_precision: float


@dataclass(frozen=True)
class VocApDetails:
    """Everything a worked solution of a VOC AP problem shows, for one class.

    Attributes:
        category_id: the class.
        iou_threshold: a detection needs IoU strictly above this.
        method: ``"all-point"`` or ``"11-point"``.
        num_positives: ground truths of the class that are not difficult (the recall denominator).
        num_difficult: difficult ground truths of the class (neither found nor missed).
        detections: the class's detections in descending score with their outcome and the running
            precision/recall table.
        points: the terms of the AP sum, ``ap = Σ weight · precision`` (empty when there are no positives).
        ap: the average precision; nan when the class has no positives.
    """

    category_id: int
    iou_threshold: float
    method: VocMethod
    num_positives: int
    num_difficult: int
    detections: tuple[RankedDetection, ...]
    points: tuple[InterpolationPoint, ...]
    ap: float


def _check_method(method: str) -> None:
    if method not in ("all-point", "11-point"):
        raise EngineError(
            N_("unknown VOC AP method {method!r}; use 'all-point' or '11-point'"), method=method
        )


def _check_threshold(iou_threshold: float) -> float:
    if not _is_number(iou_threshold) or not 0.0 <= float(iou_threshold) <= 1.0:
        raise EngineError(
            N_("iou_threshold must be a number in [0, 1], got {iou_threshold!r}"),
            iou_threshold=iou_threshold,
        )
    return float(iou_threshold)


def _voc_class(
    gt: _Annotations, dt: _Annotations, category_id: int, iou_threshold: float, method: str
) -> VocApDetails:
    """The devkit's voc_eval for one class, keeping every intermediate value."""
    gt_rows = np.flatnonzero(gt.category == category_id)
    gt_xyxy = np.column_stack((gt.bbox[:, :2], gt.bbox[:, :2] + gt.bbox[:, 2:]))
    by_image: dict[int, IntArray] = {}
    for image_id in np.unique(gt.image[gt_rows]):
        by_image[int(image_id)] = gt_rows[gt.image[gt_rows] == image_id]
    difficult = gt.difficult
    num_positives = int(np.count_nonzero(~difficult[gt_rows]))
    taken = np.zeros(gt.size, dtype=np.bool_)

    dt_rows = np.flatnonzero(dt.category == category_id)
    # Stable: ties in score keep the input order (MATLAB's sort in the official devkit is stable too).
    dt_rows = dt_rows[np.argsort(-dt.score[dt_rows], kind="stable")]
    outcomes: list[Outcome] = []
    ious: list[float] = []
    gt_indices: list[int | None] = []
    for row in dt_rows:
        x, y, w, h = dt.bbox[row]
        candidates = by_image.get(int(dt.image[row]))
        if candidates is None:
            outcomes.append("fp_low_iou")
            ious.append(0.0)
            gt_indices.append(None)
            continue
        boxes = gt_xyxy[candidates]
        bx2, by2 = x + w, y + h
        inter_w = np.maximum(np.minimum(boxes[:, 2], bx2) - np.maximum(boxes[:, 0], x), 0.0)
        inter_h = np.maximum(np.minimum(boxes[:, 3], by2) - np.maximum(boxes[:, 1], y), 0.0)
        inter = inter_w * inter_h
        union = (
            (bx2 - x) * (by2 - y)
            + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
            - inter
        )
        overlaps = np.zeros_like(inter)
        np.divide(inter, union, out=overlaps, where=union > 0)
        best = int(np.argmax(overlaps))
        gt_index = int(candidates[best])
        ious.append(float(overlaps[best]))
        gt_indices.append(gt_index)
        if not overlaps[best] > iou_threshold:
            outcomes.append("fp_low_iou")
        elif difficult[gt_index]:
            outcomes.append("difficult")
        elif taken[gt_index]:
            outcomes.append("fp_duplicate")
        else:
            taken[gt_index] = True
            outcomes.append("tp")

    tp = np.cumsum([o == "tp" for o in outcomes], dtype=np.int64)
    fp = np.cumsum([o.startswith("fp") for o in outcomes], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = tp / float(num_positives) if num_positives else np.full(tp.size, math.nan)
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    envelope = precision_envelope(precision)
    ranked = tuple(
        RankedDetection(
            rank=i + 1,
            index=int(row),
            image_id=int(dt.image[row]),
            score=float(dt.score[row]),
            bbox=(
                float(dt.bbox[row, 0]),
                float(dt.bbox[row, 1]),
                float(dt.bbox[row, 2]),
                float(dt.bbox[row, 3]),
            ),
            iou=ious[i],
            gt_index=gt_indices[i],
            outcome=outcomes[i],
            cum_tp=int(tp[i]),
            cum_fp=int(fp[i]),
            precision=float(precision[i]),
            recall=float(recall[i]),
            interpolated_precision=float(envelope[i]),
        )
        for i, row in enumerate(dt_rows)
    )
    if num_positives == 0:
        points: list[InterpolationPoint] = []
        ap = math.nan
    else:
        points = _interpolation_points(recall, precision, method)
        ap = _sum_points(points, method)
    return VocApDetails(
        category_id=category_id,
        iou_threshold=iou_threshold,
        method="11-point" if method == "11-point" else "all-point",
        num_positives=num_positives,
        num_difficult=int(np.count_nonzero(difficult[gt_rows])),
        detections=ranked,
        points=tuple(points),
        ap=ap,
    )


def voc_ap_details(
    ground_truths: Sequence[Annotation],
    detections: Sequence[Annotation],
    category_id: int,
    iou_threshold: float = 0.5,
    method: VocMethod = "all-point",
) -> VocApDetails:
    """The worked solution of one class's VOC AP: ranked detections, TP/FP, the PR table and the AP sum.

    Args:
        ground_truths: COCO-style ground truths (``image_id``, ``category_id``, ``bbox`` as
            ``[x, y, width, height]``, optional ``difficult``); other classes are ignored.
        detections: COCO-style detections (the same fields plus ``score``).
        category_id: the class to evaluate.
        iou_threshold: a detection is a true positive when its best IoU is strictly above this.
        method: ``"all-point"`` or ``"11-point"`` (VOC2007).

    Returns:
        The details; ``details.ap`` equals ``voc_ap(...)[category_id]``.

    Raises:
        EngineError: malformed annotations, a threshold outside [0, 1] or an unknown method.
    """
    _check_method(method)
    threshold = _check_threshold(iou_threshold)
    gt = _parse(ground_truths, "ground_truths", detection=False, voc=True)
    dt = _parse(detections, "detections", detection=True)
    if isinstance(category_id, bool) or not isinstance(category_id, int | np.integer):
        raise EngineError(
            N_("category_id must be an integer, got {category_id!r}"), category_id=category_id
        )
    return _voc_class(gt, dt, int(category_id), threshold, method)


def voc_ap(
    ground_truths: Sequence[Annotation],
    detections: Sequence[Annotation],
    iou_threshold: float = 0.5,
    method: VocMethod = "all-point",
) -> dict[int, float]:
    """Per-class average precision by the Pascal VOC devkit's rules.

    Detections of a class are taken in descending score (ties in input order). Each is compared with the
    ground truths of its class in its image and assigned to the one of maximum IoU: it is a true positive if
    that IoU is strictly above ``iou_threshold`` and that ground truth is not yet taken, otherwise a false
    positive (a duplicate, or too little overlap). Ground truths flagged ``"difficult": true`` count in no
    recall, and detections assigned to them are neither true nor false positives. Boxes are continuous
    (width ``w``, not the devkit's ``w + 1`` pixels).

    Args:
        ground_truths: COCO-style ground truths with ``image_id``, ``category_id``, ``bbox``
            (``[x, y, width, height]``) and optionally ``difficult``; ``iscrowd`` and ``area`` are ignored.
        detections: COCO-style detections with ``image_id``, ``category_id``, ``bbox`` and ``score``.
        iou_threshold: the overlap a true positive must exceed (default 0.5).
        method: ``"all-point"`` (area under the precision envelope, VOC2010 onwards) or ``"11-point"``
            (VOC2007: the mean of the envelope at recall 0, 0.1, …, 1.0).

    Returns:
        ``{category_id: AP}`` for every class that appears in the ground truths or the detections, in
        increasing id. A class without a non-difficult ground truth has no defined recall: its AP is
        ``nan`` (the devkit divides by zero there); `voc_map` leaves such classes out of the mean.

    Raises:
        EngineError: malformed annotations (missing field, negative width, non-finite score), a threshold
            outside [0, 1] or an unknown method.
    """
    _check_method(method)
    threshold = _check_threshold(iou_threshold)
    gt = _parse(ground_truths, "ground_truths", detection=False, voc=True)
    dt = _parse(detections, "detections", detection=True)
    categories = np.unique(np.concatenate((gt.category, dt.category)))
    return {int(c): _voc_class(gt, dt, int(c), threshold, method).ap for c in categories}


def voc_map(
    ground_truths: Sequence[Annotation],
    detections: Sequence[Annotation],
    iou_threshold: float = 0.5,
    method: VocMethod = "all-point",
) -> float:
    """Mean of `voc_ap` over the classes that have at least one non-difficult ground truth.

    Args:
        ground_truths: as for `voc_ap`.
        detections: as for `voc_ap`.
        iou_threshold: as for `voc_ap`.
        method: as for `voc_ap`.

    Returns:
        The VOC mAP; nan when no class has a non-difficult ground truth.

    Raises:
        EngineError: as `voc_ap`.
    """
    values = [
        ap
        for ap in voc_ap(ground_truths, detections, iou_threshold, method).values()
        if not math.isnan(ap)
    ]
    return float(np.mean(values)) if values else math.nan


# --------------------------------------------------------------------------------------------------------------
# COCO
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CocoMetrics:
    """The twelve numbers pycocotools' ``COCOeval.summarize()`` prints for boxes, plus per-class AP.

    Every value is -1 when no category has a ground truth that counts (pycocotools' convention).

    Attributes:
        map: AP averaged over IoU .50:.05:.95 and the categories with ground truth (``stats[0]``).
        map_50: AP at IoU 0.50 (``stats[1]``).
        map_75: AP at IoU 0.75 (``stats[2]``).
        map_small: AP over objects with area ≤ 32² (``stats[3]``).
        map_medium: AP over objects with 32² ≤ area ≤ 96² (``stats[4]``).
        map_large: AP over objects with area ≥ 96² (``stats[5]``).
        mar_1: average recall with 1 detection per image and category (``stats[6]``).
        mar_10: average recall with 10 detections (``stats[7]``).
        mar_100: average recall with 100 detections (``stats[8]``).
        mar_small: average recall on small objects (``stats[9]``).
        mar_medium: average recall on medium objects (``stats[10]``).
        mar_large: average recall on large objects (``stats[11]``).
        per_class: ``{category_id: AP@[.50:.95]}`` for every category in the ground truths or detections;
            -1 for a category without a non-crowd ground truth (it is left out of ``map``).
    """

    map: float
    map_50: float
    map_75: float
    map_small: float
    map_medium: float
    map_large: float
    mar_1: float
    mar_10: float
    mar_100: float
    mar_small: float
    mar_medium: float
    mar_large: float
    per_class: dict[int, float]

    def stats(self) -> tuple[float, ...]:
        """The twelve summary numbers in pycocotools' ``COCOeval.stats`` order."""
        return (
            self.map,
            self.map_50,
            self.map_75,
            self.map_small,
            self.map_medium,
            self.map_large,
            self.mar_1,
            self.mar_10,
            self.mar_100,
            self.mar_small,
            self.mar_medium,
            self.mar_large,
        )

    def as_dict(self) -> dict[str, Any]:
        """The metrics as a JSON-ready dict (``per_class`` keyed by category id)."""
        result = asdict(self)
        result["per_class"] = dict(self.per_class)
        return result


def _mean_present(values: FloatArray) -> float:
    # pycocotools' summarize(): the mean of every entry that is not -1, or -1 when there is none.
    present = values[values > -1]
    return float(np.mean(present)) if present.size else -1.0


@dataclass(frozen=True)
class _CocoMatches:
    """Per kept detection and per (area range, IoU threshold): matched at all, and matched-or-ignored."""

    matched: BoolArray  # (A, T, D)
    ignored: BoolArray  # (A, T, D)


def _coco_match(
    gt: _Annotations,
    gt_ignore: BoolArray,
    gt_key: IntArray,
    boxes: FloatArray,
    det_area: FloatArray,
    det_key: IntArray,
) -> _CocoMatches:
    """COCOeval.evaluateImg for every (image, category) group and area range at once.

    pycocotools visits detections of a group in descending score and, at each IoU threshold, gives each one
    the best still-free ground truth, preferring regular ground truths to ignored ones (crowd or outside the
    area range), with ties going to the later ground truth. Groups are independent, so the loop here runs
    over detection ranks (at most 100) and handles all groups, thresholds and area ranges at each rank.
    """
    n_areas = gt_ignore.shape[0]
    n_thr = _COCO_MATCH_THRESHOLDS.size
    n_det = det_key.size
    matched = np.zeros((n_areas, n_thr, n_det), dtype=np.bool_)
    ignored_match = np.zeros((n_areas, n_thr, n_det), dtype=np.bool_)

    det_groups, det_start, det_count = np.unique(det_key, return_index=True, return_counts=True)
    gt_order = np.argsort(gt_key, kind="stable")
    gt_groups, gt_start, gt_count = np.unique(
        gt_key[gt_order], return_index=True, return_counts=True
    )
    _, in_det, in_gt = np.intersect1d(
        det_groups, gt_groups, assume_unique=True, return_indices=True
    )
    if in_det.size:
        by_size = np.argsort(-det_count[in_det], kind="stable")
        in_det, in_gt = in_det[by_size], in_gt[by_size]
        n_dets = det_count[in_det]
        first_det = det_start[in_det]
        n_gts = gt_count[in_gt]
        width = int(n_gts.max())
        slot = np.arange(width)
        valid = slot[None, :] < n_gts[:, None]
        gt_rows = gt_order[np.where(valid, gt_start[in_gt][:, None] + slot[None, :], 0)]
        gx = gt.bbox[gt_rows, 0]
        gy = gt.bbox[gt_rows, 1]
        gx2 = gt.bbox[gt_rows, 2] + gx
        gy2 = gt.bbox[gt_rows, 3] + gy
        g_area = gt.bbox[gt_rows, 2] * gt.bbox[gt_rows, 3]
        crowd = gt.iscrowd[gt_rows] & valid
        g_ignored = gt_ignore[:, gt_rows] & valid[None]  # (A, M, G)
        taken = np.zeros((n_areas, n_thr, in_det.size, width), dtype=np.bool_)
        thresholds = _COCO_MATCH_THRESHOLDS[:, None, None]
        active_per_rank = np.bincount(n_dets, minlength=COCO_MAX_DETECTIONS + 1)[::-1].cumsum()[
            ::-1
        ]
        for rank in range(int(n_dets.max())):
            n = int(active_per_rank[rank + 1])
            det = first_det[:n] + rank
            dx = boxes[det, 0:1]
            dy = boxes[det, 1:2]
            dw = boxes[det, 2:3]
            dh = boxes[det, 3:4]
            # pycocotools' bbIou in C: the same operations, so IoUs equal to a threshold compare the same way.
            w = np.minimum(dw + dx, gx2[:n]) - np.maximum(dx, gx[:n])
            h = np.minimum(dh + dy, gy2[:n]) - np.maximum(dy, gy[:n])
            overlap = (w > 0) & (h > 0) & valid[:n]
            inter = w * h
            d_area = dw * dh
            union = np.where(crowd[:n], d_area, d_area + g_area[:n] - inter)
            iou = np.zeros_like(inter)
            np.divide(inter, union, out=iou, where=overlap)
            free = ~taken[:, :, :n]
            candidate = free & ((iou >= thresholds) & overlap)[None]  # (A, T, n, G)
            ignored_gt = g_ignored[:, None, :n]
            regular = candidate & ~ignored_gt
            fallback = candidate & ignored_gt
            choice = _last_argmax(regular, iou)
            has_regular = regular.any(axis=-1)
            if fallback.any():
                choice = np.where(has_regular, choice, _last_argmax(fallback, iou))
                hit = has_regular | fallback.any(axis=-1)
            else:
                hit = has_regular
            a_idx, t_idx, j_idx = np.nonzero(hit)
            g_idx = choice[a_idx, t_idx, j_idx]
            matched[a_idx, t_idx, det[j_idx]] = True
            ignored_match[a_idx, t_idx, det[j_idx]] = g_ignored[a_idx, j_idx, g_idx]
            # Crowd regions stay free: many detections may fall inside one crowd.
            keep = ~crowd[j_idx, g_idx]
            taken[a_idx[keep], t_idx[keep], j_idx[keep], g_idx[keep]] = True

    lows = np.array([r[1] for r in COCO_AREA_RANGES])[:n_areas, None]
    highs = np.array([r[2] for r in COCO_AREA_RANGES])[:n_areas, None]
    outside = (det_area[None, :] < lows) | (det_area[None, :] > highs)  # (A, D)
    ignored = ignored_match | (~matched & outside[:, None, :])
    return _CocoMatches(matched=matched, ignored=ignored)


def _last_argmax(mask: BoolArray, values: FloatArray) -> IntArray:
    """Index of the largest ``values`` where ``mask`` holds, the last one on ties (pycocotools' ``<``)."""
    masked = np.where(mask, values, -1.0)
    width = masked.shape[-1]
    index: IntArray = (width - 1 - np.argmax(masked[..., ::-1], axis=-1)).astype(np.int64)
    return index


def coco_map(ground_truths: Sequence[Annotation], detections: Sequence[Annotation]) -> CocoMetrics:
    """COCO box AP and AR, matching pycocotools' ``COCOeval(iouType="bbox")`` with default parameters.

    For each image and category, detections are taken by descending score (ties in input order) and at most
    100 are kept. At each IoU threshold 0.50, 0.55, …, 0.95 a detection matches the still-unmatched ground
    truth of highest IoU, if that IoU reaches the threshold. Crowd ground truths (``iscrowd``) are ignored:
    their IoU is intersection / detection area, they can absorb any number of detections, and detections
    matched to them count as neither TP nor FP. Precision is interpolated at the 101 recall points
    0, 0.01, …, 1 and averaged over thresholds, then over categories that have a non-crowd ground truth.

    Args:
        ground_truths: ``{"image_id", "category_id", "bbox": [x, y, width, height]}`` records with optional
            ``"iscrowd"`` (default 0) and ``"area"`` (default ``width * height``; COCO uses the segmentation
            area here, and it decides the small/medium/large range).
        detections: ``{"image_id", "category_id", "bbox", "score"}`` records (their area is always
            ``width * height``, as pycocotools' ``loadRes`` sets it).

    Returns:
        The twelve summary metrics and per-class AP@[.50:.95]. Categories and images are those that appear
        in either list.

    Raises:
        EngineError: malformed annotations (missing field, negative width or height, non-finite score).
    """
    gt = _parse(ground_truths, "ground_truths", detection=False)
    dt = _parse(detections, "detections", detection=True)

    image_ids = np.unique(np.concatenate((gt.image, dt.image)))
    category_ids = np.unique(np.concatenate((gt.category, dt.category)))
    n_images = max(int(image_ids.size), 1)
    n_categories = int(category_ids.size)
    gt_category = np.searchsorted(category_ids, gt.category)
    gt_key = gt_category * n_images + np.searchsorted(image_ids, gt.image)
    dt_key = np.searchsorted(category_ids, dt.category) * n_images + np.searchsorted(
        image_ids, dt.image
    )

    # Detections grouped by (category, image), in descending score, input order on ties; top 100 kept.
    order = np.lexsort((-dt.score, dt_key))
    sorted_key = dt_key[order]
    group_start = np.ones(order.size, dtype=np.bool_)
    group_start[1:] = sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(group_start)
    rank = (
        np.arange(order.size) - starts[np.cumsum(group_start) - 1]
        if order.size
        else np.zeros(0, np.int64)
    )
    kept = rank < COCO_MAX_DETECTIONS
    order, rank, det_key = order[kept], rank[kept], sorted_key[kept]
    boxes = dt.bbox[order]
    scores = dt.score[order]
    det_category = det_key // n_images

    lows = np.array([r[1] for r in COCO_AREA_RANGES])[:, None]
    highs = np.array([r[2] for r in COCO_AREA_RANGES])[:, None]
    gt_ignore = (
        gt.iscrowd[None, :] | (gt.area[None, :] < lows) | (gt.area[None, :] > highs)
    )  # (A, G)
    matches = _coco_match(gt, gt_ignore, gt_key, boxes, boxes[:, 2] * boxes[:, 3], det_key)

    # COCOeval.accumulate: per category, all images' detections in descending score; ties keep the
    # (image, rank) order, which a stable sort of the grouped order gives.
    acc = np.lexsort((-scores, det_category))
    counted = ~matches.ignored[:, :, acc]
    tps = matches.matched[:, :, acc] & counted
    fps = ~matches.matched[:, :, acc] & counted
    acc_rank = rank[acc]
    bounds = np.searchsorted(det_category[acc], np.arange(n_categories + 1))
    positives = np.stack(
        [np.bincount(gt_category[~ig], minlength=n_categories) for ig in gt_ignore]
    )  # (A, K) non-ignored ground truths

    n_areas, n_thr, n_rec = (
        len(COCO_AREA_RANGES),
        COCO_IOU_THRESHOLDS.size,
        COCO_RECALL_THRESHOLDS.size,
    )
    precision = -np.ones((n_areas, n_thr, n_rec, n_categories))
    recall_100 = -np.ones((n_areas, n_thr, n_categories))
    recall_all_area = {m: -np.ones((n_thr, n_categories)) for m in _COCO_MAX_DETS_FOR_RECALL[:-1]}
    eps = np.spacing(1)
    for k in range(n_categories):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        n_det = hi - lo
        tp_sum = np.cumsum(tps[:, :, lo:hi], axis=2).astype(np.float64)
        fp_sum = np.cumsum(fps[:, :, lo:hi], axis=2).astype(np.float64)
        for a in range(n_areas):
            npig = int(positives[a, k])
            if npig == 0:
                continue
            rc = tp_sum[a] / npig
            pr = tp_sum[a] / (fp_sum[a] + tp_sum[a] + eps)
            recall_100[a, :, k] = rc[:, -1] if n_det else 0.0
            if a == 0:
                for m, table in recall_all_area.items():
                    found = np.count_nonzero(tps[0, :, lo:hi] & (acc_rank[lo:hi] < m), axis=1)
                    table[:, k] = found / npig
            if n_det == 0:
                precision[a, :, :, k] = 0.0
                continue
            envelope = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]
            for t in range(n_thr):
                index = np.searchsorted(rc[t], COCO_RECALL_THRESHOLDS, side="left")
                reached = index < n_det
                row = np.zeros(n_rec)
                row[reached] = envelope[t, index[reached]]
                precision[a, t, :, k] = row

    return CocoMetrics(
        map=_mean_present(precision[0]),
        map_50=_mean_present(precision[0, 0]),
        map_75=_mean_present(precision[0, 5]),
        map_small=_mean_present(precision[1]),
        map_medium=_mean_present(precision[2]),
        map_large=_mean_present(precision[3]),
        mar_1=_mean_present(recall_all_area[1]),
        mar_10=_mean_present(recall_all_area[10]),
        mar_100=_mean_present(recall_100[0]),
        mar_small=_mean_present(recall_100[1]),
        mar_medium=_mean_present(recall_100[2]),
        mar_large=_mean_present(recall_100[3]),
        per_class={
            int(c): _mean_present(precision[0, :, :, k]) for k, c in enumerate(category_ids)
        },
    )
