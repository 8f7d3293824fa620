"""Output shapes, parameter counts and multiply-accumulates of convolution, pooling and linear layers.

Every function follows PyTorch (`torch.nn.Conv2d`, `ConvTranspose2d`, `MaxPool2d`, `AvgPool2d`, `Linear`): the
same output sizes, and an `EngineError` wherever PyTorch raises, with a message that shows the arithmetic
("kernel height 7 with dilation 2 spans 13 > padded input height 12 (8 + 2×2 padding)"). The golden tests in
`tests/test_engine_shapes.py` compare them with PyTorch run on real tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from cvquiz.engine._checks import (
    IntPair,
    as_int,
    non_negative_int,
    non_negative_pair,
    pair,
    positive_int,
    positive_pair,
)
from cvquiz.engine.errors import N_, EngineError, Phrase

Shape4 = tuple[int, int, int, int]

_AXES = (Phrase(N_("height")), Phrase(N_("width")))
"""The spatial axes, as error messages name them (translated with the message)."""


def _input_shape(input_shape: Sequence[int]) -> Shape4:
    if isinstance(input_shape, str | bytes) or not isinstance(input_shape, Sequence):
        raise EngineError(
            N_("input_shape must be (N, C, H, W), got {input_shape!r}"), input_shape=input_shape
        )
    if len(input_shape) != 4:
        raise EngineError(
            N_("input_shape must have 4 entries (N, C, H, W), got {count}: {entries}"),
            count=len(input_shape),
            entries=tuple(input_shape),
        )
    n, c, h, w = (as_int(v, "input_shape") for v in input_shape)
    if n < 0:  # an empty batch is allowed, as in PyTorch
        raise EngineError(N_("batch size N must be non-negative, got {n}"), n=n)
    if c < 1:
        raise EngineError(N_("channels C must be positive, got {c}"), c=c)
    if h < 1 or w < 1:
        raise EngineError(N_("input height and width must be positive, got {h}×{w}"), h=h, w=w)
    return n, c, h, w


def _check_groups(in_channels: int, out_channels: int, groups: object) -> int:
    g = positive_int(groups, "groups")
    if in_channels % g:
        raise EngineError(
            N_("in_channels {in_channels} is not divisible by groups {g}"),
            in_channels=in_channels,
            g=g,
        )
    if out_channels % g:
        raise EngineError(
            N_("out_channels {out_channels} is not divisible by groups {g}"),
            out_channels=out_channels,
            g=g,
        )
    return g


def _conv_size(
    axis: Phrase, size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int:
    span = dilation * (kernel - 1) + 1
    padded = size + 2 * padding
    if span > padded and dilation != 1:
        raise EngineError(
            N_(
                "kernel {axis} {kernel} with dilation {dilation} spans {span} > padded input {axis} "
                "{padded} ({size} + 2×{padding} padding)"
            ),
            axis=axis,
            kernel=kernel,
            dilation=dilation,
            span=span,
            padded=padded,
            size=size,
            padding=padding,
        )
    if span > padded:
        raise EngineError(
            N_(
                "kernel {axis} {kernel} spans {span} > padded input {axis} {padded} "
                "({size} + 2×{padding} padding)"
            ),
            axis=axis,
            kernel=kernel,
            span=span,
            padded=padded,
            size=size,
            padding=padding,
        )
    return (padded - span) // stride + 1


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution along one axis: ⌊(size + 2p − d(k−1) − 1) / s⌋ + 1.

    Args:
        size: input length along the axis.
        kernel: kernel length.
        stride: step between windows.
        padding: zeros added on each side.
        dilation: spacing between kernel taps.

    Returns:
        The output length (at least 1).

    Raises:
        EngineError: a non-positive size, kernel, stride or dilation, negative padding, or a dilated kernel
            longer than the padded input.
    """
    return _conv_size(
        Phrase(N_("length")),
        positive_int(size, "size"),
        positive_int(kernel, "kernel"),
        positive_int(stride, "stride"),
        non_negative_int(padding, "padding"),
        positive_int(dilation, "dilation"),
    )


