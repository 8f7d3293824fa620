"""Convolution layers on (N, C, H, W) arrays: conv2d, unfold (im2col), max pooling, depthwise-separable conv.

These compute what `torch.nn.functional.conv2d`, `unfold` and `max_pool2d` compute, element for element
(golden tests in `tests/test_engine_conv.py`, values from PyTorch through `tests/golden/make_golden_code.py`).
Like every deep-learning conv layer, `conv2d` is a **cross-correlation**: the kernel slides as it is, unflipped;
padding adds zeros, except in `max_pool2d`, whose padding is −∞ so that it never wins a window.

Shapes are checked with the same rules as `cvquiz.engine.shapes` (a kernel larger than the padded input, groups
that do not divide the channels, pooling padding above half the kernel all raise `EngineError`). An empty batch
(N = 0) is allowed, as in PyTorch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cvquiz.engine._checks import (
    FloatArray,
    IntPair,
    float_array,
    non_negative_pair,
    positive_int,
    positive_pair,
)
from cvquiz.engine.errors import N_, EngineError
from cvquiz.engine.shapes import conv2d_output_shape, pool2d_output_shape

__all__ = ["conv2d", "depthwise_separable_conv2d", "max_pool2d", "unfold"]


def _nchw(value: ArrayLike, name: str) -> FloatArray:
    array = float_array(value, name)
    if array.ndim != 4:
        raise EngineError(
            N_("{name} must be an (N, C, H, W) array, got shape {shape}"),
            name=name,
            shape=tuple(array.shape),
        )
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite (no NaN or infinity)"), name=name)
    return array


def _taps(
    padded: FloatArray,
    out_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> list[tuple[int, int, FloatArray]]:
    """Each kernel tap (i, j) with the (N, C, OH, OW) input values it meets at every output position."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, stride, dilation
    taps = []
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            taps.append((i, j, padded[:, :, rows, cols]))
    return taps


