"""Generators about dense prediction: segmentation IoU and Dice, bilinear upsampling and sampling, keypoint OKS.

Label maps are 3×3 to 5×5 with 2–4 classes; images to resize are 2×2 or 3×3 small integers; poses have 2–4
COCO keypoints with their COCO σ. The conventions that decide the answer (classes absent from both maps,
``align_corners``, OKS's k = 2σ and s² = area) are stated in every prompt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, num, spaced, table
from cvquiz.i18n import N_


def _same(value: float) -> float:
    return value


def _mean(*values: float) -> float:
    return sum(values) / len(values)


# --------------------------------------------------------------------------------------------------------------
# Segmentation IoU and Dice


def solve_segmentation_iou(params: Mapping[str, Any]) -> Solved:
    """Per-class IoU or Dice, or their mean over the classes present, of a predicted label map."""
    classes, ask = int(params["classes"]), str(params["ask"])
    target_class = int(params.get("class_index", 0))
    if params.get("confusion") is not None:
        confusion = np.asarray(params["confusion"], dtype=np.int64)
        given = "confusion"
    else:
        confusion = engine.segmentation_confusion(params["target"], params["prediction"], classes)
        given = "maps"
    scores = engine.segmentation_scores(confusion)
    asks = {
        "iou": (f"类别 {target_class} 的 IoU", f"the IoU of class {target_class}"),
        "dice": (
            f"类别 {target_class} 的 Dice 系数",
            f"the Dice coefficient of class {target_class}",
        ),
        "miou": ("mIoU", "the mIoU"),
        "mdice": ("平均 Dice（mDice）", "the mean Dice (mDice)"),
    }
    if ask not in asks:
        raise engine.EngineError(
            N_("ask must be one of {choices}, got {ask!r}"), choices=", ".join(asks), ask=ask
        )
    expected = {
        "iou": float(scores.iou[target_class]),
        "dice": float(scores.dice[target_class]),
        "miou": scores.miou,
        "mdice": scores.mdice,
    }[ask]
    if given == "maps":
        shown = code(
            "真值 =\n" + grid(params["target"]) + "\n\n预测 =\n" + grid(params["prediction"])
        )
        shown_en = code(
            "ground truth =\n"
            + grid(params["target"])
            + "\n\nprediction =\n"
            + grid(params["prediction"])
        )
        data_zh, data_en = (
            f"两张标签图（类别 0..{classes - 1}）：\n\n{shown}",
            (f"Two label maps (classes 0..{classes - 1}):\n\n{shown_en}"),
        )
    else:
        header = ["真值 \\ 预测", *(str(c) for c in range(classes))]
        rows = [[str(r), *(str(v) for v in confusion[r])] for r in range(classes)]
        data_zh = "混淆矩阵（行：真值类别，列：预测类别，单位：像素）：\n\n" + table(header, rows)
        header_en = ["truth \\ predicted", *(str(c) for c in range(classes))]
        data_en = (
            "A confusion matrix (rows: true class, columns: predicted class, in pixels):\n\n"
            + table(header_en, rows)
        )
    prompt = bi(
        f"语义分割评估，共 {classes} 个类别。$\\text{{IoU}}_c = \\frac{{TP}}{{TP + FP + FN}}$，"
        f"$\\text{{Dice}}_c = \\frac{{2TP}}{{2TP + FP + FN}}$；真值和预测里都没有出现的类别没有 IoU/Dice，"
        f"不计入平均（nanmean，与 mmsegmentation 一样）。{data_zh}\n\n求{spaced(asks[ask][0])}。",
        f"Evaluating a semantic segmentation with {classes} classes. $\\text{{IoU}}_c = \\frac{{TP}}{{TP + FP + FN}}$ "
        f"and $\\text{{Dice}}_c = \\frac{{2TP}}{{2TP + FP + FN}}$; a class in neither the ground truth nor the "
        f"prediction has no IoU or Dice and is left out of the mean (nanmean, as mmsegmentation does). {data_en}"
        f"\n\nWhat is {asks[ask][1]}?",
    )
    steps = Steps()
    if given == "maps":
        header = ["真值 \\ 预测", *(str(c) for c in range(classes))]
        header_en = ["truth \\ predicted", *(str(c) for c in range(classes))]
        rows = [[str(r), *(str(v) for v in confusion[r])] for r in range(classes)]
        steps.add(
            "逐像素数出混淆矩阵（行：真值，列：预测）：\n\n" + table(header, rows),
            "Count the pixels into a confusion matrix (rows: truth, columns: prediction):\n\n"
            + table(header_en, rows),
        )
    steps.add(
        "类别 c 的 TP 是对角元，FP 是该列其余元素之和，FN 是该行其余元素之和：",
        "For class c, TP is the diagonal entry, FP the rest of its column and FN the rest of its row:",
    )
    iou_texts: list[str] = []
    dice_texts: list[str] = []
    rows_out = []
    for c in range(classes):
        tp = int(confusion[c, c])
        fp = int(confusion[:, c].sum()) - tp
        fn = int(confusion[c, :].sum()) - tp
        if tp + fp + fn == 0:
            rows_out.append([c, tp, fp, fn, "—", "—"])
            continue
        iou = steps.calc(
            lambda a, b, e: a / (a + b + e), tp, fp, fn, label="IoU", expect=float(scores.iou[c])
        )
        dice = steps.calc(
            lambda a, b, e: 2 * a / (2 * a + b + e),
            tp,
            fp,
            fn,
            label="Dice",
            expect=float(scores.dice[c]),
        )
        iou_texts.append(iou)
        dice_texts.append(dice)
        rows_out.append(
            [c, tp, fp, fn, f"{tp}/{tp + fp + fn} = {iou}", f"{2 * tp}/{2 * tp + fp + fn} = {dice}"]
        )
    steps.add(
        table(["类别", "TP", "FP", "FN", "IoU", "Dice"], rows_out),
        table(["class", "TP", "FP", "FN", "IoU", "Dice"], rows_out),
    )
    absent = [c for c in range(classes) if math.isnan(scores.iou[c])]
    if absent:
        steps.add(
            f"类别 {', '.join(map(str, absent))} 在两张图里都没有出现（0/0），不参与平均。",
            f"Class{'es' * (len(absent) > 1)} {', '.join(map(str, absent))} appear{'s' * (len(absent) == 1)} in "
            "neither map (0/0) and are left out of the mean.",
        )
    if ask in ("miou", "mdice"):
        values = iou_texts if ask == "miou" else dice_texts
        answer = steps.calc(_mean, *values, label=ask, expect=expected)
        name = "mIoU" if ask == "miou" else "mDice"
        steps.math(
            f"\\text{{{name}}} = \\frac{{1}}{{{len(values)}}}({' + '.join(values)}) = {answer}"
        )
    else:
        index = [c for c in range(classes) if c not in absent].index(target_class)
        answer = steps.calc(
            _same, (iou_texts if ask == "iou" else dice_texts)[index], label=ask, expect=expected
        )
    steps.add(
        "Dice 与 IoU 一一对应：$\\text{Dice} = 2\\,\\text{IoU} / (1 + \\text{IoU})$，所以 Dice ≥ IoU。",
        "Dice and IoU determine each other, $\\text{Dice} = 2\\,\\text{IoU} / (1 + \\text{IoU})$, so Dice ≥ IoU.",
    )
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


@register(
    "segmentation_iou",
    title=bi(
        "语义分割的逐类 IoU、mIoU 与 Dice",
        "Per-class IoU, mIoU and Dice of a segmentation",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("ask", bi("问什么", "what to ask"), choices=("iou", "dice", "miou", "mdice")),
        ParamSpec("classes", bi("类别数", "classes"), min=2, max=4),
        ParamSpec("size", bi("标签图边长", "label map side"), min=3, max=5),
        ParamSpec(
            "given",
            bi("给标签图还是混淆矩阵", "label maps or a confusion matrix"),
            choices=("maps", "confusion"),
        ),
        ParamSpec(
            "absent",
            bi("是否有一个类别在两张图里都不出现", "whether a class is absent from both maps"),
            choices=(False, True),
        ),
    ],
    solve=solve_segmentation_iou,
    decimals=3,
    notes=("notes::20",),
)
def draw_segmentation_iou(d: Draw) -> dict[str, Any]:
    classes, size, ask = d.param("classes"), d.param("size"), d.param("ask")
    absent = d.param("absent")
    if absent and classes == 2:
        raise Reject(N_("two classes leave nothing to average without one"))
    missing = d.index(classes) if absent else None
    present = [c for c in range(classes) if c != missing]
    target = [[d.choice(present) for _ in range(size)] for _ in range(size)]
    prediction = [[v if d.chance(0.7) else d.choice(present) for v in row] for row in target]
    confusion = engine.segmentation_confusion(target, prediction, classes)
    used = {v for row in target + prediction for v in row}
    if used != set(present):
        raise Reject(N_("a class meant to be present is missing"))
    if np.trace(confusion) == confusion.sum():
        raise Reject(N_("a perfect prediction"))
    class_index = d.choice(present)
    params: dict[str, Any] = {"classes": classes, "ask": ask, "class_index": class_index}
    if d.param("given") == "confusion":
        params["confusion"] = confusion.tolist()
    else:
        params["target"], params["prediction"] = target, prediction
    return params


# --------------------------------------------------------------------------------------------------------------
# Bilinear interpolation


def _axis_steps(
    steps: Steps, name: tuple[str, str], dst: int, n_in: int, n_out: int, align: bool
) -> tuple[str, int, int, str]:
    """Print where output index ``dst`` samples the input along one axis; return (src, i0, i1, λ)."""
    index = engine.source_index(dst, n_in, n_out, align)
    if align:
        src = steps.calc(
            lambda d_, a, b: d_ * (a - 1) / (b - 1) if b > 1 else 0.0,
            dst,
            n_in,
            n_out,
            label="src",
            expect=index.src,
        )
        steps.add(
            f"{name[0]}：align_corners=True，$\\text{{src}} = {dst}\\times\\frac{{{n_in} - 1}}{{{n_out} - 1}} = {src}$。",
            f"{name[1]}: align_corners=True, $\\text{{src}} = {dst}\\times\\frac{{{n_in} - 1}}{{{n_out} - 1}} = {src}$.",
        )
    else:
        raw = (dst + 0.5) * n_in / n_out - 0.5
        src = steps.calc(
            lambda d_, a, b: max((d_ + 0.5) * a / b - 0.5, 0.0),
            dst,
            n_in,
            n_out,
            label="src",
            expect=index.src,
        )
        clamp_zh = "，负数截到 0" if raw < 0 else ""
        clamp_en = ", a negative source clamped to 0" if raw < 0 else ""
        steps.add(
            f"{name[0]}：align_corners=False，$\\text{{src}} = ({dst} + 0.5)\\times\\frac{{{n_in}}}{{{n_out}}} - 0.5 = {src}${clamp_zh}。",
            f"{name[1]}: align_corners=False, $\\text{{src}} = ({dst} + 0.5)\\times\\frac{{{n_in}}}{{{n_out}}} - 0.5 = {src}${clamp_en}.",
        )
    weight = steps.calc(lambda s, i=index.i0: s - i, src, label="lambda", expect=index.weight)
    edge_zh = "（已到最后一个像素，两个邻居相同）" if index.i0 == index.i1 else ""
    edge_en = " (the last pixel: both neighbours are the same)" if index.i0 == index.i1 else ""
    steps.add(
        f"邻居 {index.i0} 和 {index.i1}{edge_zh}，权重 $\\lambda = {src} - {index.i0} = {weight}$。",
        f"Neighbours {index.i0} and {index.i1}{edge_en}, weight $\\lambda = {src} - {index.i0} = {weight}$.",
    )
    return src, index.i0, index.i1, weight


def solve_bilinear(params: Mapping[str, Any]) -> Solved:
    """The value of one output pixel of bilinear resizing, or of grid_sample at one point."""
    image = np.asarray(params["image"], dtype=np.float64)
    align = bool(params["align_corners"])
    op = str(params.get("op", "interpolate"))
    h, w = image.shape
    block = code("img =\n" + grid(image))
    steps = Steps()
    if op == "interpolate":
        out_h, out_w = (int(v) for v in params["size"])
        i, j = int(params["row"]), int(params["col"])
        expected = float(engine.resize_bilinear(image, (out_h, out_w), align)[i, j])
        call = f"F.interpolate(img[None, None], size=({out_h}, {out_w}), mode='bilinear', align_corners={align})"
        prompt = bi(
            f"把 {h}×{w} 的图像 `img` 双线性放大：`{call}`。求输出第 {i} 行、第 {j} 列（从 0 数）的值。\n\n{block}",
            f"The {h}×{w} image `img` is resized bilinearly with `{call}`. What is the output value at row {i}, "
            f"column {j} (counting from 0)?\n\n{block}",
        )
        steps.add(
            "每个输出像素先映射回输入坐标，再在两个方向上做线性插值。",
            "Each output pixel is mapped back to an input coordinate, then interpolated linearly along both axes.",
        )
        _, r0, r1, wy = _axis_steps(steps, ("行", "Row"), i, h, out_h, align)
        _, c0, c1, wx = _axis_steps(steps, ("列", "Column"), j, w, out_w, align)
    elif op == "grid_sample":
        gx, gy = float(params["x"]), float(params["y"])
        expected = engine.grid_sample_bilinear(image, gx, gy, align)
        call = f"F.grid_sample(img[None, None], grid, mode='bilinear', padding_mode='zeros', align_corners={align})"
        prompt = bi(
            f"对 {h}×{w} 的图像 `img` 调用 `{call}`，grid 中只有一个点 $(x, y) = ({num(gx)}, {num(gy)})$"
            f"（归一化坐标，x 为列方向，−1 与 1 为两端{'像素的中心' if align else '像素的外边缘'}）。求采样值。\n\n{block}",
            f"`{call}` samples the {h}×{w} image `img` at the single grid point $(x, y) = ({num(gx)}, {num(gy)})$ "
            f"(normalised coordinates, x along the columns; −1 and 1 are the "
            f"{'centres of the end pixels' if align else 'outer edges of the end pixels'}). What is the sampled value?"
            f"\n\n{block}",
        )
        if align:
            px = steps.calc(lambda g, n=w: (g + 1) / 2 * (n - 1), gx, label="x pixels")
            py = steps.calc(lambda g, n=h: (g + 1) / 2 * (n - 1), gy, label="y pixels")
            formula = "\\frac{x + 1}{2}(W - 1)"
        else:
            px = steps.calc(lambda g, n=w: ((g + 1) * n - 1) / 2, gx, label="x pixels")
            py = steps.calc(lambda g, n=h: ((g + 1) * n - 1) / 2, gy, label="y pixels")
            formula = "\\frac{(x + 1)W - 1}{2}"
        steps.add(
            f"换成像素坐标：$x_{{pix}} = {formula} = {px}$，$y_{{pix}}$ 同理 $= {py}$。",
            f"In pixels: $x_{{pix}} = {formula} = {px}$, and likewise $y_{{pix}} = {py}$.",
        )
        x0, y0 = (
            math.floor(_pixel_coordinate(gx, w, align)),
            math.floor(_pixel_coordinate(gy, h, align)),
        )
        wx = steps.calc(lambda p, i=x0: p - i, px, label="lambda x")
        wy = steps.calc(lambda p, i=y0: p - i, py, label="lambda y")
        c0, c1, r0, r1 = x0, x0 + 1, y0, y0 + 1
        steps.add(
            f"邻居列 {c0}、{c1}（$\\lambda_x = {wx}$），邻居行 {r0}、{r1}（$\\lambda_y = {wy}$）；"
            "超出图像的邻居按 padding_mode='zeros' 取 0。",
            f"Neighbour columns {c0} and {c1} ($\\lambda_x = {wx}$), rows {r0} and {r1} ($\\lambda_y = {wy}$); a "
            "neighbour outside the image counts as 0 (padding_mode='zeros').",
        )
    else:
        raise engine.EngineError(N_("op must be 'interpolate' or 'grid_sample', got {op!r}"), op=op)

    def pixel(r: int, c: int) -> float:
        return float(image[r, c]) if 0 <= r < h and 0 <= c < w else 0.0

    top = steps.calc(_lerp(pixel(r0, c0), pixel(r0, c1)), wx, label="top")
    bottom = steps.calc(_lerp(pixel(r1, c0), pixel(r1, c1)), wx, label="bottom")
    value = steps.calc(
        lambda lam, t, b: (1 - lam) * t + lam * b, wy, top, bottom, label="value", expect=expected
    )
    steps.math(
        f"\\text{{top}} = (1 - {wx})\\times{num(pixel(r0, c0))} + {wx}\\times{num(pixel(r0, c1))} = {top},\\quad "
        f"\\text{{bottom}} = (1 - {wx})\\times{num(pixel(r1, c0))} + {wx}\\times{num(pixel(r1, c1))} = {bottom}"
    )
    steps.math(
        f"v = (1 - {wy})\\times{steps.signed(top)} + {wy}\\times{steps.signed(bottom)} = {value}"
    )
    steps.add(
        "align_corners=True 让输入输出的角像素中心对齐；False（默认）让像素边缘对齐，与 `F.interpolate` 的默认和多数图像库一致。",
        "align_corners=True lines up the centres of the corner pixels; False (the default) lines up the pixel edges, "
        "as most image libraries do.",
    )
    steps.answer(value)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


def _lerp(a: float, b: float) -> Any:
    """λ ↦ (1 − λ)·a + λ·b."""
    return lambda lam: (1 - lam) * a + lam * b


def _pixel_coordinate(coord: float, size: int, align: bool) -> float:
    """grid_sample's pixel coordinate of a normalised one."""
    return (coord + 1) / 2 * (size - 1) if align else ((coord + 1) * size - 1) / 2


