"""Semantic-segmentation scores from label maps or a confusion matrix: per-class IoU and Dice, mIoU, mDice.

The confusion matrix has the ground truth in rows and the prediction in columns (as torchvision's
segmentation reference scripts and scikit-learn lay it out). For class c, with TP the diagonal entry, FP the
rest of its column and FN the rest of its row:

    IoU_c = TP / (TP + FP + FN)        Dice_c = 2TP / (2TP + FP + FN)

A class absent from both the ground truth and the prediction has 0/0: its IoU and Dice are undefined (NaN)
and it is left out of the means, as ``np.nanmean`` over torchvision's ``ConfusionMatrix.compute()`` and
mmsegmentation's ``mean_iou`` do. Pixels whose ground truth is ``ignore_index`` count nowhere. Golden values
come from the torchvision reference's confusion-matrix code run in PyTorch (``tests/golden/segmentation.json``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import FloatArray, positive_int
from cvquiz.engine.errors import N_, EngineError

__all__ = ["SegmentationScores", "segmentation_confusion", "segmentation_scores"]


class SegmentationScores(NamedTuple):
    """Scores of a label map against its ground truth.

    Attributes:
        confusion: (C, C) counts, ground truth in rows, prediction in columns.
        iou: per-class IoU, NaN for a class in neither map.
        dice: per-class Dice (F1), NaN for a class in neither map.
        miou: the mean of the defined per-class IoUs.
        mdice: the mean of the defined per-class Dice scores.
        pixel_accuracy: the fraction of counted pixels labelled correctly.
    """

    confusion: npt.NDArray[np.int64]
    iou: FloatArray
    dice: FloatArray
    miou: float
    mdice: float
    pixel_accuracy: float


def segmentation_confusion(
    target: npt.ArrayLike,
    prediction: npt.ArrayLike,
    num_classes: int,
    ignore_index: int | None = None,
) -> npt.NDArray[np.int64]:
    """The (C, C) confusion matrix of two label maps, ground truth in rows.

    Args:
        target: the ground-truth label map (any shape) of integers in [0, C), or ``ignore_index``.
        prediction: the predicted label map, same shape, integers in [0, C).
        num_classes: C.
        ignore_index: a ground-truth label whose pixels are not counted (255 in VOC, Cityscapes).

    Raises:
        EngineError: shapes that differ, non-integer labels or labels out of range.
    """
    classes = positive_int(num_classes, "num_classes")
    true = np.asarray(target)
    pred = np.asarray(prediction)
    if true.shape != pred.shape:
        raise EngineError(
            N_("target {true_shape} and prediction {pred_shape} differ in shape"),
            true_shape=true.shape,
            pred_shape=pred.shape,
        )
    for name, labels in (("target", true), ("prediction", pred)):
        if labels.size and labels.dtype.kind not in "iu":
            raise EngineError(N_("{name} must hold integer labels"), name=name)
    keep = np.ones(true.shape, dtype=bool) if ignore_index is None else true != ignore_index
    true, pred = true[keep].astype(np.int64), pred[keep].astype(np.int64)
    for name, labels in (("target", true), ("prediction", pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise EngineError(
                N_("{name} holds a label outside [0, {classes})"), name=name, classes=classes
            )
    counts = np.bincount(true * classes + pred, minlength=classes * classes)
    return counts.reshape(classes, classes).astype(np.int64)


def _nanmean(values: FloatArray) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else math.nan


def segmentation_scores(confusion: npt.ArrayLike) -> SegmentationScores:
    """Per-class IoU and Dice, their means over the defined classes, and pixel accuracy.

    Args:
        confusion: a (C, C) matrix of non-negative counts, ground truth in rows and prediction in columns
            (from `segmentation_confusion`, or given).

    Returns:
        The `SegmentationScores`.

    Raises:
        EngineError: a matrix that is not square or holds negative or non-integer counts.
    """
    matrix = np.asarray(confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise EngineError(
            N_("the confusion matrix must be square (C, C), got shape {shape}"), shape=matrix.shape
        )
    if matrix.dtype.kind not in "iu" and not (
        matrix.dtype.kind == "f"
        and np.all(np.isfinite(matrix))
        and np.all(matrix == np.round(matrix))
    ):
        raise EngineError(N_("the confusion matrix must hold whole counts"))
    counts = matrix.astype(np.int64)
    if np.any(counts < 0):
        raise EngineError(N_("the confusion matrix must not hold negative counts"))
    tp = np.diag(counts).astype(np.float64)
    rows = counts.sum(axis=1).astype(np.float64)
    cols = counts.sum(axis=0).astype(np.float64)
    union = rows + cols - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, tp / union, np.nan)
        dice = np.where(rows + cols > 0, 2 * tp / (rows + cols), np.nan)
    total = counts.sum()
    return SegmentationScores(
        confusion=counts,
        iou=iou,
        dice=dice,
        miou=_nanmean(iou),
        mdice=_nanmean(dice),
        pixel_accuracy=float(tp.sum() / total) if total else math.nan,
    )