def _pad(x: FloatArray, pads: tuple[int, int], value: float) -> FloatArray:
    ph, pw = pads
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def conv2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> FloatArray:
    """2-D convolution layer (cross-correlation with zero padding), as `torch.nn.functional.conv2d`.

    out[n, f, i, j] = b[f] + Σ_{c, u, v} w[f, c, u, v] · x_pad[n, g·C/G + c, i·s + u·d, j·s + v·d], where g is
    the group of filter f.

    Args:
        x: (N, C, H, W) input; finite.
        weight: (F, C / groups, KH, KW) filters; finite.
        bias: (F,) or None.
        stride: int or (sh, sw).
        padding: int or (ph, pw) zeros on each side.
        dilation: int or (dh, dw).
        groups: channel groups; must divide C and F.

    Returns:
        (N, F, OH, OW) as float64.

    Raises:
        EngineError: arrays of the wrong rank or shape, non-finite values, groups not dividing the channels, or
            a (dilated) kernel larger than the padded input.
    """
    data = _nchw(x, "x")
    w = _nchw(weight, "weight")
    g = positive_int(groups, "groups")
    n, c = data.shape[:2]
    f, c_per_group = w.shape[:2]
    if c_per_group * g != c:
        raise EngineError(
            N_(
                "weight has {c_per_group} input channel(s) per group × {g} group(s) = {total}, but x has "
                "{c} channels"
            ),
            c_per_group=c_per_group,
            g=g,
            total=c_per_group * g,
            c=c,
        )
    shape = conv2d_output_shape(data.shape, f, w.shape[2:], stride, padding, dilation, g)
    strides = positive_pair(stride, "stride")
    dilations = positive_pair(dilation, "dilation")
    padded = _pad(data, non_negative_pair(padding, "padding"), 0.0)
    out = np.zeros((n, g, f // g, shape[2], shape[3]))
    w_groups = w.reshape(g, f // g, c_per_group, *w.shape[2:])
    for i, j, patch in _taps(padded, shape[2:], w.shape[2:], strides, dilations):
        grouped = patch.reshape(n, g, c_per_group, shape[2], shape[3])
        out += np.einsum("ngchw,gfc->ngfhw", grouped, w_groups[:, :, :, i, j])
    result = out.reshape(shape)
    if bias is not None:
        b = float_array(bias, "bias")
        if b.shape != (f,):
            raise EngineError(
                N_("bias must have one entry per filter ({f}), got shape {shape}"),
                f=f,
                shape=b.shape,
            )
        if not np.all(np.isfinite(b)):
            raise EngineError(N_("bias must be finite (no NaN or infinity)"))
        result = result + b.reshape(1, f, 1, 1)
    return result


def unfold(
    x: ArrayLike,
    kernel_size: IntPair,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> FloatArray:
    """The sliding windows of an image as columns (im2col), as `torch.nn.functional.unfold`.

    Row c·KH·KW + u·KW + v of column l holds x_pad[n, c, i·s + u·d, j·s + v·d] for output position
    l = i·OW + j, so `conv2d` is `weight.reshape(F, -1) @ unfold(x)` reshaped to (N, F, OH, OW).

    Args:
        x: (N, C, H, W) input; finite.
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw).
        padding: int or (ph, pw) zeros on each side.
        dilation: int or (dh, dw).

    Returns:
        (N, C·KH·KW, OH·OW) as float64.

    Raises:
        EngineError: an input that is not (N, C, H, W) and finite, or a kernel larger than the padded input.
    """
    data = _nchw(x, "x")
    kernel = positive_pair(kernel_size, "kernel_size")
    shape = conv2d_output_shape(data.shape, 1, kernel, stride, padding, dilation)
    padded = _pad(data, non_negative_pair(padding, "padding"), 0.0)
    taps = _taps(
        padded,
        shape[2:],
        kernel,
        positive_pair(stride, "stride"),
        positive_pair(dilation, "dilation"),
    )
    n, c = data.shape[:2]
    stacked = np.stack([patch for _, _, patch in taps], axis=2)  # (N, C, KH·KW, OH, OW)
    return stacked.reshape(n, c * kernel[0] * kernel[1], shape[2] * shape[3])


def max_pool2d(
    x: ArrayLike,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
) -> FloatArray:
    """Max pooling, as `torch.nn.functional.max_pool2d`: padding is −∞, so it never wins a window.

    Args:
        x: (N, C, H, W) input; finite.
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw); None means the kernel size (PyTorch's default).
        padding: int or (ph, pw) on each side; at most half the kernel size.
        dilation: int or (dh, dw).
        ceil_mode: round the output size up (a window starting in the right padding is dropped).

    Returns:
        (N, C, OH, OW) as float64.

    Raises:
        EngineError: where `pool2d_output_shape` raises, or an input that is not (N, C, H, W) and finite.
    """
    data = _nchw(x, "x")
    kernel = positive_pair(kernel_size, "kernel_size")
    shape = pool2d_output_shape(data.shape, kernel, stride, padding, dilation, ceil_mode)
    strides = kernel if stride is None else positive_pair(stride, "stride")
    dilations = positive_pair(dilation, "dilation")
    pads = non_negative_pair(padding, "padding")
    padded = _pad(data, pads, -np.inf)
    # With ceil_mode the last window may reach past the right padding: more −∞ there.
    need = [
        (o - 1) * s + d * (k - 1) + 1 - size
        for o, s, d, k, size in zip(
            shape[2:], strides, dilations, kernel, padded.shape[2:], strict=True
        )
    ]
    if max(need) > 0:
        extra = ((0, 0), (0, 0), (0, max(need[0], 0)), (0, max(need[1], 0)))
        padded = np.pad(padded, extra, constant_values=-np.inf)
    out = np.full(shape, -np.inf)
    for _, _, patch in _taps(padded, shape[2:], kernel, strides, dilations):
        np.maximum(out, patch, out=out)
    return out


def depthwise_separable_conv2d(
    x: ArrayLike,
    w_depthwise: ArrayLike,
    w_pointwise: ArrayLike,
    stride: IntPair = 1,
    padding: IntPair = 0,
) -> FloatArray:
    """A depthwise-separable convolution (MobileNet): a depthwise conv, then a 1×1 pointwise conv, no bias.

    The depthwise step is `conv2d` with groups = C (each channel filtered by its own kernel); the pointwise step
    mixes the channels with a 1×1 `conv2d`.

    Args:
        x: (N, C, H, W) input; finite.
        w_depthwise: (C, 1, KH, KW), one kernel per channel.
        w_pointwise: (F, C, 1, 1).
        stride: of the depthwise step.
        padding: zeros around the input of the depthwise step.

    Returns:
        (N, F, OH, OW) as float64.

    Raises:
        EngineError: weights of the wrong shape for x, or what `conv2d` raises.
    """
    data = _nchw(x, "x")
    depthwise = _nchw(w_depthwise, "w_depthwise")
    pointwise = _nchw(w_pointwise, "w_pointwise")
    c = data.shape[1]
    if depthwise.shape[:2] != (c, 1):
        raise EngineError(
            N_("w_depthwise must be (C, 1, KH, KW) with C = {c}, got shape {shape}"),
            c=c,
            shape=depthwise.shape,
        )
    if pointwise.shape[1:] != (c, 1, 1):
        raise EngineError(
            N_("w_pointwise must be (F, {c}, 1, 1), got shape {shape}"), c=c, shape=pointwise.shape
        )
    mid = conv2d(data, depthwise, None, stride, padding, 1, c)
    return conv2d(mid, pointwise)
