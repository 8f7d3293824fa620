"""Choosing boxes: non-maximum suppression and the anchor matcher of Faster R-CNN, as torchvision does them.

- `nms` is ``torchvision.ops.nms`` (and, with ``classes``, ``torchvision.ops.batched_nms``): visit the boxes by
  descending score, keep a box, and drop every later box whose IoU with it is *greater than* the threshold.
- `match_anchors` is ``torchvision.models.detection._utils.Matcher``: each anchor takes the ground truth it
  overlaps most; at or above the high threshold it is a match, below the low threshold a negative, in between
  ignored; with ``allow_low_quality_matches`` every anchor that is some ground truth's best anchor (ties
  included) gets its best ground truth back even when that IoU is low. `anchor_labels` turns the matches into
  the RPN's training labels (1 positive, 0 negative, −1 ignored).

Golden values from torchvision itself are in ``tests/golden/proposals.json``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import finite_float
from cvquiz.engine.detection import box_iou_matrix
from cvquiz.engine.errors import N_, EngineError

__all__ = ["BELOW_LOW_THRESHOLD", "BETWEEN_THRESHOLDS", "anchor_labels", "match_anchors", "nms"]

BELOW_LOW_THRESHOLD = -1
"""`match_anchors`' value for an anchor whose best IoU is below the low threshold (a negative)."""

BETWEEN_THRESHOLDS = -2
"""`match_anchors`' value for an anchor whose best IoU lies in [low, high) (ignored in training)."""


def _scores(scores: npt.ArrayLike, count: int) -> npt.NDArray[np.float64]:
    try:
        array = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EngineError(N_("scores must be a sequence of numbers, one per box")) from exc
    if array.shape != (count,):
        raise EngineError(
            N_("scores must hold one number per box ({count}), got shape {shape}"),
            count=count,
            shape=array.shape,
        )
    if not np.isfinite(array).all():
        raise EngineError(N_("scores must be finite"))
    return array


def nms(
    boxes: npt.ArrayLike,
    scores: npt.ArrayLike,
    iou_threshold: float,
    classes: Sequence[int] | None = None,
) -> list[int]:
    """Indices of the boxes non-maximum suppression keeps, by descending score.

    Args:
        boxes: ``(N, 4)`` boxes as ``(x1, y1, x2, y2)``.
        scores: ``N`` scores.
        iou_threshold: a box is suppressed by a kept box when their IoU is strictly greater than this.
        classes: optional class of each box; boxes of different classes never suppress each other
            (``batched_nms``).

    Returns:
        The kept indices in descending order of score (boxes of equal score in index order, as a stable sort
        gives them; torchvision leaves that order unspecified).

    Raises:
        EngineError: malformed boxes, scores, classes or a non-finite threshold.
    """
    iou = box_iou_matrix(boxes, boxes)
    count = iou.shape[0]
    values = _scores(scores, count)
    threshold = finite_float(iou_threshold, "iou_threshold")
    if classes is not None:
        labels = np.asarray(classes)
        if labels.shape != (count,) or (count and labels.dtype.kind not in "iu"):
            raise EngineError(N_("classes must hold one integer per box ({count})"), count=count)
        iou = np.where(labels[:, None] == labels[None, :], iou, 0.0)
    order = np.argsort(-values, kind="stable")
    suppressed = np.zeros(count, dtype=bool)
    kept: list[int] = []
    for i in order:
        if suppressed[i]:
            continue
        kept.append(int(i))
        suppressed |= iou[i] > threshold
    return kept


def _quality(iou_matrix: npt.ArrayLike) -> npt.NDArray[np.float64]:
    try:
        quality = np.asarray(iou_matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EngineError(
            N_("iou_matrix must be a (ground truths, anchors) array of numbers")
        ) from exc
    if quality.ndim != 2:
        raise EngineError(
            N_("iou_matrix must be a (ground truths, anchors) array, got shape {shape}"),
            shape=quality.shape,
        )
    if quality.shape[0] == 0:
        raise EngineError(
            N_("there must be at least one ground-truth box (torchvision raises too)")
        )
    if quality.shape[1] == 0:
        raise EngineError(N_("there must be at least one anchor (torchvision raises too)"))
    if not np.isfinite(quality).all():
        raise EngineError(N_("iou_matrix must be finite"))
    return quality


def match_anchors(
    iou_matrix: npt.ArrayLike,
    high_threshold: float,
    low_threshold: float,
    allow_low_quality_matches: bool = False,
) -> list[int]:
    """Match anchors to ground truths as torchvision's ``Matcher``.

    Args:
        iou_matrix: ``(M, N)`` IoUs of ``M`` ground truths (rows) with ``N`` anchors (columns).
        high_threshold: an anchor whose best IoU is at least this is matched to that ground truth.
        low_threshold: an anchor whose best IoU is below this is a negative (`BELOW_LOW_THRESHOLD`); between
            the two it is `BETWEEN_THRESHOLDS`.
        allow_low_quality_matches: also match every anchor that has the highest IoU of some ground truth
            (ties included) to its own best ground truth, whatever that IoU.

    Returns:
        One value per anchor: the matched ground truth's index, -1 or -2. An anchor's best ground truth is the
        first row of maximal IoU in its column.

    Raises:
        EngineError: an empty or malformed matrix, or thresholds with low > high.
    """
    quality = _quality(iou_matrix)
    high = finite_float(high_threshold, "high_threshold")
    low = finite_float(low_threshold, "low_threshold")
    if low > high:
        raise EngineError(
            N_("low_threshold {low} must be <= high_threshold {high}"), low=low, high=high
        )
    best = quality.argmax(axis=0)
    best_iou = quality[best, np.arange(quality.shape[1])]
    matches = best.astype(np.int64)
    matches[best_iou < low] = BELOW_LOW_THRESHOLD
    matches[(best_iou >= low) & (best_iou < high)] = BETWEEN_THRESHOLDS
    if allow_low_quality_matches:
        highest = quality.max(axis=1)
        anchors = np.nonzero(quality == highest[:, None])[1]
        matches[anchors] = best[anchors]
    return [int(v) for v in matches]


def anchor_labels(matches: Sequence[int]) -> list[int]:
    """The RPN's training label of each anchor from its match: 1 positive, 0 negative, -1 ignored.

    As torchvision's ``RegionProposalNetwork.assign_targets_to_anchors``: a matched anchor (index >= 0) is 1,
    `BELOW_LOW_THRESHOLD` is 0 and `BETWEEN_THRESHOLDS` is -1.

    Raises:
        EngineError: a value below -2.
    """
    labels = []
    for value in matches:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < -2:
            raise EngineError(
                N_("a match is a ground-truth index, -1 or -2, got {value!r}"), value=value
            )
        labels.append(1 if value >= 0 else (0 if value == BELOW_LOW_THRESHOLD else -1))
    return labels
