"""Generators about 2-D convolution and cross-correlation in the full, same and valid modes (notes item 3).

Problems are small enough to do by hand: images of 3×3 to 5×5 and kernels of 2×2 or 3×3 with small integers,
and results no larger than 5×5. The solution flips the kernel (for true convolution), pads the image the way
SciPy does for the mode, and writes every output entry as its sum of products.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, signed
from cvquiz.i18n import N_

MAX_OUTPUT = 5
"""The largest output side a drawn problem may have (bigger is tedious, not instructive)."""

_FUNCTION = {"convolve": "convolve2d", "correlate": "correlate2d"}


def _as_ints(array: Any) -> list[list[Any]]:
    """A result matrix as lists, with whole numbers as ints (inputs of integers give integer results)."""
    rows: list[list[Any]] = np.asarray(array, dtype=np.float64).tolist()
    return [[int(v) if float(v).is_integer() else v for v in row] for row in rows]


def _padding(mode: str, k: int, flipped_for_correlation: bool) -> int:
    """Zeros before the image along one axis, so that output i is the window starting at padded index i."""
    if mode == "full":
        return k - 1
    if mode == "valid":
        return 0
    # SciPy centres the "same" window on the full result at k // 2 (correlation) or (k - 1) // 2 (convolution).
    start = k // 2 if flipped_for_correlation else (k - 1) // 2
    return k - 1 - start


def solve_conv_mode(params: Mapping[str, Any]) -> Solved:
    """Result matrix of convolve2d / correlate2d in a mode."""
    image = np.asarray(params["image"], dtype=np.float64)
    kernel = np.asarray(params["kernel"], dtype=np.float64)
    mode: Any = params["mode"]
    op = str(params.get("op", "correlate"))
    if op not in _FUNCTION:
        raise engine.EngineError(N_("op must be 'convolve' or 'correlate', got {op!r}"), op=op)
    compute = engine.convolve2d if op == "convolve" else engine.correlate2d
    result = compute(params["image"], params["kernel"], mode)
    expected = _as_ints(result)
    name_zh = (
        "卷积（convolution，核翻转 180°）"
        if op == "convolve"
        else "互相关（cross-correlation，核不翻转）"
    )
    name_en = (
        "convolution (kernel flipped by 180°)"
        if op == "convolve"
        else "cross-correlation (kernel not flipped)"
    )
    call = f"`scipy.signal.{_FUNCTION[op]}(A, K, mode='{mode}')`"
    shown = code("A =\n" + grid(image) + "\n\nK =\n" + grid(kernel))
    padding_zh = "（边界补零）" if mode != "valid" else ""
    padding_en = " (zero padding at the borders)" if mode != "valid" else ""
    prompt = bi(
        f"计算图像 $A$ 与核 $K$ 的二维{name_zh}，模式为 **{mode}**{padding_zh}，即 {call}。\n\n{shown}",
        f"Compute the 2-D {name_en} of the image $A$ with the kernel $K$ in **{mode}** mode{padding_en}, "
        f"i.e. {call}.\n\n{shown}",
    )
    steps = Steps()
    effective = kernel[::-1, ::-1] if op == "convolve" else kernel
    if op == "convolve":
        steps.add(
            "真正的卷积先把核旋转 180°（上下、左右都翻转），再像互相关一样滑动：",
            "True convolution first rotates the kernel by 180° (flip rows and columns), then slides it like a "
            "cross-correlation:",
        )
        steps.block("K' =\n" + grid(effective))
    else:
        steps.add(
            "互相关直接滑动核本身，不翻转（这正是 CNN 里 `nn.Conv2d` 做的运算）。",
            "Cross-correlation slides the kernel as it is, without flipping (exactly what a CNN's `nn.Conv2d` "
            "computes).",
        )
    (h, w), (kh, kw) = image.shape, kernel.shape
    sizes = {
        "full": (
            "n + k - 1",
            "核与图像只要有重叠就输出",
            "an output wherever kernel and image overlap at all",
        ),
        "same": (
            "n",
            "输出与图像同样大小，取 full 结果的中间部分",
            "the output has the image's size, the centre of the full result",
        ),
        "valid": (
            "n - k + 1",
            "只在核完全落在图像内的位置输出",
            "outputs only where the kernel lies wholly inside the image",
        ),
    }[mode]
    out_h, out_w = len(expected), len(expected[0]) if expected else 0
    steps.add(
        f"{mode} 模式：{sizes[1]}，每个方向的长度为 ${sizes[0]}$（n 为图像边长，k 为核边长）→ {out_h}×{out_w}。",
        f"{mode} mode: {sizes[2]}; each axis has length ${sizes[0]}$ (n the image side, k the kernel side) → "
        f"{out_h}×{out_w}.",
    )
    swapped = mode == "valid" and (kh > h or kw > w)
    if swapped:
        steps.add(
            "核比图像大：SciPy 在 valid 模式下交换二者的角色。",
            "The kernel is larger than the image: in valid mode SciPy swaps their roles.",
        )
    else:
        top = _padding(mode, kh, op == "correlate")
        left = _padding(mode, kw, op == "correlate")
        bottom = out_h + kh - 1 - h - top
        right = out_w + kw - 1 - w - left
        padded = np.pad(image, ((top, bottom), (left, right)))
        if top or bottom or left or right:
            steps.add(
                f"在图像上方补 {top} 行、下方 {bottom} 行、左边 {left} 列、右边 {right} 列零：",
                f"Pad the image with {top} row(s) of zeros on top, {bottom} at the bottom, {left} column(s) on "
                f"the left and {right} on the right:",
            )
            steps.block(grid(padded))
        lines = []
        check = np.zeros((out_h, out_w))
        for i in range(out_h):
            for j in range(out_w):
                window = padded[i : i + kh, j : j + kw]
                pairs = [
                    (float(a), float(b))
                    for a, b in zip(window.ravel(), effective.ravel(), strict=True)
                    if a != 0 and b != 0
                ]
                terms = [f"{signed(a)}·{signed(b)}" for a, b in pairs]
                value = float((window * effective).sum())
                check[i, j] = value
                shown = steps.calc(
                    lambda *v: sum(a * b for a, b in zip(v[::2], v[1::2], strict=True)),
                    *(v for pair in pairs for v in pair),
                    places=0,
                    label=f"out[{i},{j}]",
                    expect=value,
                )
                products = f"{' + '.join(terms)} = " if terms else ""
                lines.append(f"out[{i},{j}] = {products}{shown}")
        if not np.allclose(check, result):  # pragma: no cover - a bug in this worked solution
            raise AssertionError("the worked solution disagrees with the engine")
        steps.add(
            "输出的每个元素是窗口与核逐元素相乘再求和（只列出非零的乘积）：",
            "Each output entry is the sum of the elementwise products of its window and the kernel (non-zero "
            "products shown):",
        )
        steps.block("\n".join(lines))
    steps.add("**答案：**", "**Answer:**")
    steps.block(grid(expected))
    return Solved(prompt, expected, AnswerKind.MATRIX, steps.text(), checks=tuple(steps.checks()))


@register(
    "conv_mode_output",
    title=bi(
        "手算 full / same / valid 卷积或互相关的结果矩阵",
        "Result matrix of a full/same/valid convolution or correlation by hand",
    ),
    kinds=[AnswerKind.MATRIX],
    space=[
        ParamSpec("image", bi("图像边长", "image side"), min=3, max=5),
        ParamSpec("kernel", bi("核边长", "kernel side"), min=2, max=3),
        ParamSpec("mode", bi("模式", "mode"), choices=("full", "same", "valid")),
        ParamSpec(
            "op",
            bi("卷积（翻转核）或互相关", "convolution (flipped kernel) or correlation"),
            choices=("convolve", "correlate"),
        ),
        ParamSpec(
            "values",
            bi(
                "数值范围：small 为 0..3，signed 为 -2..2", "values: small is 0..3, signed is -2..2"
            ),
            choices=("small", "signed"),
        ),
    ],
    solve=solve_conv_mode,
    notes=("notes::3",),
)
def draw_conv_mode(d: Draw) -> dict[str, Any]:
    n, k, mode = d.param("image"), d.param("kernel"), d.param("mode")
    if k > n:
        raise Reject(N_("kernel larger than the image"))
    size = engine.conv_mode_output_size(n, k, mode)
    if size > MAX_OUTPUT:
        raise Reject(N_("result too large to do by hand"))
    low, high = (0, 3) if d.param("values") == "small" else (-2, 2)
    image = [[d.integer(low, high) for _ in range(n)] for _ in range(n)]
    kernel = [[d.integer(-1, 2) for _ in range(k)] for _ in range(k)]
    if (
        sum(v != 0 for row in kernel for v in row) < 2
        or sum(v != 0 for row in image for v in row) < n
    ):
        raise Reject(N_("too many zeros to be instructive"))
    return {"image": image, "kernel": kernel, "mode": mode, "op": d.param("op")}


def solve_conv_mode_size(params: Mapping[str, Any]) -> Solved:
    """Output size of convolve2d / correlate2d in a mode."""
    h, w = (int(v) for v in params["image_shape"])
    kh, kw = (int(v) for v in params["kernel_shape"])
    mode = str(params["mode"])
    expected = (
        engine.conv_mode_output_size(h, kh, mode),  # type: ignore[arg-type]
        engine.conv_mode_output_size(w, kw, mode),  # type: ignore[arg-type]
    )
    prompt = bi(
        f"图像 {h}×{w}（H×W）与核 {kh}×{kw} 做 `scipy.signal.convolve2d(..., mode='{mode}')`，输出多大？",
        f"An image of {h}×{w} (H×W) is convolved with a kernel of {kh}×{kw} by "
        f"`scipy.signal.convolve2d(..., mode='{mode}')`. What is the output size?",
    )
    formula = {"full": "n + k - 1", "same": "n", "valid": "n - k + 1"}[mode]
    steps = Steps()
    steps.add(
        f"{mode} 模式每个维度的输出长度为 ${formula}$（互相关也一样）。",
        f"In {mode} mode each axis has length ${formula}$ (the same for correlation).",
    )
    if mode == "valid" and (kh > h or kw > w):
        steps.add(
            "核比图像大时 SciPy 交换二者，长度为 $k - n + 1$。",
            "When the kernel is larger, SciPy swaps the two, giving $k - n + 1$.",
        )
    shown = []
    for axis, n, k, out in (("H", h, kh, expected[0]), ("W", w, kw, expected[1])):
        expression = {"full": f"{n} + {k} - 1", "valid": f"{n} - {k} + 1"}.get(mode)
        if mode == "valid" and k > n:
            expression = f"{k} - {n} + 1"
        if mode == "full":
            size = steps.calc(lambda a, b: a + b - 1, n, k, places=0, label="n + k - 1", expect=out)
        elif mode == "valid":
            size = steps.calc(
                lambda a, b: abs(a - b) + 1, n, k, places=0, label="|n - k| + 1", expect=out
            )
        else:
            size = steps.calc(lambda a: a, n, places=0, label="n", expect=out)
        shown.append(size)
        steps.add(
            f"${axis}_{{out}} = {expression} = {size}$"
            if expression
            else f"${axis}_{{out}} = {size}$"
        )
    steps.answer(f"({shown[0]}, {shown[1]})")
    return Solved(
        prompt,
        expected,
        AnswerKind.SHAPE,
        steps.text(),
        bi("按 (H, W) 作答，例如 (5, 5)", "answer as (H, W), e.g. (5, 5)"),
        ("H", "W"),
        checks=tuple(steps.checks()),
    )


@register(
    "conv_mode_size",
    title=bi("full / same / valid 模式的输出尺寸", "Output size of the full, same and valid modes"),
    kinds=[AnswerKind.SHAPE],
    space=[
        ParamSpec(
            "size",
            bi("图像边长", "image side"),
            choices=(3, 4, 5, 7, 8, 10, 16, 28, 32, 64, 100, 224),
        ),
        ParamSpec("kernel", bi("核边长", "kernel side"), choices=(1, 2, 3, 4, 5, 7, 11)),
        ParamSpec(
            "square",
            bi("是否为正方形", "whether image and kernel are square"),
            choices=(True, False),
        ),
        ParamSpec("mode", bi("模式", "mode"), choices=("full", "same", "valid")),
    ],
    solve=solve_conv_mode_size,
    notes=("notes::3",),
)
def draw_conv_mode_size(d: Draw) -> dict[str, Any]:
    h, kh = d.param("size"), d.param("kernel")
    if d.param("square"):
        w, kw = h, kh
    else:
        w, kw = d.param("size"), d.param("kernel")
        if (w, kw) == (h, kh):
            raise Reject(N_("not rectangular"))
    if kh > h or kw > w:
        raise Reject(N_("kernel larger than the image"))
    return {"image_shape": [h, w], "kernel_shape": [kh, kw], "mode": d.param("mode")}