def conv2d_output_shape(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: IntPair,
    stride: IntPair = 1,
    padding: IntPair | Literal["same", "valid"] = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Shape4:
    """Output shape of `torch.nn.Conv2d` for an input of shape (N, C, H, W).

    Args:
        input_shape: (N, C, H, W); C is the layer's in_channels.
        out_channels: number of filters.
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw).
        padding: int or (ph, pw) zeros on each side, or "valid" (no padding) or "same" (output as large as the
            input; only with stride 1, as in PyTorch).
        dilation: int or (dh, dw).
        groups: channel groups; must divide both in_channels and out_channels.

    Returns:
        (N, out_channels, H_out, W_out).

    Raises:
        EngineError: where PyTorch raises: non-positive sizes, negative padding, groups not dividing the
            channels, "same" with a stride other than 1, or a dilated kernel larger than the padded input.
    """
    n, c, h, w = _input_shape(input_shape)
    out_c = positive_int(out_channels, "out_channels")
    kernel = positive_pair(kernel_size, "kernel_size")
    strides = positive_pair(stride, "stride")
    dilations = positive_pair(dilation, "dilation")
    _check_groups(c, out_c, groups)
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0)
        elif padding == "same":
            if strides != (1, 1):
                raise EngineError(
                    N_(
                        "padding='same' is not supported for strided convolutions (stride {strides})"
                    ),
                    strides=strides,
                )
            # PyTorch pads d(k-1) in total (the odd one on the bottom/right), so the size is kept.
            return n, out_c, h, w
        else:
            raise EngineError(
                N_("padding must be a number, a pair, 'same' or 'valid', got {padding!r}"),
                padding=padding,
            )
    else:
        pads = non_negative_pair(padding, "padding")
    sizes = [
        _conv_size(axis, size, k, s, p, d)
        for axis, size, k, s, p, d in zip(
            _AXES, (h, w), kernel, strides, pads, dilations, strict=True
        )
    ]
    return n, out_c, sizes[0], sizes[1]