@register(
    "bilinear_interpolate",
    title=bi(
        "双线性插值：放大后某个像素的值（align_corners 两种约定）或 grid_sample 的采样值",
        "Bilinear interpolation: an output pixel of a resize (both align_corners) or a grid_sample value",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec(
            "op",
            bi("F.interpolate 或 F.grid_sample", "F.interpolate or F.grid_sample"),
            choices=("interpolate", "grid_sample"),
        ),
        ParamSpec("align_corners", bi("align_corners", "align_corners"), choices=(False, True)),
        ParamSpec("image", bi("输入图像边长", "input side"), min=2, max=3),
    ],
    solve=solve_bilinear,
    decimals=3,
)
def draw_bilinear(d: Draw) -> dict[str, Any]:
    n, align, op = d.param("image"), d.param("align_corners"), d.param("op")
    image = [[d.integer(0, 9) for _ in range(n)] for _ in range(n)]
    if len({v for row in image for v in row}) < 3:
        raise Reject(N_("too flat an image"))
    if op == "interpolate":
        out_h, out_w = d.choice((3, 4, 5, 6)), d.choice((3, 4, 5, 6))
        if out_h <= n and out_w <= n:
            raise Reject(N_("not an upsampling"))
        i, j = d.index(out_h), d.index(out_w)
        rows, cols = (
            engine.source_index(i, n, out_h, align),
            engine.source_index(j, n, out_w, align),
        )
        if rows.weight in (0.0, 1.0) and cols.weight in (0.0, 1.0):
            raise Reject(N_("the output copies an input pixel"))
        return {
            "op": op,
            "image": image,
            "size": [out_h, out_w],
            "row": i,
            "col": j,
            "align_corners": align,
        }
    x, y = (
        d.choice((-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0)),
        d.choice((-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75)),
    )
    px, py = _pixel_coordinate(x, n, align), _pixel_coordinate(y, n, align)
    if px == int(px) and py == int(py):
        raise Reject(N_("the point is a pixel centre"))
    return {"op": op, "image": image, "x": x, "y": y, "align_corners": align}


