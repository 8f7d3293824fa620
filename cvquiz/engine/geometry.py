"""Camera and multiple-view geometry: pinhole projection, applying a homography, RANSAC's iteration count.

- `camera_project`: a world point X goes to camera coordinates ``X_c = R·X + t`` and to the pixel
  ``u = f_x·X_c/Z_c + γ·Y_c/Z_c + c_x``, ``v = f_y·Y_c/Z_c + c_y`` (``K = [[f_x, γ, c_x], [0, f_y, c_y], [0, 0, 1]]``),
  i.e. ``x ~ K [R | t] X`` in homogeneous coordinates.
- `homography_apply`: ``(x', y', w')ᵀ = H (x, y, 1)ᵀ`` and the point ``(x'/w', y'/w')``.
- `ransac_iterations`: the fewest iterations N for which the chance that at least one of N random minimal
  samples of s points is all inliers reaches the confidence p, with inlier ratio w:
  ``1 − (1 − wˢ)ᴺ ≥ p``, i.e. ``N = ⌈log(1 − p) / log(1 − wˢ)⌉`` (Hartley & Zisserman, §4.7.1). OpenCV's
  ``RANSACUpdateNumIters`` rounds to the nearest integer instead of up.

Golden values come from independent NumPy/SciPy code (``tests/golden/geometry.json``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import FloatArray, finite_float, float_array, positive_int
from cvquiz.engine.errors import N_, EngineError

__all__ = ["Projection", "camera_project", "homography_apply", "intrinsics", "ransac_iterations"]


class Projection(NamedTuple):
    """A point projected by a pinhole camera.

    Attributes:
        camera_point: X_c = R·X + t, the point in camera coordinates.
        pixel: (u, v).
    """

    camera_point: tuple[float, float, float]
    pixel: tuple[float, float]


def intrinsics(fx: float, fy: float, cx: float, cy: float, skew: float = 0.0) -> FloatArray:
    """The 3×3 intrinsic matrix K."""
    return np.array(
        [
            [finite_float(fx, "fx"), finite_float(skew, "skew"), finite_float(cx, "cx")],
            [0.0, finite_float(fy, "fy"), finite_float(cy, "cy")],
            [0.0, 0.0, 1.0],
        ]
    )


def _matrix(value: npt.ArrayLike, name: str, shape: tuple[int, ...]) -> FloatArray:
    array = float_array(value, name)
    if array.shape != shape:
        raise EngineError(
            N_("{name} must have shape {shape}, got {array_shape}"),
            name=name,
            shape=shape,
            array_shape=array.shape,
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite"), name=name)
    return array


def camera_project(
    K: npt.ArrayLike,
    point: Sequence[float],
    R: npt.ArrayLike | None = None,
    t: Sequence[float] | None = None,
) -> Projection:
    """Project a 3-D point to a pixel with a pinhole camera.

    Args:
        K: the 3×3 intrinsic matrix (last row 0, 0, 1).
        point: X in world coordinates (camera coordinates when R and t are omitted).
        R: the 3×3 world-to-camera rotation (identity by default).
        t: the world-to-camera translation (zero by default).

    Returns:
        The `Projection`.

    Raises:
        EngineError: malformed arguments, a K whose last row is not (0, 0, 1), or a point not in front of the
            camera (Z_c <= 0).
    """
    k = _matrix(K, "K", (3, 3))
    if not np.array_equal(k[2], [0.0, 0.0, 1.0]):
        raise EngineError(N_("K's last row must be (0, 0, 1), got {row}"), row=k[2].tolist())
    x = _matrix(point, "point", (3,))
    rotation = np.eye(3) if R is None else _matrix(R, "R", (3, 3))
    shift = np.zeros(3) if t is None else _matrix(t, "t", (3,))
    cam = rotation @ x + shift
    if cam[2] <= 0:
        raise EngineError(
            N_("the point is not in front of the camera (Z_c = {z:g} <= 0)"), z=cam[2]
        )
    image = k @ cam
    return Projection(
        (float(cam[0]), float(cam[1]), float(cam[2])),
        (float(image[0] / image[2]), float(image[1] / image[2])),
    )


def homography_apply(H: npt.ArrayLike, point: Sequence[float]) -> tuple[float, float]:
    """Map a point by a 3×3 homography: ``(x', y', w') = H (x, y, 1)`` and return ``(x'/w', y'/w')``.

    Raises:
        EngineError: malformed arguments or a point mapped to infinity (w' = 0).
    """
    h = _matrix(H, "H", (3, 3))
    p = _matrix(point, "point", (2,))
    mapped = h @ np.array([p[0], p[1], 1.0])
    if mapped[2] == 0:
        raise EngineError(N_("the point maps to infinity (w' = 0)"))
    return float(mapped[0] / mapped[2]), float(mapped[1] / mapped[2])


def ransac_iterations(inlier_ratio: float, sample_size: int, confidence: float) -> int:
    """The fewest RANSAC iterations N with ``1 − (1 − wˢ)ᴺ ≥ p``: ``⌈log(1 − p) / log(1 − wˢ)⌉``.

    A quotient within 1e-9 (relative) of a whole number counts as that number, so that ``w = 0.5, s = 1,
    p = 0.75`` gives 2, not 3 through rounding error.

    Args:
        inlier_ratio: w, in (0, 1].
        sample_size: s, the points of a minimal sample (2 for a line, 4 for a homography, 8 or 7 for F).
        confidence: p, in (0, 1).

    Returns:
        N (1 when w = 1: any sample is all inliers).

    Raises:
        EngineError: w outside (0, 1], s < 1, or p outside (0, 1).
    """
    w = finite_float(inlier_ratio, "inlier_ratio")
    s = positive_int(sample_size, "sample_size")
    p = finite_float(confidence, "confidence")
    if not 0 < w <= 1:
        raise EngineError(N_("inlier_ratio must lie in (0, 1], got {w}"), w=w)
    if not 0 < p < 1:
        raise EngineError(N_("confidence must lie in (0, 1), got {p}"), p=p)
    good = w**s
    if good >= 1:
        return 1
    if good <= 0:  # underflow: no sample is ever clean
        raise EngineError(
            N_("an inlier ratio of {w} with samples of {s} never gives a clean sample"), w=w, s=s
        )
    quotient = math.log1p(-p) / math.log1p(-good)
    nearest = round(quotient)
    if nearest >= 1 and abs(quotient - nearest) <= 1e-9 * nearest:
        return int(nearest)
    return max(1, math.ceil(quotient))