def conv_transpose2d_output_shape(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: IntPair,
    stride: IntPair = 1,
    padding: IntPair = 0,
    output_padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Shape4:
    """Output shape of `torch.nn.ConvTranspose2d`: (H−1)·s − 2p + d(k−1) + output_padding + 1.

    Args:
        input_shape: (N, C, H, W); C is the layer's in_channels.
        out_channels: number of output channels.
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw).
        padding: int or (ph, pw) removed from each side of the output.
        output_padding: int or (oh, ow) added to one side of the output; each must be smaller than the stride
            or the dilation of its axis.
        dilation: int or (dh, dw).
        groups: channel groups; must divide both in_channels and out_channels.

    Returns:
        (N, out_channels, H_out, W_out).

    Raises:
        EngineError: where PyTorch raises: non-positive sizes, negative padding, output_padding not smaller
            than the stride or the dilation, groups not dividing the channels, or an output smaller than 1.
    """
    n, c, h, w = _input_shape(input_shape)
    out_c = positive_int(out_channels, "out_channels")
    kernel = positive_pair(kernel_size, "kernel_size")
    strides = positive_pair(stride, "stride")
    dilations = positive_pair(dilation, "dilation")
    if isinstance(padding, str):
        raise EngineError(
            N_("padding must be a number or a pair for a transposed convolution, got {padding!r}"),
            padding=padding,
        )
    pads = non_negative_pair(padding, "padding")
    out_pads = non_negative_pair(output_padding, "output_padding")
    _check_groups(c, out_c, groups)
    sizes = []
    for axis, size, k, s, p, op, d in zip(
        _AXES, (h, w), kernel, strides, pads, out_pads, dilations, strict=True
    ):
        if op >= s and op >= d:
            raise EngineError(
                N_(
                    "output_padding {op} must be smaller than the stride {s} or the dilation {d} ({axis})"
                ),
                op=op,
                s=s,
                d=d,
                axis=axis,
            )
        out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        if out < 1:
            raise EngineError(
                N_(
                    "output {axis} would be {out}: ({size}−1)×{s} − 2×{p} + {d}×({k}−1) + {op} + 1 < 1"
                ),
                axis=axis,
                out=out,
                size=size,
                s=s,
                p=p,
                d=d,
                k=k,
                op=op,
            )
        sizes.append(out)
    return n, out_c, sizes[0], sizes[1]


def pool2d_output_shape(
    input_shape: Sequence[int],
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
) -> Shape4:
    """Output shape of `torch.nn.MaxPool2d` (and of `AvgPool2d`, which has no dilation: leave it 1).

    With `ceil_mode` the size is rounded up, but a last window that would start beyond the input and its left
    padding is dropped, exactly as PyTorch does.

    Args:
        input_shape: (N, C, H, W).
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw); None means the kernel size (PyTorch's default).
        padding: int or (ph, pw) on each side; at most half the kernel size.
        dilation: int or (dh, dw).
        ceil_mode: round the output size up instead of down.

    Returns:
        (N, C, H_out, W_out).

    Raises:
        EngineError: where PyTorch raises: non-positive sizes, padding more than half the kernel, or an output
            smaller than 1.
    """
    n, c, h, w = _input_shape(input_shape)
    kernel = positive_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else positive_pair(stride, "stride")
    pads = non_negative_pair(padding, "padding")
    dilations = positive_pair(dilation, "dilation")
    if not isinstance(ceil_mode, bool):
        raise EngineError(
            N_("ceil_mode must be True or False, got {ceil_mode!r}"), ceil_mode=ceil_mode
        )
    sizes = []
    for axis, size, k, s, p, d in zip(_AXES, (h, w), kernel, strides, pads, dilations, strict=True):
        if p > k // 2:
            raise EngineError(
                N_("padding {p} must be at most half the kernel {axis} {k} (at most {limit})"),
                p=p,
                axis=axis,
                k=k,
                limit=k // 2,
            )
        span = d * (k - 1) + 1
        numerator = size + 2 * p - span + (s - 1 if ceil_mode else 0)
        out = numerator // s + 1
        # A window starting in the right padding would only see padding: PyTorch drops it.
        if ceil_mode and (out - 1) * s >= size + p:
            out -= 1
        if out < 1:
            raise EngineError(
                N_(
                    "output {axis} would be {out}: the pooling window spans {span} but the padded input "
                    "{axis} is only {padded}"
                ),
                axis=axis,
                out=out,
                span=span,
                padded=size + 2 * p,
            )
        sizes.append(out)
    return n, c, sizes[0], sizes[1]


def conv2d_params(
    in_channels: int,
    out_channels: int,
    kernel_size: IntPair,
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Number of learnable parameters of `torch.nn.Conv2d`: out·(in/groups)·kh·kw (+ out for the bias).

    Args:
        in_channels: input channels.
        out_channels: output channels (filters).
        kernel_size: int or (kh, kw).
        groups: channel groups; must divide both channel counts.
        bias: whether the layer has a bias per output channel.

    Returns:
        The parameter count.

    Raises:
        EngineError: non-positive sizes or groups not dividing the channels.
    """
    c_in = positive_int(in_channels, "in_channels")
    c_out = positive_int(out_channels, "out_channels")
    kh, kw = positive_pair(kernel_size, "kernel_size")
    g = _check_groups(c_in, c_out, groups)
    return c_out * (c_in // g) * kh * kw + (c_out if _flag(bias, "bias") else 0)


def separable_conv2d_params(
    in_channels: int, out_channels: int, kernel_size: IntPair, bias: bool = True
) -> int:
    """Parameters of a depthwise-separable convolution: depthwise k×k (groups = in) then pointwise 1×1.

    Args:
        in_channels: input channels M; the depthwise stage has M filters of k×k×1.
        out_channels: output channels N; the pointwise stage has N filters of 1×1×M.
        kernel_size: int or (kh, kw) of the depthwise stage.
        bias: whether both stages have biases (M + N extra parameters).

    Returns:
        M·kh·kw + N·M (+ M + N with biases).

    Raises:
        EngineError: non-positive sizes.
    """
    depthwise = conv2d_params(in_channels, in_channels, kernel_size, groups=in_channels, bias=bias)
    return depthwise + conv2d_params(in_channels, out_channels, 1, bias=bias)


def conv2d_macs(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: IntPair,
    stride: IntPair = 1,
    padding: IntPair | Literal["same", "valid"] = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> int:
    """Multiply-accumulates of `torch.nn.Conv2d` (bias excluded): output elements × (C/groups) × kh × kw.

    Counts the whole batch, as PyTorch's `FlopCounterMode` does (which reports FLOPs = 2 × MACs).

    Args:
        input_shape: (N, C, H, W).
        out_channels: output channels.
        kernel_size: int or (kh, kw).
        stride: int or (sh, sw).
        padding: int, (ph, pw), "same" or "valid".
        dilation: int or (dh, dw).
        groups: channel groups.

    Returns:
        N · out_channels · H_out · W_out · (C / groups) · kh · kw.

    Raises:
        EngineError: as `conv2d_output_shape`.
    """
    n, out_c, h_out, w_out = conv2d_output_shape(
        input_shape, out_channels, kernel_size, stride, padding, dilation, groups
    )
    kh, kw = pair(kernel_size, "kernel_size")
    c_in = as_int(input_shape[1], "input_shape")
    return n * out_c * h_out * w_out * (c_in // as_int(groups, "groups")) * kh * kw


def fc_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of learnable parameters of `torch.nn.Linear`: in·out (+ out for the bias).

    Args:
        in_features: input features.
        out_features: output features.
        bias: whether the layer has a bias.

    Returns:
        The parameter count.

    Raises:
        EngineError: non-positive sizes.
    """
    f_in = positive_int(in_features, "in_features")
    f_out = positive_int(out_features, "out_features")
    return f_in * f_out + (f_out if _flag(bias, "bias") else 0)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise EngineError(N_("{name} must be True or False, got {value!r}"), name=name, value=value)
    return value