# --------------------------------------------------------------------------------------------------------------
# Object keypoint similarity


def solve_oks(params: Mapping[str, Any]) -> Solved:
    """OKS of a predicted pose, as pycocotools' computeOks."""
    names = [str(n) for n in params["names"]]
    gt = [list(p) for p in params["gt_keypoints"]]
    dt = [list(p) for p in params["dt_keypoints"]]
    area = float(params["area"])
    sigmas = [engine.COCO_KEYPOINT_SIGMAS[engine.COCO_KEYPOINT_NAMES.index(n)] for n in names]
    expected = engine.oks(gt, dt, area, sigmas)
    rows = [
        [n, f"({num(g[0])}, {num(g[1])})", g[2], f"({num(p[0])}, {num(p[1])})", num(s)]
        for n, g, p, s in zip(names, gt, dt, sigmas, strict=True)
    ]
    shown_zh = table(["关键点", "真值 (x, y)", "v", "预测 (x, y)", "σ"], rows)
    shown_en = table(["keypoint", "truth (x, y)", "v", "predicted (x, y)", "σ"], rows)
    formula = (
        "\\text{OKS} = \\frac{1}{|\\{i: v_i > 0\\}|}\\sum_{v_i > 0} "
        "\\exp\\left(-\\frac{d_i^2}{2 s^2 k_i^2}\\right),\\quad k_i = 2\\sigma_i"
    )
    prompt = bi(
        f"COCO 关键点评估：一个人的真值面积 $s^2 = {num(area)}$ 像素²，下表是各关键点的真值（v 为可见性标记，"
        f"v = 0 表示未标注）、预测和 COCO 的 σ。按 pycocotools 的 computeOks：${formula}$。求 OKS。\n\n{shown_zh}",
        f"COCO keypoint evaluation: a person whose ground-truth area is $s^2 = {num(area)}$ px², with the ground "
        f"truth of each keypoint (v is the visibility flag, v = 0 unlabelled), the prediction and COCO's σ below. "
        f"By pycocotools' computeOks, ${formula}$. What is the OKS?\n\n{shown_en}",
    )
    steps = Steps()
    terms: list[str] = []
    out_rows = []
    for n, g, p, s in zip(names, gt, dt, sigmas, strict=True):
        if g[2] <= 0:
            out_rows.append([n, "—", "—", "—", "未标注，不计", "unlabelled, skipped"])
            continue
        d2 = steps.calc(
            lambda a, b, c, e: (a - c) ** 2 + (b - e) ** 2,
            g[0],
            g[1],
            p[0],
            p[1],
            places=2,
            label="d^2",
        )
        k2 = steps.calc(lambda sig: (2 * sig) ** 2, s, places=6, label="k^2")
        exponent = steps.calc(
            lambda dd, kk, a=area: dd / (2 * a * kk), d2, k2, label="d^2 / (2 s^2 k^2)"
        )
        term = steps.calc(lambda e: math.exp(-e), exponent, label="exp")
        terms.append(term)
        dx, dy = num(p[0] - g[0]), num(p[1] - g[1])
        out_rows.append([n, f"({dx})² + ({dy})² = {d2}", k2, exponent, term, term])
    steps.add(
        table(
            ["关键点", "$d^2$", "$k^2$", "$d^2/(2s^2k^2)$", "$e^{-\\cdot}$"],
            [r[:5] for r in out_rows],
        ),
        table(
            ["keypoint", "$d^2$", "$k^2$", "$d^2/(2s^2k^2)$", "$e^{-\\cdot}$"],
            [[*r[:4], r[5]] for r in out_rows],
        ),
    )
    answer = steps.calc(_mean, *terms, label="OKS", expect=expected)
    steps.math(f"\\text{{OKS}} = \\frac{{1}}{{{len(terms)}}}({' + '.join(terms)}) = {answer}")
    steps.add(
        "σ 大的关键点（髋、膝）允许更大的误差，σ 小的（眼、鼻）要求更准；面积 $s^2$ 让同样像素误差在大目标上惩罚更小。"
        "OKS 在关键点 AP 里扮演 IoU 的角色（阈值 0.50:0.05:0.95）。",
        "Keypoints with a large σ (hips, knees) tolerate larger errors than those with a small one (eyes, nose); the "
        "area $s^2$ makes the same pixel error cost less on a large person. OKS plays IoU's part in keypoint AP "
        "(thresholds 0.50:0.05:0.95).",
    )
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


