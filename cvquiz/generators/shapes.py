"""Generators about layer arithmetic: output shapes of conv, transposed conv and pooling; parameters; MACs.

Every answer comes from `cvquiz.engine` (the PyTorch formulas); the solutions spell the formulas out axis by
axis with the drawn numbers put in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi
from cvquiz.i18n import N_

SIZES = (5, 7, 8, 13, 14, 15, 16, 17, 28, 31, 32, 56, 63, 64, 112, 127, 128, 224, 227, 256)
CHANNELS = (1, 3, 8, 16, 32, 64, 128, 256, 512)
SHAPE_FORMAT = bi(
    "按 (N, C, H, W) 作答，例如 (1, 64, 112, 112)", "answer as (N, C, H, W), e.g. (1, 64, 112, 112)"
)
NCHW = ("N", "C", "H", "W")


def pair(value: Any) -> tuple[int, int]:
    """An int-or-(h, w) parameter as a pair."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _arg(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    h, w = pair(value)
    return str(h) if h == w else f"({h}, {w})"


def _layer(name: str, positional: Sequence[Any], keywords: Mapping[str, Any]) -> str:
    args = [str(v) for v in positional] + [f"{k}={_arg(v)}" for k, v in keywords.items()]
    return f"`nn.{name}({', '.join(args)})`"


