"""Bilinear interpolation as PyTorch does it: ``F.interpolate(mode="bilinear")`` and ``F.grid_sample``.

Where an output pixel samples the input depends on ``align_corners``:

- ``align_corners=True``: the corner pixel centres of input and output coincide, ``src = dst·(in − 1)/(out − 1)``.
- ``align_corners=False`` (the default): pixels are unit squares and their edges line up,
  ``src = (dst + 0.5)·in/out − 0.5``, clamped at 0 (PyTorch clamps negative sources for bilinear).

The value at ``src`` mixes the two neighbours ``i0 = ⌊src⌋`` and ``i1 = min(i0 + 1, in − 1)`` with weights
``1 − λ`` and ``λ = src − i0``, along each axis. ``grid_sample`` takes the point in normalised coordinates
[−1, 1] instead: ``x = (g + 1)/2·(W − 1)`` with ``align_corners=True``, ``x = ((g + 1)·W − 1)/2`` without; a
neighbour outside the image contributes 0 (``padding_mode="zeros"``). Golden values from PyTorch are in
``tests/golden/interpolate.json``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cvquiz.engine._checks import FloatArray, finite_float, float_array, positive_int
from cvquiz.engine.errors import N_, EngineError

__all__ = ["SourceIndex", "grid_sample_bilinear", "resize_bilinear", "source_index"]


class SourceIndex(NamedTuple):
    """Where one output index samples the input along an axis.

    Attributes:
        src: the (continuous) source coordinate, in input pixels.
        i0: the lower neighbour.
        i1: the upper neighbour (``i0`` again at the last pixel).
        weight: λ, the weight of ``i1`` (``i0`` gets 1 − λ).
    """

    src: float
    i0: int
    i1: int
    weight: float


def source_index(dst: int, in_size: int, out_size: int, align_corners: bool) -> SourceIndex:
    """Where output index ``dst`` of a resize from ``in_size`` to ``out_size`` samples the input.

    Raises:
        EngineError: sizes below 1 or ``dst`` outside the output.
    """
    n_in = positive_int(in_size, "in_size")
    n_out = positive_int(out_size, "out_size")
    if not 0 <= dst < n_out:
        raise EngineError(N_("output index {dst} is outside 0..{last}"), dst=dst, last=n_out - 1)
    if align_corners:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = scale * dst
    else:
        src = max((n_in / n_out) * (dst + 0.5) - 0.5, 0.0)
    i0 = math.floor(src)
    i1 = i0 + 1 if i0 < n_in - 1 else i0
    weight = min(max(src - i0, 0.0), 1.0)
    return SourceIndex(src, i0, i1, weight)


def _image(image: npt.ArrayLike) -> FloatArray:
    array = float_array(image, "image")
    if array.ndim != 2 or 0 in array.shape:
        raise EngineError(
            N_("image must be a non-empty (H, W) array, got shape {shape}"), shape=array.shape
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("image must be finite"))
    return array


def resize_bilinear(
    image: npt.ArrayLike, size: tuple[int, int], align_corners: bool = False
) -> FloatArray:
    """``F.interpolate(x[None, None], size=size, mode="bilinear", align_corners=...)`` of an (H, W) image.

    Args:
        image: (H, W) values.
        size: the output (height, width).
        align_corners: PyTorch's flag (see the module docstring).

    Returns:
        The (out_h, out_w) result.

    Raises:
        EngineError: a malformed image or size.
    """
    data = _image(image)
    if len(size) != 2:
        raise EngineError(N_("size must be (height, width), got {size!r}"), size=size)
    out_h, out_w = positive_int(size[0], "size"), positive_int(size[1], "size")
    rows = [source_index(i, data.shape[0], out_h, align_corners) for i in range(out_h)]
    cols = [source_index(j, data.shape[1], out_w, align_corners) for j in range(out_w)]
    out = np.empty((out_h, out_w))
    for i, r in enumerate(rows):
        top = (1 - r.weight) * data[r.i0] + r.weight * data[r.i1]
        for j, c in enumerate(cols):
            out[i, j] = (1 - c.weight) * top[c.i0] + c.weight * top[c.i1]
    return out


def _unnormalise(coord: float, size: int, align_corners: bool) -> float:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def grid_sample_bilinear(
    image: npt.ArrayLike, x: float, y: float, align_corners: bool = False
) -> float:
    """``F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros")`` at one normalised point (x, y).

    Args:
        image: (H, W) values.
        x: the horizontal coordinate in [−1, 1] (−1 the left edge or first centre, see align_corners).
        y: the vertical coordinate.
        align_corners: PyTorch's flag.

    Returns:
        The sampled value; neighbours outside the image count as 0.

    Raises:
        EngineError: a malformed image or a non-finite point.
    """
    data = _image(image)
    h, w = data.shape
    px = _unnormalise(finite_float(x, "x"), w, align_corners)
    py = _unnormalise(finite_float(y, "y"), h, align_corners)
    x0, y0 = math.floor(px), math.floor(py)
    tx, ty = px - x0, py - y0
    total = 0.0
    for yy, wy in ((y0, 1 - ty), (y0 + 1, ty)):
        for xx, wx in ((x0, 1 - tx), (x0 + 1, tx)):
            if 0 <= yy < h and 0 <= xx < w:
                total += wy * wx * float(data[yy, xx])
    return total