@register(
    "oks",
    title=bi("关键点相似度 OKS（COCO）", "Object keypoint similarity (COCO OKS)"),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("keypoints", bi("关键点数", "keypoints"), min=2, max=4),
        ParamSpec(
            "unlabelled",
            bi("是否有一个未标注（v = 0）的关键点", "whether one keypoint is unlabelled (v = 0)"),
            choices=(False, True),
        ),
    ],
    solve=solve_oks,
    decimals=3,
)
def draw_oks(d: Draw) -> dict[str, Any]:
    count = d.param("keypoints")
    names = sorted(d.sample(range(len(engine.COCO_KEYPOINT_NAMES)), count))
    side = d.choice((40, 50, 60, 80, 100))
    area = float(side * side)
    gt, dt = [], []
    for _ in names:
        x, y = d.integer(100, 100 + side), d.integer(100, 100 + 2 * side)
        gt.append([x, y, 2])
        dt.append([x + d.integer(-6, 6), y + d.integer(-6, 6)])
    if d.param("unlabelled"):
        # COCO stores an unlabelled keypoint as (0, 0, 0); a prediction for it is ignored.
        gt[d.index(count)] = [0, 0, 0]
    if all(p[0] == g[0] and p[1] == g[1] for p, g in zip(dt, gt, strict=True) if g[2] > 0):
        raise Reject(N_("a perfect prediction"))
    return {
        "names": [engine.COCO_KEYPOINT_NAMES[i] for i in names],
        "gt_keypoints": gt,
        "dt_keypoints": dt,
        "area": area,
    }