def _shape(values: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def _common(
    name: str, description_zh: str, description_en: str, choices: Sequence[Any]
) -> ParamSpec:
    return ParamSpec(name, bi(description_zh, description_en), choices=tuple(choices))


# --------------------------------------------------------------------------------------------------------------
# Conv2d output shape


def _conv_axis_steps(
    steps: Steps, axis: str, size: int, k: int, s: int, p: int, d: int, out: int
) -> None:
    span = f"{d}\\cdot({k}-1) - 1" if d != 1 else f"{k}"
    numerator, quotient, result = _window_count(steps, size, k, s, p, d, out, ceil=False)
    steps.math(
        f"{axis}_{{out}} = \\left\\lfloor \\frac{{{size} + 2\\cdot {p} - {span}}}{{{s}}} \\right\\rfloor + 1"
        f" = \\left\\lfloor \\frac{{{numerator}}}{{{s}}} \\right\\rfloor + 1 = {quotient} + 1 = {result}"
    )


def _product(*values: float) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def _add(*values: float) -> float:
    return sum(values)


def _window_count(
    steps: Steps, size: int, k: int, s: int, p: int, d: int, out: int | None, ceil: bool
) -> tuple[str, str, str]:
    """The printed steps of ⌊ or ⌈(size + 2p − d(k−1) − 1)/s⌉ + 1: numerator, quotient and result."""
    numerator = steps.calc(
        lambda a, p_, d_, k_: a + 2 * p_ - d_ * (k_ - 1) - 1,
        size,
        p,
        d,
        k,
        places=0,
        label="size + 2p - d(k-1) - 1",
    )
    rounding = (lambda a, b: -(-a // b)) if ceil else (lambda a, b: a // b)
    quotient = steps.calc(rounding, numerator, s, places=0, label="ceil" if ceil else "floor")
    result = steps.calc(lambda q: q + 1, quotient, places=0, label="+ 1", expect=out)
    return numerator, quotient, result


def solve_conv2d(params: Mapping[str, Any]) -> Solved:
    """Output shape of a Conv2d layer."""
    n, c, h, w = (int(v) for v in params["input_shape"])
    out_c = int(params["out_channels"])
    kernel, stride = params["kernel_size"], params.get("stride", 1)
    padding, dilation = params.get("padding", 0), params.get("dilation", 1)
    groups = int(params.get("groups", 1))
    expected = engine.conv2d_output_shape(
        (n, c, h, w), out_c, kernel, stride, padding, dilation, groups
    )
    keywords: dict[str, Any] = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if pair(dilation) != (1, 1):
        keywords["dilation"] = dilation
    if groups != 1:
        keywords["groups"] = groups
    layer = _layer("Conv2d", (c, out_c), keywords)
    shape = _shape((n, c, h, w))
    prompt = bi(
        f"卷积层 {layer} 的输入形状为 $(N, C, H, W) = {shape}$。输出形状是多少？",
        f"The layer {layer} gets an input of shape $(N, C, H, W) = {shape}$. What is the output shape?",
    )
    steps = Steps()
    formula = "H_{out} = \\left\\lfloor \\frac{H + 2p - d\\,(k-1) - 1}{s} \\right\\rfloor + 1\\quad"
    steps.math(formula + "(\\text{W 同理})", formula + "(\\text{W likewise})")
    (kh, kw), (sh, sw), (dh, dw) = pair(kernel), pair(stride), pair(dilation)
    if padding == "same":
        steps.add(
            f"`padding='same'`（只允许 stride 1）：PyTorch 在每个方向共补 $d(k-1)$ 个零（奇数时多出的一个补在下/右），"
            f"所以 $H_{{out}} = H = {h}$，$W_{{out}} = W = {w}$。",
            f"`padding='same'` (stride 1 only): PyTorch pads $d(k-1)$ zeros in total along each axis (the odd one "
            f"at the bottom/right), so $H_{{out}} = H = {h}$ and $W_{{out}} = W = {w}$.",
        )
    else:
        ph, pw = (0, 0) if padding == "valid" else pair(padding)
        if padding == "valid":
            steps.add("`padding='valid'` 即 $p = 0$。", "`padding='valid'` means $p = 0$.")
        _conv_axis_steps(steps, "H", h, kh, sh, ph, dh, expected[2])
        if (w, kw, sw, pw, dw) != (h, kh, sh, ph, dh):
            _conv_axis_steps(steps, "W", w, kw, sw, pw, dw, expected[3])
        else:
            steps.add(
                f"宽度同理：$W_{{out}} = {expected[3]}$。",
                f"The width works the same: $W_{{out}} = {expected[3]}$.",
            )
    steps.add(
        f"通道数等于卷积核个数 out_channels = {out_c}，batch 维不变 N = {n}"
        + (f"；groups = {groups} 只影响参数量，不影响形状。" if groups != 1 else "。"),
        f"The channels are the number of filters, out_channels = {out_c}; the batch stays N = {n}"
        + (f"; groups = {groups} changes the parameters, not the shape." if groups != 1 else "."),
    )
    steps.answer(_shape(expected))
    return Solved(
        prompt,
        tuple(expected),
        AnswerKind.SHAPE,
        steps.text(),
        SHAPE_FORMAT,
        NCHW,
        checks=tuple(steps.checks()),
    )


def _sensible_padding(padding: Any, kernel: int, dilation: int) -> None:
    if isinstance(padding, int) and padding > (dilation * (kernel - 1) + 1) // 2:
        raise Reject(N_("padding wider than half the kernel"))


@register(
    "conv2d_output_shape",
    title=bi("Conv2d 的输出形状 (N, C, H, W)", "Output shape (N, C, H, W) of a Conv2d layer"),
    kinds=[AnswerKind.SHAPE],
    space=[
        _common("batch", "batch 大小 N", "batch size N", (1, 2, 4, 8, 16, 32)),
        _common("channels", "输入通道数 C", "input channels C", CHANNELS),
        _common("size", "输入高/宽", "input height/width", SIZES),
        _common("square", "输入是否为正方形", "whether the input is square", (True, False)),
        _common("out_channels", "卷积核个数", "number of filters", (8, 16, 32, 64, 128, 256)),
        _common("kernel", "卷积核大小 k", "kernel size k", (1, 3, 5, 7, 11)),
        _common("stride", "步长 s", "stride s", (1, 2, 3, 4)),
        _common(
            "padding",
            "补零 p（或 'same'/'valid'）",
            "padding p (or 'same'/'valid')",
            (0, 1, 2, 3, "same", "valid"),
        ),
        _common("dilation", "空洞率 d", "dilation d", (1, 2, 3)),
        _common("groups", "分组数", "groups", (1, 2, 4)),
    ],
    solve=solve_conv2d,
    notes=("notes::3",),
)
def draw_conv2d(d: Draw) -> dict[str, Any]:
    h = d.param("size")
    w = h if d.param("square") else d.param("size")
    kernel, dilation, padding = d.param("kernel"), d.param("dilation"), d.param("padding")
    _sensible_padding(padding, kernel, dilation)
    if kernel == 1 and dilation > 1:
        raise Reject(N_("a dilated 1×1 kernel is still 1×1"))
    if dilation * (kernel - 1) + 1 > min(h, w) or (kernel >= 11 and min(h, w) < 64):
        raise Reject(N_("a kernel that large belongs on a larger input"))
    return {
        "input_shape": [d.param("batch"), d.param("channels"), h, w],
        "out_channels": d.param("out_channels"),
        "kernel_size": kernel,
        "stride": d.param("stride"),
        "padding": padding,
        "dilation": dilation,
        "groups": d.param("groups"),
    }


# --------------------------------------------------------------------------------------------------------------
# ConvTranspose2d output shape


def solve_conv_transpose(params: Mapping[str, Any]) -> Solved:
    """Output shape of a ConvTranspose2d layer."""
    n, c, h, w = (int(v) for v in params["input_shape"])
    out_c = int(params["out_channels"])
    kernel, stride = params["kernel_size"], params.get("stride", 1)
    padding, output_padding = params.get("padding", 0), params.get("output_padding", 0)
    dilation = params.get("dilation", 1)
    expected = engine.conv_transpose2d_output_shape(
        (n, c, h, w), out_c, kernel, stride, padding, output_padding, dilation
    )
    keywords: dict[str, Any] = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if pair(output_padding) != (0, 0):
        keywords["output_padding"] = output_padding
    if pair(dilation) != (1, 1):
        keywords["dilation"] = dilation
    layer = _layer("ConvTranspose2d", (c, out_c), keywords)
    shape = _shape((n, c, h, w))
    prompt = bi(
        f"转置卷积层 {layer} 的输入形状为 $(N, C, H, W) = {shape}$。输出形状是多少？",
        f"The transposed convolution {layer} gets an input of shape $(N, C, H, W) = {shape}$. "
        "What is the output shape?",
    )
    steps = Steps()
    formula = "H_{out} = (H - 1)\\,s - 2p + d\\,(k - 1) + \\text{output\\_padding} + 1\\quad"
    steps.math(formula + "(\\text{W 同理})", formula + "(\\text{W likewise})")
    steps.add(
        "这是 Conv2d 输出公式的逆：转置卷积把每个输入像素“放大”成一块（跨 $d(k-1)+1$ 个像素），相邻块间隔 s，"
        "再从两边各裁掉 p 行/列。",
        "It inverts the Conv2d size formula: each input pixel is spread into a patch spanning $d(k-1)+1$ pixels, "
        "patches s apart, and p rows/columns are then cropped from each side.",
    )
    if pair(output_padding) != (0, 0):
        steps.add(
            "output_padding 只在一侧（下/右）多加几行/列：stride > 1 的 Conv2d 会把几种输入尺寸映射到同一输出尺寸，"
            "它用来选定其中之一。",
            "output_padding adds rows/columns on one side (bottom/right) only: a Conv2d with stride > 1 maps several "
            "input sizes to one output size, and it picks which of them to produce.",
        )
    per_axis = zip(
        ("H", "W"),
        (h, w),
        pair(kernel),
        pair(stride),
        pair(padding),
        pair(output_padding),
        pair(dilation),
        expected[2:],
        strict=True,
    )
    seen: set[tuple[int, ...]] = set()
    for axis, size, k, s, p, op, dl, out in per_axis:
        if (size, k, s, p, op, dl) in seen:
            steps.add(
                f"宽度同理：$W_{{out}} = {out}$。",
                f"The width works the same: $W_{{out}} = {out}$.",
            )
            continue
        seen.add((size, k, s, p, op, dl))
        result = steps.calc(
            lambda a, s_, p_, d_, k_, o_: (a - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + o_ + 1,
            size,
            s,
            p,
            dl,
            k,
            op,
            places=0,
            label="transposed conv size",
            expect=out,
        )
        steps.math(
            f"{axis}_{{out}} = ({size} - 1)\\cdot {s} - 2\\cdot {p} + {dl}\\cdot({k} - 1) + {op} + 1 = {result}"
        )
    steps.add(
        f"通道数为 out_channels = {out_c}，N = {n} 不变。",
        f"The channels are out_channels = {out_c}; N = {n} is unchanged.",
    )
    steps.answer(_shape(expected))
    return Solved(
        prompt,
        tuple(expected),
        AnswerKind.SHAPE,
        steps.text(),
        SHAPE_FORMAT,
        NCHW,
        checks=tuple(steps.checks()),
    )


@register(
    "conv_transpose_output_shape",
    title=bi("ConvTranspose2d 的输出形状", "Output shape of a ConvTranspose2d layer"),
    kinds=[AnswerKind.SHAPE],
    space=[
        _common("batch", "batch 大小 N", "batch size N", (1, 2, 4, 8)),
        _common("channels", "输入通道数 C", "input channels C", (16, 32, 64, 128, 256, 512)),
        _common("size", "输入高/宽", "input height/width", (2, 3, 4, 7, 8, 13, 14, 16, 28, 32, 64)),
        _common("out_channels", "输出通道数", "output channels", (3, 16, 32, 64, 128, 256)),
        _common("kernel", "卷积核大小 k", "kernel size k", (2, 3, 4, 5)),
        _common("stride", "步长 s", "stride s", (1, 2, 3)),
        _common("padding", "补零 p", "padding p", (0, 1, 2)),
        _common("output_padding", "output_padding", "output_padding", (0, 1)),
        _common("dilation", "空洞率 d", "dilation d", (1, 2)),
    ],
    solve=solve_conv_transpose,
    notes=("notes::3",),
)
def draw_conv_transpose(d: Draw) -> dict[str, Any]:
    kernel, padding = d.param("kernel"), d.param("padding")
    if padding > kernel // 2:
        raise Reject(N_("padding wider than half the kernel"))
    size = d.param("size")
    return {
        "input_shape": [d.param("batch"), d.param("channels"), size, size],
        "out_channels": d.param("out_channels"),
        "kernel_size": kernel,
        "stride": d.param("stride"),
        "padding": padding,
        "output_padding": d.param("output_padding"),
        "dilation": d.param("dilation"),
    }


# --------------------------------------------------------------------------------------------------------------
# Pooling output shape


def solve_pool(params: Mapping[str, Any]) -> Solved:
    """Output shape of a MaxPool2d or AvgPool2d layer."""
    n, c, h, w = (int(v) for v in params["input_shape"])
    kernel = params["kernel_size"]
    stride = params.get("stride")
    padding, dilation = params.get("padding", 0), params.get("dilation", 1)
    ceil_mode = bool(params.get("ceil_mode", False))
    kind = params.get("pool", "max")
    expected = engine.pool2d_output_shape(
        (n, c, h, w), kernel, stride, padding, dilation, ceil_mode
    )
    keywords: dict[str, Any] = {"kernel_size": kernel}
    if stride is not None:
        keywords["stride"] = stride
    if pair(padding) != (0, 0):
        keywords["padding"] = padding
    if pair(dilation) != (1, 1):
        keywords["dilation"] = dilation
    if ceil_mode:
        keywords["ceil_mode"] = True
    name = "MaxPool2d" if kind == "max" else "AvgPool2d"
    layer = _layer(name, (), keywords)
    shape = _shape((n, c, h, w))
    version_zh = "（按 PyTorch 1.8 及以后的规则）" if ceil_mode else ""
    version_en = " (by the rule of PyTorch 1.8 and later)" if ceil_mode else ""
    prompt = bi(
        f"池化层 {layer} 的输入形状为 $(N, C, H, W) = {shape}$。输出形状是多少{version_zh}？",
        f"The pooling layer {layer} gets an input of shape $(N, C, H, W) = {shape}$. What is the output "
        f"shape{version_en}?",
    )
    rounding = "\\left\\lceil" if ceil_mode else "\\left\\lfloor"
    closing = "\\right\\rceil" if ceil_mode else "\\right\\rfloor"
    steps = Steps()
    formula = f"H_{{out}} = {rounding} \\frac{{H + 2p - d\\,(k-1) - 1}}{{s}} {closing} + 1\\quad"
    steps.math(formula + "(\\text{W 同理})", formula + "(\\text{W likewise})")
    if stride is None:
        steps.add(
            "没有给 stride：PyTorch 默认 stride = kernel_size。",
            "No stride given: PyTorch's default is stride = kernel_size.",
        )
    if ceil_mode:
        steps.add(
            "ceil_mode=True 时向上取整，但若最后一个窗口的起点落在右侧 padding 里（超出输入与左 padding），"
            "PyTorch 会丢掉这个窗口。",
            "With ceil_mode=True the size is rounded up, but a last window that would start inside the right "
            "padding (beyond the input and the left padding) is dropped, as PyTorch does.",
        )
    strides = pair(kernel) if stride is None else pair(stride)
    seen: set[tuple[int, ...]] = set()
    for axis, size, k, s, p, dl, out in zip(
        ("H", "W"),
        (h, w),
        pair(kernel),
        strides,
        pair(padding),
        pair(dilation),
        expected[2:],
        strict=True,
    ):
        if (size, k, s, p, dl) in seen:
            steps.add(
                f"宽度同理：$W_{{out}} = {out}$。",
                f"The width works the same: $W_{{out}} = {out}$.",
            )
            continue
        seen.add((size, k, s, p, dl))
        numerator = size + 2 * p - dl * (k - 1) - 1
        rounded = -(-numerator // s) if ceil_mode else numerator // s
        span = f"{dl}\\cdot({k}-1) - 1" if dl != 1 else f"{k}"
        shown = _window_count(steps, size, k, s, p, dl, None, ceil=ceil_mode)
        steps.math(
            f"{axis}_{{out}} = {rounding} \\frac{{{size} + 2\\cdot {p} - {span}}}{{{s}}} {closing} + 1 = "
            f"{rounding} \\frac{{{shown[0]}}}{{{s}}} {closing} + 1 = {shown[1]} + 1 = {shown[2]}"
        )
        if rounded + 1 != out and p:
            steps.add(
                f"最后一个窗口的起点（从左侧 padding 的边缘数起）是 $({rounded + 1} - 1)\\cdot {s} = {rounded * s}$，"
                f"已不小于 H + p = {size + p}，只覆盖 padding，被丢弃：${axis}_{{out}} = {out}$。",
                f"The last window would start at $({rounded + 1} - 1)\\cdot {s} = {rounded * s}$ (counted from the edge "
                f"of the left padding) ≥ H + p = {size + p}, inside the padding only, so it is dropped: "
                f"${axis}_{{out}} = {out}$.",
            )
        elif rounded + 1 != out:
            steps.add(
                f"最后一个窗口的起点是 $({rounded + 1} - 1)\\cdot {s} = {rounded * s} \\ge H = {size}$，已完全在输入之外，"
                f"PyTorch 1.8 起丢弃它：${axis}_{{out}} = {out}$。1.8 之前（2020 年底修复的 pytorch/pytorch#45357）"
                f"只在 padding > 0 时才丢弃，这里会得到 {rounded + 1}（多出的一行/列全是 −inf）。",
                f"The last window would start at $({rounded + 1} - 1)\\cdot {s} = {rounded * s} \\ge H = {size}$, wholly "
                f"past the input, and PyTorch 1.8 and later drop it: ${axis}_{{out}} = {out}$. Before 1.8 (the fix of "
                f"pytorch/pytorch#45357 in late 2020) the window was dropped only with padding > 0, giving "
                f"{rounded + 1} here (an extra row/column of −inf).",
            )
    steps.add(
        f"池化不改变通道数：C = {c}，N = {n}。",
        f"Pooling keeps the channels: C = {c}, N = {n}.",
    )
    steps.answer(_shape(expected))
    return Solved(
        prompt,
        tuple(expected),
        AnswerKind.SHAPE,
        steps.text(),
        SHAPE_FORMAT,
        NCHW,
        checks=tuple(steps.checks()),
    )


@register(
    "pool_output_shape",
    title=bi(
        "MaxPool2d / AvgPool2d 的输出形状（含 ceil_mode）",
        "Output shape of MaxPool2d / AvgPool2d (with ceil_mode)",
    ),
    kinds=[AnswerKind.SHAPE],
    space=[
        _common("pool", "池化类型", "pooling type", ("max", "avg")),
        _common("batch", "batch 大小 N", "batch size N", (1, 2, 4, 8, 16)),
        _common("channels", "通道数 C", "channels C", (3, 16, 32, 64, 128, 256, 512)),
        _common("size", "输入高/宽", "input height/width", SIZES),
        _common("kernel", "窗口大小 k", "window size k", (2, 3, 4, 5)),
        _common(
            "stride",
            "步长（'kernel' 即默认 stride = kernel_size）",
            "stride ('kernel' is the default, stride = kernel_size)",
            (1, 2, 3, "kernel"),
        ),
        _common("padding", "补零 p", "padding p", (0, 1, 2)),
        _common("dilation", "空洞率（仅 max）", "dilation (max only)", (1, 2)),
        _common("ceil_mode", "是否向上取整", "round up instead of down", (False, True)),
    ],
    solve=solve_pool,
    notes=("notes::13",),
)
def draw_pool(d: Draw) -> dict[str, Any]:
    kind = d.param("pool")
    kernel, padding = d.param("kernel"), d.param("padding")
    dilation = d.param("dilation") if kind == "max" else 1
    if kind == "avg" and 1 not in d.allowed("dilation"):
        raise Reject(N_("average pooling has no dilation"))
    if padding > kernel // 2:
        raise Reject(N_("padding more than half the window"))
    stride = d.param("stride")
    size = d.param("size")
    return {
        "pool": kind,
        "input_shape": [d.param("batch"), d.param("channels"), size, size],
        "kernel_size": kernel,
        "stride": None if stride == "kernel" else stride,
        "padding": padding,
        "dilation": dilation,
        "ceil_mode": d.param("ceil_mode"),
    }


# --------------------------------------------------------------------------------------------------------------
# Parameter counts


def _conv_param_steps(
    steps: Steps, c_in: int, c_out: int, kh: int, kw: int, groups: int, bias: bool
) -> int:
    per_filter = (c_in // groups) * kh * kw
    weights = c_out * per_filter
    filter_text = steps.calc(_product, c_in // groups, kh, kw, places=0, label="C_in/g kh kw")
    weights_text = steps.calc(_product, c_out, filter_text, places=0, label="weights")
    if groups == 1:
        steps.add(
            f"每个卷积核的大小为 $C_{{in}} \\times k_h \\times k_w = {c_in}\\times{kh}\\times{kw} = {filter_text}$，"
            f"共 {c_out} 个卷积核：${c_out} \\times {filter_text} = {weights_text}$ 个权重。",
            f"Each filter is $C_{{in}} \\times k_h \\times k_w = {c_in}\\times{kh}\\times{kw} = {filter_text}$ weights, "
            f"and there are {c_out} filters: ${c_out} \\times {filter_text} = {weights_text}$ weights.",
        )
    else:
        steps.add(
            f"groups = {groups}：每个卷积核只看 $C_{{in}}/g = {c_in}/{groups} = {c_in // groups}$ 个输入通道，"
            f"大小 ${c_in // groups}\\times{kh}\\times{kw} = {filter_text}$；共 {c_out} 个：${c_out}\\times{filter_text} = {weights_text}$。",
            f"groups = {groups}: each filter sees only $C_{{in}}/g = {c_in}/{groups} = {c_in // groups}$ input "
            f"channel{'s' * (c_in // groups != 1)}, ${c_in // groups}\\times{kh}\\times{kw} = {filter_text}$ "
            f"weight{'s' * (per_filter != 1)}; {c_out} filters: ${c_out}\\times{filter_text} = {weights_text}$.",
        )
    if bias:
        total = steps.calc(_add, weights_text, c_out, places=0, label="weights + biases")
        steps.add(
            f"每个输出通道一个偏置：$+{c_out}$，合计 ${weights_text} + {c_out} = {total}$。",
            f"One bias per output channel: $+{c_out}$, in total ${weights_text} + {c_out} = {total}$.",
        )
        return weights + c_out
    steps.add("没有偏置（bias=False）。", "No bias (bias=False).")
    return weights


def solve_conv_params(params: Mapping[str, Any]) -> Solved:
    """Learnable parameters of a Conv2d layer."""
    c_in, c_out = int(params["in_channels"]), int(params["out_channels"])
    kernel, groups, bias = (
        params["kernel_size"],
        int(params.get("groups", 1)),
        bool(params.get("bias", True)),
    )
    expected = engine.conv2d_params(c_in, c_out, kernel, groups, bias)
    keywords: dict[str, Any] = {"kernel_size": kernel}
    if groups != 1:
        keywords["groups"] = groups
    if not bias:
        keywords["bias"] = False
    layer = _layer("Conv2d", (c_in, c_out), keywords)
    prompt = bi(
        f"{layer} 有多少个可学习参数？",
        f"How many learnable parameters does {layer} have?",
    )
    steps = Steps()
    steps.math(
        "\\#\\text{params} = C_{out} \\cdot \\frac{C_{in}}{g} \\cdot k_h k_w + C_{out}\\,[\\text{bias}]"
    )
    kh, kw = pair(kernel)
    total = _conv_param_steps(steps, c_in, c_out, kh, kw, groups, bias)
    if groups == c_in == c_out and groups > 1:
        steps.add(
            "这是 depthwise 卷积：每个通道一个 k×k 卷积核。",
            "This is a depthwise convolution: one k×k filter per channel.",
        )
    steps.add("参数量与输入的 H、W 无关。", "The count does not depend on the input's H and W.")
    assert total == expected
    steps.answer(str(expected))
    return Solved(
        prompt, int(expected), AnswerKind.INTEGER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "conv_params",
    title=bi(
        "Conv2d 的参数量（含 groups、bias）",
        "Learnable parameters of a Conv2d layer (groups, bias)",
    ),
    kinds=[AnswerKind.INTEGER],
    space=[
        _common("in_channels", "输入通道数", "input channels", (1, 3, 16, 32, 64, 128, 256, 512)),
        _common("out_channels", "输出通道数", "output channels", (8, 16, 32, 64, 128, 256, 512)),
        _common("kernel", "卷积核大小", "kernel size", (1, 3, 5, 7)),
        _common(
            "groups",
            "分组数（'depthwise' 即 groups = in = out）",
            "groups ('depthwise' means groups = in = out)",
            (1, 2, 4, 32, "depthwise"),
        ),
        _common("bias", "是否有偏置", "whether the layer has a bias", (True, False)),
    ],
    solve=solve_conv_params,
    notes=("notes::16",),
)
def draw_conv_params(d: Draw) -> dict[str, Any]:
    c_in, c_out, groups = d.param("in_channels"), d.param("out_channels"), d.param("groups")
    if groups == "depthwise":
        if c_in == 1:
            raise Reject(N_("a depthwise conv of one channel is an ordinary conv"))
        groups, c_out = c_in, c_in
    elif c_in % groups or c_out % groups:
        raise Reject(N_("groups must divide the channels"))
    return {
        "in_channels": c_in,
        "out_channels": c_out,
        "kernel_size": d.param("kernel"),
        "groups": groups,
        "bias": d.param("bias"),
    }


def solve_separable(params: Mapping[str, Any]) -> Solved:
    """Parameters of a depthwise-separable conv, of the standard conv it replaces, or their ratio."""
    m, n = int(params["in_channels"]), int(params["out_channels"])
    kernel, bias = params["kernel_size"], bool(params.get("bias", False))
    ask = params.get("ask", "separable")
    k, kw = pair(kernel)
    separable = engine.separable_conv2d_params(m, n, kernel, bias)
    standard = engine.conv2d_params(m, n, kernel, bias=bias)
    with_bias = "（含偏置）" if bias else "（不含偏置）"
    with_bias_en = " (with biases)" if bias else " (without biases)"
    setting_zh = f"输入 {m} 通道、输出 {n} 通道、卷积核 {k}×{kw}"
    setting_en = f"{m} input channels, {n} output channels, a {k}×{kw} kernel"
    if ask == "ratio":
        prompt = bi(
            f"{setting_zh}。深度可分离卷积（depthwise {k}×{kw} + pointwise 1×1）的参数量是标准卷积的多少倍（不含偏置）？",
            f"{setting_en}. What fraction of a standard convolution's parameters does a depthwise-separable one "
            f"(depthwise {k}×{kw} then pointwise 1×1) need (no biases)?",
        )
        expected: Any = separable / standard
        kind = AnswerKind.NUMBER
    elif ask == "standard":
        prompt = bi(
            f"{setting_zh}。标准卷积有多少参数{with_bias}？",
            f"{setting_en}. How many parameters does a standard convolution have{with_bias_en}?",
        )
        expected, kind = standard, AnswerKind.INTEGER
    else:
        prompt = bi(
            f"{setting_zh}。深度可分离卷积（depthwise {k}×{kw} + pointwise 1×1）有多少参数{with_bias}？",
            f"{setting_en}. How many parameters does a depthwise-separable convolution (depthwise {k}×{kw} then "
            f"pointwise 1×1) have{with_bias_en}?",
        )
        expected, kind = separable, AnswerKind.INTEGER
    steps = Steps()
    b_dw = f" + {m}" if bias else ""
    b_pw = f" + {n}" if bias else ""
    extra_dw, extra_pw = (m, n) if bias else (0, 0)
    depthwise = steps.calc(lambda a, b, c, e: a * b * c + e, m, k, kw, extra_dw, places=0)
    pointwise = steps.calc(lambda a, b, e: a * b + e, n, m, extra_pw, places=0)
    total = steps.calc(_add, depthwise, pointwise, places=0, label="separable", expect=separable)
    full = steps.calc(
        lambda a, b, c, d, e: a * b * c * d + e,
        n,
        m,
        k,
        kw,
        extra_pw,
        places=0,
        label="standard",
        expect=standard,
    )
    steps.add(
        f"Depthwise：每个输入通道一个 {k}×{kw} 卷积核：${m}\\times{k}\\times{kw}{b_dw} = {depthwise}$。",
        f"Depthwise: one {k}×{kw} filter per input channel: ${m}\\times{k}\\times{kw}{b_dw} = {depthwise}$.",
    )
    steps.add(
        f"Pointwise：{n} 个 1×1×{m} 卷积核：${n}\\times{m}{b_pw} = {pointwise}$。合计 {total}。",
        f"Pointwise: {n} filters of 1×1×{m}: ${n}\\times{m}{b_pw} = {pointwise}$. In total {total}.",
    )
    steps.add(
        f"标准卷积：${n}\\times{m}\\times{k}\\times{kw}{b_pw} = {full}$。",
        f"Standard convolution: ${n}\\times{m}\\times{k}\\times{kw}{b_pw} = {full}$.",
    )
    if ask == "ratio" and k == kw:
        share = steps.calc(
            lambda a, b: 1 / a + 1 / b, n, k * k, label="1/N + 1/k^2", expect=float(expected)
        )
        steps.math(
            f"\\frac{{M k^2 + N M}}{{N M k^2}} = \\frac{{1}}{{N}} + \\frac{{1}}{{k^2}} = \\frac{{1}}{{{n}}} + \\frac{{1}}{{{k * k}}} = {share}"
        )
        steps.add(
            "计算量（乘加次数）的比值相同：每个输出像素上两者的乘加次数之比就是参数量之比。",
            "The cost (multiply-accumulates) has the same ratio: per output pixel, each parameter is used once.",
        )
    elif ask == "ratio":
        share = steps.calc(
            lambda a, b: a / b, total, full, label="separable / standard", expect=float(expected)
        )
        steps.math(f"\\frac{{{total}}}{{{full}}} = {share}")
    steps.answer(share if kind is AnswerKind.NUMBER else (total if ask == "separable" else full))
    return Solved(prompt, expected, kind, steps.text(), checks=tuple(steps.checks()))


@register(
    "separable_conv_params",
    title=bi(
        "深度可分离卷积的参数量与节省比例 1/N + 1/k²",
        "Depthwise-separable conv parameters and the ratio 1/N + 1/k²",
    ),
    kinds=[AnswerKind.INTEGER, AnswerKind.NUMBER],
    space=[
        _common("in_channels", "输入通道数 M", "input channels M", (16, 32, 64, 128, 256, 512)),
        _common("out_channels", "输出通道数 N", "output channels N", (32, 64, 128, 256, 512, 1024)),
        _common("kernel", "depthwise 卷积核大小", "depthwise kernel size", (3, 5, 7)),
        _common("bias", "是否计偏置", "whether biases count", (False, True)),
        _common(
            "ask",
            "问什么：可分离卷积参数、标准卷积参数或二者之比",
            "what to ask: separable params, standard params or their ratio",
            ("separable", "standard", "ratio"),
        ),
    ],
    solve=solve_separable,
    decimals=4,
    notes=("notes::22",),
)
def draw_separable(d: Draw) -> dict[str, Any]:
    ask = d.param("ask")
    bias = False if ask == "ratio" else d.param("bias")
    return {
        "in_channels": d.param("in_channels"),
        "out_channels": d.param("out_channels"),
        "kernel_size": d.param("kernel"),
        "bias": bias,
        "ask": ask,
    }


# --------------------------------------------------------------------------------------------------------------
# MACs


def solve_macs(params: Mapping[str, Any]) -> Solved:
    """Multiply-accumulates of a Conv2d layer."""
    n, c, h, w = (int(v) for v in params["input_shape"])
    out_c = int(params["out_channels"])
    kernel, stride, padding = (
        params["kernel_size"],
        params.get("stride", 1),
        params.get("padding", 0),
    )
    groups = int(params.get("groups", 1))
    expected = engine.conv2d_macs((n, c, h, w), out_c, kernel, stride, padding, 1, groups)
    out_shape = engine.conv2d_output_shape((n, c, h, w), out_c, kernel, stride, padding, 1, groups)
    keywords: dict[str, Any] = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if groups != 1:
        keywords["groups"] = groups
    layer = _layer("Conv2d", (c, out_c), keywords)
    shape = _shape((n, c, h, w))
    prompt = bi(
        f"{layer} 作用在形状为 {shape} 的输入上，共做多少次乘加（MACs，不计偏置）？",
        f"How many multiply-accumulates (MACs, bias excluded) does {layer} do on an input of shape {shape}?",
    )
    kh, kw = pair(kernel)
    _, _, ho, wo = out_shape
    steps = Steps()
    steps.math(
        "\\text{MACs} = N \\cdot C_{out} \\cdot H_{out} \\cdot W_{out} \\cdot \\frac{C_{in}}{g} \\cdot k_h k_w"
    )
    steps.add(
        f"先求输出形状：{_shape(out_shape)}（$H_{{out}} = \\lfloor (H + 2p - k)/s \\rfloor + 1$）。",
        f"First the output shape: {_shape(out_shape)} ($H_{{out}} = \\lfloor (H + 2p - k)/s \\rfloor + 1$).",
    )
    per = steps.calc(_product, c // groups, kh, kw, places=0, label="MACs per output")
    steps.add(
        f"每个输出元素要做 $\\frac{{C_{{in}}}}{{g}} k_h k_w = {c // groups}\\times{kh}\\times{kw} = {per}$ 次乘加。",
        f"Each output element takes $\\frac{{C_{{in}}}}{{g}} k_h k_w = {c // groups}\\times{kh}\\times{kw} = {per}$ MACs.",
    )
    macs = steps.calc(
        _product, n, out_c, ho, wo, per, places=0, label="MACs", expect=float(expected)
    )
    flops = steps.calc(lambda v: 2 * v, macs, places=0, label="FLOPs")
    steps.math(f"{n}\\times{out_c}\\times{ho}\\times{wo}\\times{per} = {macs}")
    steps.add(
        f"FLOPs 通常按 2 × MACs 计：{flops}。",
        f"FLOPs are usually counted as 2 × MACs: {flops}.",
    )
    steps.answer(macs)
    return Solved(
        prompt,
        int(expected),
        AnswerKind.NUMBER,
        steps.text(),
        bi(
            "给出准确整数，或至少 4 位有效数字的科学计数法（如 1.180e8）",
            "the exact count, or scientific notation with at least 4 significant figures (e.g. 1.180e8)",
        ),
        checks=tuple(steps.checks()),
    )


@register(
    "conv_macs",
    title=bi("Conv2d 的乘加次数（MACs）", "Multiply-accumulates (MACs) of a Conv2d layer"),
    kinds=[AnswerKind.NUMBER],
    space=[
        _common("batch", "batch 大小", "batch size", (1, 2, 4)),
        _common("channels", "输入通道数", "input channels", (3, 16, 32, 64, 128, 256)),
        _common("size", "输入高/宽", "input height/width", (7, 14, 28, 32, 56, 112, 224)),
        _common("out_channels", "输出通道数", "output channels", (16, 32, 64, 128, 256)),
        _common("kernel", "卷积核大小", "kernel size", (1, 3, 5, 7)),
        _common("stride", "步长", "stride", (1, 2)),
        _common("groups", "分组数", "groups", (1, 2, 4)),
    ],
    solve=solve_macs,
    rel_tol=0.001,
    notes=("notes::22",),
)
def draw_macs(d: Draw) -> dict[str, Any]:
    kernel = d.param("kernel")
    size = d.param("size")
    return {
        "input_shape": [d.param("batch"), d.param("channels"), size, size],
        "out_channels": d.param("out_channels"),
        "kernel_size": kernel,
        "stride": d.param("stride"),
        "padding": kernel // 2,
        "groups": d.param("groups"),
    }


# --------------------------------------------------------------------------------------------------------------
# Fully connected vs convolution


def solve_fc_vs_conv(params: Mapping[str, Any]) -> Solved:
    """Parameters of a fully connected layer and of a convolution doing a comparable job."""
    h, w, c = int(params["height"]), int(params["width"]), int(params["in_channels"])
    out_c, k = int(params["out_channels"]), int(params["kernel_size"])
    bias = bool(params.get("bias", True))
    mode = params.get("mode", "dense")
    in_features = h * w * c
    out_features = h * w * out_c if mode == "dense" else out_c
    fc = engine.fc_params(in_features, out_features, bias)
    conv = engine.conv2d_params(c, out_c, k, bias=bias)
    b_zh = "（含偏置）" if bias else "（不含偏置）"
    b_en = " (with biases)" if bias else " (without biases)"
    if mode == "dense":
        prompt = bi(
            f"输入特征图 {h}×{w}×{c}（H×W×C）。(a) 全连接层把它映射成同样大小的 {h}×{w}×{out_c} 输出；"
            f"(b) {k}×{k} 卷积（{out_c} 个卷积核，padding 保持尺寸）。两者各有多少参数{b_zh}？",
            f"An input feature map of {h}×{w}×{c} (H×W×C). (a) A fully connected layer maps it to an output of "
            f"{h}×{w}×{out_c}; (b) a {k}×{k} convolution with {out_c} filters (padding keeps the size). How many "
            f"parameters does each have{b_en}?",
        )
    else:
        prompt = bi(
            f"{h}×{w}×{c} 的特征图展平后接一个 {out_c} 个输出的全连接层；它等价于一个 {k}×{k} 卷积（{out_c} 个卷积核，无 padding）。"
            f"两者各有多少参数{b_zh}？",
            f"A feature map of {h}×{w}×{c} is flattened into a fully connected layer with {out_c} outputs; it is "
            f"equivalent to a {k}×{k} convolution with {out_c} filters and no padding. How many parameters does "
            f"each have{b_en}?",
        )
    steps = Steps()
    fb = f" + {out_features}" if bias else ""
    cb = f" + {out_c}" if bias else ""
    fc_text = steps.calc(
        lambda a, b, e: a * b + e,
        in_features,
        out_features,
        out_features if bias else 0,
        places=0,
        label="fc params",
        expect=fc,
    )
    conv_text = steps.calc(
        lambda a, b, c_, e: a * b * b * c_ + e,
        out_c,
        k,
        c,
        out_c if bias else 0,
        places=0,
        label="conv params",
        expect=conv,
    )
    steps.add(
        f"全连接：输入 {h}×{w}×{c} = {in_features} 个特征，输出 {out_features} 个，每个输入和每个输出之间一个权重："
        f"${in_features}\\times{out_features}{fb} = {fc_text}$。",
        f"Fully connected: {h}×{w}×{c} = {in_features} inputs and {out_features} outputs, one weight between every "
        f"input and every output: ${in_features}\\times{out_features}{fb} = {fc_text}$.",
    )
    steps.add(
        f"卷积：{out_c} 个 {k}×{k}×{c} 的卷积核，权重共享、只连局部："
        f"${out_c}\\times{k}\\times{k}\\times{c}{cb} = {conv_text}$。",
        f"Convolution: {out_c} filters of {k}×{k}×{c}, shared over positions and connected locally: "
        f"${out_c}\\times{k}\\times{k}\\times{c}{cb} = {conv_text}$.",
    )
    if mode == "dense":
        times = steps.calc(lambda a, b: a / b, fc_text, conv_text, places=1, label="fc / conv")
        steps.add(
            f"全连接是卷积的 {fc_text}/{conv_text} ≈ {times} 倍：卷积靠局部连接和权重共享省下参数。",
            f"The fully connected layer has {fc_text}/{conv_text} ≈ {times} times as many: local connections and weight "
            "sharing are what save the convolution's parameters.",
        )
    else:
        steps.add(
            "两者相同：卷积核覆盖整张特征图时，卷积就是全连接（VGG 的 FC 层可以改写成 7×7 卷积）。",
            "They are equal: a convolution whose kernel covers the whole map is a fully connected layer "
            "(VGG's FC layers can be rewritten as a 7×7 convolution).",
        )
    steps.answer(f"[{fc_text}, {conv_text}]")
    return Solved(
        prompt,
        [int(fc), int(conv)],
        AnswerKind.VECTOR,
        steps.text(),
        bi(
            "按 [全连接, 卷积] 作答，例如 [1000, 10]",
            "answer as [fully connected, conv], e.g. [1000, 10]",
        ),
        checks=tuple(steps.checks()),
    )


@register(
    "fc_vs_conv_params",
    title=bi(
        "全连接层与卷积层的参数量对比", "Parameters of a fully connected layer versus a convolution"
    ),
    kinds=[AnswerKind.VECTOR],
    space=[
        _common(
            "mode",
            "dense：同尺寸输出的全连接 vs k×k 卷积；fc_as_conv：全连接等价于覆盖全图的卷积",
            "dense: an FC layer with a same-size output vs a k×k conv; fc_as_conv: an FC layer as a whole-map conv",
            ("dense", "fc_as_conv"),
        ),
        _common("size", "特征图高/宽", "feature map height/width", (4, 7, 8, 14, 16, 28, 32)),
        _common("in_channels", "输入通道数", "input channels", (1, 3, 8, 16, 64, 256, 512)),
        _common(
            "out_channels",
            "输出通道数 / 全连接输出数",
            "output channels / FC outputs",
            (8, 10, 16, 32, 64, 1000, 4096),
        ),
        _common("kernel", "卷积核大小（dense 模式）", "kernel size (dense mode)", (1, 3, 5)),
        _common("bias", "是否计偏置", "whether biases count", (True, False)),
    ],
    solve=solve_fc_vs_conv,
    notes=("notes::16",),
)
def draw_fc_vs_conv(d: Draw) -> dict[str, Any]:
    mode, size = d.param("mode"), d.param("size")
    c, out_c = d.param("in_channels"), d.param("out_channels")
    if mode == "dense":
        if size > 16 or c > 64 or out_c > 64:
            raise Reject(N_("a dense layer that large is not a sensible example"))
        kernel = d.param("kernel")
    else:
        if size > 14:
            raise Reject(N_("flattening a map that large is not a sensible example"))
        kernel = size
    return {
        "mode": mode,
        "height": size,
        "width": size,
        "in_channels": c,
        "out_channels": out_c,
        "kernel_size": kernel,
        "bias": d.param("bias"),
    }
