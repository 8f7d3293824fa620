"""Object keypoint similarity (OKS), as pycocotools' ``COCOeval.computeOks``.

For a ground-truth person of area ``s²`` (the segment area COCO stores) with keypoints ``(x_i, y_i, v_i)`` and a
prediction ``(x̂_i, ŷ_i)``, each keypoint type having a constant σ_i (COCO's per-keypoint standard deviations,
e.g. 0.026 for the nose and 0.107 for the hips):

    OKS = mean over labelled keypoints (v_i > 0) of exp(−d_i² / (2·s²·k_i²)),   k_i = 2σ_i

pycocotools adds ``np.spacing(1)`` to the area. When the ground truth has no labelled keypoint, every keypoint
counts, with d measured to the box that extends the ground-truth box by its own width and height on each side.
Golden values from pycocotools are in ``tests/golden/keypoints.json``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import FloatArray, finite_float, float_array
from cvquiz.engine.errors import N_, EngineError

__all__ = ["COCO_KEYPOINT_NAMES", "COCO_KEYPOINT_SIGMAS", "oks"]

COCO_KEYPOINT_NAMES = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
"""COCO's 17 person keypoints, in order."""

COCO_KEYPOINT_SIGMAS = (
    0.026,
    0.025,
    0.025,
    0.035,
    0.035,
    0.079,
    0.079,
    0.072,
    0.072,
    0.062,
    0.062,
    0.107,
    0.107,
    0.087,
    0.087,
    0.089,
    0.089,
)
"""pycocotools' ``kpt_oks_sigmas`` (its array of .26, .25, ... divided by 10), in `COCO_KEYPOINT_NAMES` order."""


def _points(value: npt.ArrayLike, name: str, columns: tuple[int] | tuple[int, int]) -> FloatArray:
    array = float_array(value, name)
    if array.ndim != 2 or array.shape[1] not in columns or array.shape[0] == 0:
        if len(columns) == 1:
            raise EngineError(
                N_("{name} must be a (K, {columns}) array, got shape {shape}"),
                name=name,
                columns=columns[0],
                shape=array.shape,
            )
        raise EngineError(
            N_("{name} must be a (K, {first}) or (K, {last}) array, got shape {shape}"),
            name=name,
            first=columns[0],
            last=columns[-1],
            shape=array.shape,
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite"), name=name)
    return array


def oks(
    gt_keypoints: npt.ArrayLike,
    dt_keypoints: npt.ArrayLike,
    area: float,
    sigmas: npt.ArrayLike = COCO_KEYPOINT_SIGMAS,
    gt_bbox: npt.ArrayLike | None = None,
) -> float:
    """The OKS of a predicted pose against a ground-truth pose.

    Args:
        gt_keypoints: (K, 3) ground truth ``(x, y, v)``; v > 0 marks a labelled keypoint.
        dt_keypoints: (K, 2) or (K, 3) prediction (a third column, the score, is ignored).
        area: the ground truth's area s² (> 0 in practice; pycocotools adds ``np.spacing(1)``).
        sigmas: K per-keypoint σ (COCO's by default).
        gt_bbox: the ground truth's ``[x, y, w, h]`` box, needed only when no keypoint is labelled.

    Returns:
        The OKS in (0, 1].

    Raises:
        EngineError: mismatched shapes, non-finite values, a negative area or sigma, or no labelled keypoint
            and no box.
    """
    gt = _points(gt_keypoints, "gt_keypoints", (3,))
    dt = _points(dt_keypoints, "dt_keypoints", (2, 3))
    k = gt.shape[0]
    if dt.shape[0] != k:
        raise EngineError(
            N_("dt_keypoints has {count} keypoints but gt_keypoints has {k}"),
            count=dt.shape[0],
            k=k,
        )
    sig = float_array(sigmas, "sigmas")
    if sig.shape != (k,) or not np.all(np.isfinite(sig)) or np.any(sig <= 0):
        raise EngineError(
            N_("sigmas must be {k} positive numbers, got shape {shape}"), k=k, shape=sig.shape
        )
    s2 = finite_float(area, "area")
    if s2 < 0:
        raise EngineError(N_("area must be non-negative, got {s2}"), s2=s2)
    variances = (2 * sig) ** 2
    labelled = gt[:, 2] > 0
    if labelled.any():
        dx = dt[:, 0] - gt[:, 0]
        dy = dt[:, 1] - gt[:, 1]
    else:
        if gt_bbox is None:
            raise EngineError(N_("no ground-truth keypoint is labelled: give gt_bbox"))
        box = float_array(gt_bbox, "gt_bbox")
        if box.shape != (4,) or not np.all(np.isfinite(box)):
            raise EngineError(N_("gt_bbox must be four finite numbers [x, y, w, h]"))
        x0, x1 = box[0] - box[2], box[0] + box[2] * 2
        y0, y1 = box[1] - box[3], box[1] + box[3] * 2
        zero = np.zeros(k)
        dx = np.maximum(zero, x0 - dt[:, 0]) + np.maximum(zero, dt[:, 0] - x1)
        dy = np.maximum(zero, y0 - dt[:, 1]) + np.maximum(zero, dt[:, 1] - y1)
    e = (dx**2 + dy**2) / variances / (s2 + np.spacing(1)) / 2
    if labelled.any():
        e = e[labelled]
    return float(np.sum(np.exp(-e)) / e.shape[0])
