"""2-D convolution and cross-correlation of an image with a kernel, in the full, same and valid modes.

These follow `scipy.signal.convolve2d` and `scipy.signal.correlate2d` with zero fill, element for element
(golden tests in `tests/test_engine_signal.py`). A deep-learning "convolution" layer (`torch.nn.Conv2d`,
`tf.nn.conv2d`) computes the **cross-correlation**: it slides the kernel as it is, without flipping it, so
`Conv2d` with padding p equals `correlate2d(zero_padded_image, kernel, "valid")`. True convolution flips the
kernel by 180° first: `convolve2d(a, k) == correlate2d(a, k[::-1, ::-1])` in the full mode.

The modes, for an image of size H and a kernel of size K along an axis:

- full: every position where kernel and image overlap at all, H + K − 1;
- same: the size of the image, H, taken from the centre of the full result;
- valid: only positions where the kernel lies wholly inside the image, H − K + 1 (if the kernel is the larger
  one, SciPy swaps the roles, giving K − H + 1).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import FloatArray, float_array, positive_int
from cvquiz.engine.errors import N_, EngineError

Mode: TypeAlias = Literal["full", "same", "valid"]

_MODES = ("full", "same", "valid")


def _check_mode(mode: object) -> Mode:
    if mode not in _MODES:
        raise EngineError(N_("mode must be 'full', 'same' or 'valid', got {mode!r}"), mode=mode)
    return mode  # type: ignore[return-value]


def _matrix(value: ArrayLike, name: str) -> FloatArray:
    array = float_array(value, name)
    if array.ndim != 2:
        raise EngineError(
            N_("{name} must be a 2-D array, got {ndim} dimension(s)"), name=name, ndim=array.ndim
        )
    if array.size == 0:
        raise EngineError(
            N_("{name} must not be empty, got shape {shape}"), name=name, shape=array.shape
        )
    return array


def _full_convolution(image: FloatArray, kernel: FloatArray) -> FloatArray:
    # Convolution commutes, so loop over the taps of whichever array is smaller.
    small, big = (kernel, image) if kernel.size <= image.size else (image, kernel)
    rows = image.shape[0] + kernel.shape[0] - 1
    cols = image.shape[1] + kernel.shape[1] - 1
    out = np.zeros((rows, cols), dtype=np.float64)
    big_rows, big_cols = big.shape
    for (i, j), tap in np.ndenumerate(small):
        out[i : i + big_rows, j : j + big_cols] += tap * big
    return out


def _crop(
    full: FloatArray, image: FloatArray, kernel: FloatArray, mode: Mode, flip: bool
) -> FloatArray:
    if mode == "full":
        return full
    if mode == "same":
        # The centre of an even kernel sits on its lower index for convolution and its upper index for
        # correlation (the kernel is flipped), which is where SciPy puts the window.
        starts = [(k // 2 if flip else (k - 1) // 2) for k in kernel.shape]
        rows, cols = image.shape
        return full[starts[0] : starts[0] + rows, starts[1] : starts[1] + cols]
    image_bigger = all(a >= b for a, b in zip(image.shape, kernel.shape, strict=True))
    kernel_bigger = all(b >= a for a, b in zip(image.shape, kernel.shape, strict=True))
    if not (image_bigger or kernel_bigger):
        raise EngineError(
            N_(
                "mode 'valid' needs one array at least as large as the other in every dimension, got "
                "image {image_shape} and kernel {kernel_shape}"
            ),
            image_shape=image.shape,
            kernel_shape=kernel.shape,
        )
    starts = [min(a, b) - 1 for a, b in zip(image.shape, kernel.shape, strict=True)]
    sizes = [abs(a - b) + 1 for a, b in zip(image.shape, kernel.shape, strict=True)]
    return full[starts[0] : starts[0] + sizes[0], starts[1] : starts[1] + sizes[1]]


def convolve2d(image: ArrayLike, kernel: ArrayLike, mode: Mode = "full") -> FloatArray:
    """True 2-D convolution (kernel flipped by 180°) with zero fill, as `scipy.signal.convolve2d`.

    Note that a deep-learning conv layer does not compute this but `correlate2d`.

    Args:
        image: 2-D array of real numbers.
        kernel: 2-D array of real numbers.
        mode: "full" (H+K−1), "same" (H, centred as SciPy centres it) or "valid" (H−K+1).

    Returns:
        The result as a float64 array.

    Raises:
        EngineError: arrays that are not 2-D, empty or not real; an unknown mode; in the valid mode, arrays
            neither of which is at least as large as the other in both dimensions.
    """
    mode = _check_mode(mode)
    a = _matrix(image, "image")
    k = _matrix(kernel, "kernel")
    return _crop(_full_convolution(a, k), a, k, mode, flip=False)


def correlate2d(image: ArrayLike, kernel: ArrayLike, mode: Mode = "full") -> FloatArray:
    """2-D cross-correlation (kernel not flipped) with zero fill, as `scipy.signal.correlate2d`.

    This is what `torch.nn.Conv2d` computes: with padding p and stride 1, one output channel of a one-channel
    Conv2d is `correlate2d(np.pad(image, p), kernel, "valid")`.

    Args:
        image: 2-D array of real numbers.
        kernel: 2-D array of real numbers.
        mode: "full" (H+K−1), "same" (H, centred as SciPy centres it) or "valid" (H−K+1).

    Returns:
        The result as a float64 array.

    Raises:
        EngineError: arrays that are not 2-D, empty or not real; an unknown mode; in the valid mode, arrays
            neither of which is at least as large as the other in both dimensions.
    """
    mode = _check_mode(mode)
    a = _matrix(image, "image")
    k = _matrix(kernel, "kernel")
    return _crop(_full_convolution(a, k[::-1, ::-1]), a, k, mode, flip=True)


def conv_mode_output_size(n: int, k: int, mode: Mode) -> int:
    """Output length along one axis of `convolve2d` / `correlate2d` in a given mode.

    Args:
        n: image length.
        k: kernel length.
        mode: "full" gives n + k − 1, "same" gives n, "valid" gives n − k + 1 (k − n + 1 if the kernel is
            longer, as SciPy swaps the arrays).

    Returns:
        The output length.

    Raises:
        EngineError: non-positive lengths or an unknown mode.
    """
    mode = _check_mode(mode)
    size = positive_int(n, "n")
    kernel = positive_int(k, "k")
    if mode == "full":
        return size + kernel - 1
    if mode == "same":
        return size
    return abs(size - kernel) + 1
