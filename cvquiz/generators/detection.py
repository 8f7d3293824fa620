"""Generators about detection metrics: IoU, GIoU/DIoU, mask IoU, precision/recall/F1, VOC AP and COCO AP.

Boxes have integer coordinates. AP problems are small (1–2 images, 2–4 objects, 3–6 detections with distinct
scores) and every IoU is kept well away from the threshold, so that TP/FP is never a matter of rounding. The
solutions show the ranked detections with TP/FP, the cumulative precision/recall table, the precision
envelope and the interpolation sum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, num, ratio, table
from cvquiz.i18n import N_

Box = list[int]

_OUTCOME = {
    "tp": ("TP", "TP"),
    "fp_low_iou": ("FP（IoU 不够）", "FP (low IoU)"),
    "fp_duplicate": ("FP（重复检测）", "FP (duplicate)"),
    "difficult": ("忽略（difficult）", "ignored (difficult)"),
}


def _exact_text(value: float, max_denominator: int) -> str:
    """A precision or recall built from counts, exactly: ``0.5``, ``0.375`` or ``2/3`` (never a rounded 0.667).

    Rounded table values summed by hand can miss a 3-decimal answer (0.333 + 0.333 is not 0.667), so the
    tables and sums of AP solutions show the fractions the counts give.
    """
    if math.isnan(value):
        return "—"
    fraction = Fraction(value).limit_denominator(max(1, max_denominator))
    return ratio(fraction.numerator, fraction.denominator)


def _exact(steps: Steps, value: float, max_denominator: int) -> str:
    """`_exact_text` as a placeholder that the solution's checks know (a plain dash for NaN)."""
    text = _exact_text(value, max_denominator)
    return text if math.isnan(value) else steps.exact(text, value)


def _sum_products(*values: float) -> float:
    """Σ a_i·b_i over the pairs (a_1, b_1, a_2, b_2, ...)."""
    return sum(a * b for a, b in zip(values[::2], values[1::2], strict=True))


def _box(box: Sequence[Any]) -> str:
    return "(" + ", ".join(num(v) for v in box) + ")"


def _area(box: Sequence[float]) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


# --------------------------------------------------------------------------------------------------------------
# Box IoU, GIoU, DIoU


def _ratio(a: float, b: float) -> float:
    return a / b


def _ratio_or_zero(a: float, b: float) -> float:
    """a / b, and 0 for 0/0 (scikit-learn's ``zero_division=0``, as the engine counts it)."""
    return a / b if b else 0.0


def _clamped(difference: float) -> str:
    """A side of the intersection as worked: ``3``, or ``-1 → 0`` when the boxes do not overlap on that axis."""
    return num(difference) if difference >= 0 else f"{num(difference)} \\to 0"


def _overlap_steps(steps: Steps, a: Sequence[float], b: Sequence[float]) -> tuple[str, float]:
    dw = min(a[2], b[2]) - max(a[0], b[0])
    dh = min(a[3], b[3]) - max(a[1], b[1])
    iw, ih = max(dw, 0), max(dh, 0)
    inter = iw * ih
    union = _area(a) + _area(b) - inter
    steps.add(
        f"交集宽 $= \\min({num(a[2])}, {num(b[2])}) - \\max({num(a[0])}, {num(b[0])}) = {_clamped(dw)}$（负数取 0），"
        f"高 $= \\min({num(a[3])}, {num(b[3])}) - \\max({num(a[1])}, {num(b[1])}) = {_clamped(dh)}$，交集面积 ${num(inter)}$。",
        f"Intersection width $= \\min({num(a[2])}, {num(b[2])}) - \\max({num(a[0])}, {num(b[0])}) = {_clamped(dw)}$ "
        f"(0 if negative), height $= \\min({num(a[3])}, {num(b[3])}) - \\max({num(a[1])}, {num(b[1])}) = {_clamped(dh)}$, "
        f"area ${num(inter)}$.",
    )
    steps.add(
        f"面积 $|A| = {num(a[2] - a[0])}\\times{num(a[3] - a[1])} = {num(_area(a))}$，"
        f"$|B| = {num(b[2] - b[0])}\\times{num(b[3] - b[1])} = {num(_area(b))}$，"
        f"并集 $= {num(_area(a))} + {num(_area(b))} - {num(inter)} = {num(union)}$。",
        f"Areas $|A| = {num(a[2] - a[0])}\\times{num(a[3] - a[1])} = {num(_area(a))}$ and "
        f"$|B| = {num(b[2] - b[0])}\\times{num(b[3] - b[1])} = {num(_area(b))}$; union "
        f"$= {num(_area(a))} + {num(_area(b))} - {num(inter)} = {num(union)}$.",
    )
    iou = steps.calc(_ratio, inter, union, label="IoU", expect=engine.box_iou(a, b))
    steps.math(f"\\text{{IoU}} = \\frac{{{num(inter)}}}{{{num(union)}}} = {iou}")
    return iou, union


def _box_prompt(a: Sequence[Any], b: Sequence[Any], what_zh: str, what_en: str) -> Any:
    return bi(
        f"两个框（$(x_1, y_1, x_2, y_2)$，宽 $= x_2 - x_1$）：$A = {_box(a)}$，$B = {_box(b)}$。求 {what_zh}。",
        f"Two boxes as $(x_1, y_1, x_2, y_2)$ (width $= x_2 - x_1$): $A = {_box(a)}$ and $B = {_box(b)}$. "
        f"What is their {what_en}?",
    )


def solve_box_iou(params: Mapping[str, Any]) -> Solved:
    """IoU of two boxes."""
    a, b = params["box_a"], params["box_b"]
    expected = engine.box_iou(a, b)
    steps = Steps()
    steps.math(
        "\\text{IoU} = \\frac{|A \\cap B|}{|A \\cup B|} = \\frac{|A \\cap B|}{|A| + |B| - |A \\cap B|}"
    )
    iou, _ = _overlap_steps(steps, a, b)
    steps.answer(iou)
    return Solved(
        _box_prompt(a, b, "IoU", "IoU"),
        float(expected),
        AnswerKind.NUMBER,
        steps.text(),
        checks=tuple(steps.checks()),
    )


def solve_giou(params: Mapping[str, Any]) -> Solved:
    """GIoU or DIoU of two boxes."""
    a, b = params["box_a"], params["box_b"]
    metric = params.get("metric", "giou")
    if metric not in ("giou", "diou"):
        raise engine.EngineError(
            N_("metric must be 'giou' or 'diou', got {metric!r}"), metric=metric
        )
    expected = engine.giou(a, b) if metric == "giou" else engine.diou(a, b)
    name = "GIoU" if metric == "giou" else "DIoU"
    steps = Steps()
    iou, union = _overlap_steps(steps, a, b)
    cw = max(a[2], b[2]) - min(a[0], b[0])
    ch = max(a[3], b[3]) - min(a[1], b[1])
    steps.add(
        f"最小外接框 $C$：宽 ${num(cw)}$，高 ${num(ch)}$。",
        f"The smallest enclosing box $C$ is ${num(cw)}$ wide and ${num(ch)}$ high.",
    )
    if metric == "giou":
        area_c = cw * ch
        result = steps.calc(
            lambda i, c=area_c, u=union: i - (c - u) / c, iou, label="GIoU", expect=float(expected)
        )
        steps.math(
            f"\\text{{GIoU}} = \\text{{IoU}} - \\frac{{|C| - |A \\cup B|}}{{|C|}} = {iou} - "
            f"\\frac{{{num(area_c)} - {num(union)}}}{{{num(area_c)}}} = {result}"
        )
        steps.add(
            "框不相交时 IoU 恒为 0、没有梯度，GIoU 仍随距离变化（可为负），所以能作为回归损失 $1 - \\text{GIoU}$。",
            "For disjoint boxes IoU is 0 with no gradient, while GIoU still changes with the distance (it can go "
            "negative), which makes $1 - \\text{GIoU}$ usable as a regression loss.",
        )
    else:

        def centre(lo: float, hi: float) -> str:
            return steps.calc(lambda u, v: (u + v) / 2, lo, hi, label="centre")

        ax, ay, bx, by = (
            centre(a[0], a[2]),
            centre(a[1], a[3]),
            centre(b[0], b[2]),
            centre(b[1], b[3]),
        )
        rho2 = steps.calc(
            lambda p, q, r, t: (p - r) ** 2 + (q - t) ** 2, ax, ay, bx, by, label="rho^2"
        )
        c2 = steps.calc(lambda u, v: u * u + v * v, cw, ch, label="c^2")
        steps.add(
            f"中心 $({ax}, {ay})$ 与 $({bx}, {by})$，距离平方 $\\rho^2 = {rho2}$；"
            f"外接框对角线平方 $c^2 = {num(cw)}^2 + {num(ch)}^2 = {c2}$。",
            f"Centres $({ax}, {ay})$ and $({bx}, {by})$, squared distance $\\rho^2 = {rho2}$; "
            f"squared diagonal of the enclosing box $c^2 = {num(cw)}^2 + {num(ch)}^2 = {c2}$.",
        )
        # torchvision adds 1e-7 to c²; the printed formula (and so this step) leaves it out: 1e-9 apart.
        result = steps.calc(lambda i, r, c: i - r / c, iou, rho2, c2, label="DIoU")
        steps.math(
            f"\\text{{DIoU}} = \\text{{IoU}} - \\frac{{\\rho^2}}{{c^2}} = {iou} - \\frac{{{rho2}}}{{{c2}}} = {result}"
        )
    steps.answer(result)
    return Solved(
        _box_prompt(a, b, name, name),
        float(expected),
        AnswerKind.NUMBER,
        steps.text(),
        checks=tuple(steps.checks()),
    )


def _draw_box(d: Draw, low: int, high: int) -> Box:
    x1, y1 = d.integer(low, high - 2), d.integer(low, high - 2)
    return [x1, y1, d.integer(x1 + 2, min(x1 + 8, high)), d.integer(y1 + 2, min(y1 + 8, high))]


def _draw_pair(d: Draw, relation: str) -> tuple[Box, Box]:
    if relation == "contained":
        outer = [d.integer(0, 4), d.integer(0, 4), d.integer(7, 12), d.integer(7, 12)]
        x1, y1 = d.integer(outer[0], outer[2] - 2), d.integer(outer[1], outer[3] - 2)
        inner = [x1, y1, d.integer(x1 + 2, outer[2]), d.integer(y1 + 2, outer[3])]
        if inner == outer:
            raise Reject(N_("identical boxes"))
        return (outer, inner) if d.chance(0.5) else (inner, outer)
    a, b = _draw_box(d, 0, 12), _draw_box(d, 0, 12)
    inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    inside = (a[0] <= b[0] and a[1] <= b[1] and a[2] >= b[2] and a[3] >= b[3]) or (
        b[0] <= a[0] and b[1] <= a[1] and b[2] >= a[2] and b[3] >= a[3]
    )
    if a == b:
        raise Reject(N_("identical boxes"))
    if relation == "partial" and (inter == 0 or inside):
        raise Reject(N_("not a partial overlap"))
    if relation == "contained" and not inside:
        raise Reject(N_("not contained"))
    if relation == "disjoint" and inter > 0:
        raise Reject(N_("not disjoint"))
    return a, b


def _relation(*choices: str) -> ParamSpec:
    return ParamSpec(
        "relation",
        bi(
            "两框关系：部分重叠、包含、不相交",
            "how the boxes lie: overlapping, one inside the other, apart",
        ),
        choices=choices,
    )


@register(
    "box_iou",
    title=bi("两个框的 IoU", "IoU of two boxes"),
    kinds=[AnswerKind.NUMBER],
    space=[_relation("partial", "contained")],
    solve=solve_box_iou,
    decimals=3,
    notes=("notes::19",),
)
def draw_box_iou(d: Draw) -> dict[str, Any]:
    a, b = _draw_pair(d, d.param("relation"))
    return {"box_a": a, "box_b": b}


@register(
    "giou",
    title=bi("两个框的 GIoU / DIoU", "GIoU / DIoU of two boxes"),
    kinds=[AnswerKind.NUMBER],
    space=[
        _relation("partial", "contained", "disjoint"),
        ParamSpec("metric", bi("指标", "metric"), choices=("giou", "diou")),
    ],
    solve=solve_giou,
    decimals=3,
    notes=("notes::19",),
)
def draw_giou(d: Draw) -> dict[str, Any]:
    a, b = _draw_pair(d, d.param("relation"))
    return {"box_a": a, "box_b": b, "metric": d.param("metric")}


# --------------------------------------------------------------------------------------------------------------
# Mask IoU


def solve_mask_iou(params: Mapping[str, Any]) -> Solved:
    """IoU of two binary masks."""
    a, b = np.asarray(params["mask_a"]), np.asarray(params["mask_b"])
    expected = engine.mask_iou(params["mask_a"], params["mask_b"])
    shown = code("A =\n" + grid(a) + "\n\nB =\n" + grid(b))
    prompt = bi(
        f"两个二值分割掩码（1 为前景）。求它们的 mask IoU。\n\n{shown}",
        f"Two binary segmentation masks (1 is foreground). What is their mask IoU?\n\n{shown}",
    )
    inter, union = int(np.count_nonzero(a & b)), int(np.count_nonzero(a | b))
    steps = Steps()
    steps.add(
        "逐像素求交（两者都为 1）与并（任一为 1）：",
        "Intersect (both 1) and unite (either 1) pixel by pixel:",
    )
    steps.block("A ∧ B =\n" + grid(a & b) + "\n\nA ∨ B =\n" + grid(a | b))
    iou = steps.calc(_ratio, inter, union, label="IoU", expect=float(expected))
    steps.math(
        f"\\text{{IoU}} = \\frac{{|A \\cap B|}}{{|A \\cup B|}} = \\frac{{{inter}}}{{{union}}} = {iou}"
    )
    total = int(a.sum() + b.sum())
    dice = steps.calc(_ratio, 2 * inter, total, label="Dice")
    steps.add(
        f"对比 Dice 系数 $2|A\\cap B|/(|A|+|B|) = {2 * inter}/{total} = {dice}$，它总是不小于 IoU。",
        f"Compare the Dice coefficient $2|A\\cap B|/(|A|+|B|) = {2 * inter}/{total} = {dice}$, "
        "never smaller than IoU.",
    )
    steps.answer(iou)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "mask_iou",
    title=bi("两个二值掩码的 IoU", "IoU of two binary masks"),
    kinds=[AnswerKind.NUMBER],
    space=[ParamSpec("size", bi("掩码边长", "mask side"), min=4, max=5)],
    solve=solve_mask_iou,
    decimals=3,
    notes=("notes::20",),
)
def draw_mask_iou(d: Draw) -> dict[str, Any]:
    n = d.param("size")
    masks = []
    for _ in range(2):
        mask = [[0] * n for _ in range(n)]
        top, left = d.integer(0, n - 2), d.integer(0, n - 2)
        bottom, right = d.integer(top + 1, n - 1), d.integer(left + 1, n - 1)
        for i in range(top, bottom + 1):
            for j in range(left, right + 1):
                mask[i][j] = 1
        flip_i, flip_j = d.index(n), d.index(n)
        mask[flip_i][flip_j] ^= 1
        masks.append(mask)
    a, b = np.asarray(masks[0]), np.asarray(masks[1])
    if not np.any(a & b) or np.array_equal(a, b):
        raise Reject(N_("masks should overlap and differ"))
    return {"mask_a": masks[0], "mask_b": masks[1]}


# --------------------------------------------------------------------------------------------------------------
# Precision, recall, F1


def solve_prf(params: Mapping[str, Any]) -> Solved:
    """Precision, recall or F1 from counts."""
    tp, fp, fn = int(params["tp"]), int(params["fp"]), int(params["fn"])
    ask = params.get("ask", "f1")
    if ask not in ("precision", "recall", "f1"):
        raise engine.EngineError(N_("ask must be precision, recall or f1, got {ask!r}"), ask=ask)
    result = engine.precision_recall_f1(tp, fp, fn)
    expected = float(getattr(result, ask))
    what = {
        "precision": ("精确率（precision）", "precision"),
        "recall": ("召回率（recall）", "recall"),
        "f1": (" F1 分数", "F1 score"),
    }[ask]
    prompt = bi(
        f"检测器输出 {tp + fp} 个框，其中 {tp} 个与真实目标匹配；图中共有 {tp + fn} 个真实目标。求{what[0]}。",
        f"A detector outputs {tp + fp} boxes, of which {tp} {'matches' if tp == 1 else 'match'} a ground-truth "
        f"object; there are {tp + fn} ground-truth objects. What is the {what[1]}?",
    )
    steps = Steps()
    steps.add(
        f"TP = {tp}，FP = {tp + fp} − {tp} = {fp}，FN = {tp + fn} − {tp} = {fn}。",
        f"TP = {tp}, FP = {tp + fp} − {tp} = {fp}, FN = {tp + fn} − {tp} = {fn}.",
    )
    shown = {
        "precision": steps.calc(_ratio_or_zero, tp, tp + fp, label="P", expect=result.precision),
        "recall": steps.calc(_ratio_or_zero, tp, tp + fn, label="R", expect=result.recall),
        "f1": steps.calc(_ratio_or_zero, 2 * tp, 2 * tp + fp + fn, label="F1", expect=result.f1),
    }
    if not (tp + fp and tp + fn):
        steps.add(
            "分母为 0 的比值（0/0）按 0 计，与 scikit-learn 的 `zero_division=0` 相同。",
            "A ratio whose denominator is 0 (0/0) counts as 0, as scikit-learn's `zero_division=0` does.",
        )
    steps.math(f"P = \\frac{{TP}}{{TP + FP}} = \\frac{{{tp}}}{{{tp + fp}}} = {shown['precision']}")
    steps.math(f"R = \\frac{{TP}}{{TP + FN}} = \\frac{{{tp}}}{{{tp + fn}}} = {shown['recall']}")
    steps.math(
        f"F_1 = \\frac{{2PR}}{{P + R}} = \\frac{{2\\,TP}}{{2\\,TP + FP + FN}} = \\frac{{{2 * tp}}}{{{2 * tp + fp + fn}}} = {shown['f1']}"
    )
    steps.answer(shown[ask])
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


@register(
    "precision_recall_f1",
    title=bi("由 TP/FP/FN 求精确率、召回率、F1", "Precision, recall and F1 from TP/FP/FN"),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec(
            "ask", bi("问哪个指标", "which metric to ask"), choices=("precision", "recall", "f1")
        ),
        ParamSpec("objects", bi("真实目标数", "ground-truth objects"), min=3, max=12),
        ParamSpec("detections", bi("检测框数", "detections"), min=3, max=12),
    ],
    solve=solve_prf,
    decimals=3,
    notes=("notes::19",),
)
def draw_prf(d: Draw) -> dict[str, Any]:
    objects, detections = d.param("objects"), d.param("detections")
    tp = d.integer(1, min(objects, detections))
    if tp == objects == detections:
        raise Reject(N_("a perfect detector is not instructive"))
    return {"tp": tp, "fp": detections - tp, "fn": objects - tp, "ask": d.param("ask")}


# --------------------------------------------------------------------------------------------------------------
# AP problems: drawing scenes


SCORES = (0.98, 0.95, 0.92, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2)
_SLOTS = ((0, 0), (50, 0), (0, 50), (50, 50))
_BANDS = {"tight": (0.84, 0.95), "medium": (0.56, 0.68), "loose": (0.18, 0.4)}


def _xywh_to_xyxy(b: Sequence[float]) -> list[float]:
    return [b[0], b[1], b[0] + b[2], b[1] + b[3]]


def _shifted(d: Draw, gt: Sequence[int], band: str) -> list[int]:
    """A box of the ground truth's size slid along one axis so its IoU falls in the band."""
    low, high = _BANDS[band]
    target = low + (high - low) * d.uniform()
    x, y, w, h = gt
    horizontal = d.chance(0.5)
    side = w if horizontal else h
    # Sliding a box of side L by s along one axis gives IoU (L - s) / (L + s).
    shift = round(side * (1 - target) / (1 + target))
    shift = shift if d.chance(0.5) else -shift
    box = [x + shift, y, w, h] if horizontal else [x, y + shift, w, h]
    if min(box[0], box[1]) < 0 or max(box[0] + w, box[1] + h) > 100:
        raise Reject(N_("the box leaves the image"))
    return box


def _draw_scene(
    d: Draw, thresholds: Sequence[float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    images = d.param("images")
    n_gt, n_det = d.param("ground_truths"), d.param("detections")
    if n_gt < images or n_gt > 4 * images:
        raise Reject(N_("objects do not fit the images"))
    per_image = [1] * images
    for _ in range(n_gt - images):
        choices = [i for i in range(images) if per_image[i] < 4]
        per_image[d.choice(choices)] += 1
    gts: list[dict[str, Any]] = []
    for image, count in enumerate(per_image, start=1):
        for sx, sy in d.sample(_SLOTS, count):
            w, h = d.integer(20, 36), d.integer(20, 36)
            gts.append(
                {
                    "image_id": image,
                    "category_id": 1,
                    "bbox": [sx + d.integer(4, 10), sy + d.integer(4, 10), w, h],
                }
            )
    scores = d.sample(SCORES, n_det)
    # The first detections go to distinct objects, so most objects are looked for at least once.
    targets = d.sample(gts, len(gts)) + [d.choice(gts) for _ in range(max(0, n_det - len(gts)))]
    dets: list[dict[str, Any]] = []
    for score, gt in zip(scores, targets, strict=False):
        kind = d.choice(("tight", "tight", "medium", "loose", "background"))
        if kind == "background":
            image = gt["image_id"]
            used = {
                (g["bbox"][0] // 50 * 50, g["bbox"][1] // 50 * 50)
                for g in gts
                if g["image_id"] == image
            }
            free = [s for s in _SLOTS if s not in used]
            if not free:
                kind = "loose"
            else:
                sx, sy = d.choice(free)
                box = [
                    sx + d.integer(5, 15),
                    sy + d.integer(5, 15),
                    d.integer(15, 30),
                    d.integer(15, 30),
                ]
                dets.append({"image_id": image, "category_id": 1, "bbox": box, "score": score})
                continue
        dets.append(
            {
                "image_id": gt["image_id"],
                "category_id": 1,
                "bbox": _shifted(d, gt["bbox"], kind),
                "score": score,
            }
        )
    for det in dets:
        for gt in gts:
            if gt["image_id"] != det["image_id"]:
                continue
            iou = engine.box_iou(_xywh_to_xyxy(det["bbox"]), _xywh_to_xyxy(gt["bbox"]))
            if any(abs(iou - t) < 0.04 for t in thresholds):
                raise Reject(N_("an IoU too close to the threshold"))
    return gts, dets


def _ious(gts: Sequence[Mapping[str, Any]], det: Mapping[str, Any]) -> list[tuple[int, float]]:
    """(ground-truth index, IoU) for every ground truth in the detection's image."""
    return [
        (g, engine.box_iou(_xywh_to_xyxy(det["bbox"]), _xywh_to_xyxy(gt["bbox"])))
        for g, gt in enumerate(gts)
        if gt["image_id"] == det["image_id"]
    ]


def _scene_prompt(
    gts: Sequence[Mapping[str, Any]], dets: Sequence[Mapping[str, Any]], given: str, question: Any
) -> Any:
    images = sorted({int(g["image_id"]) for g in gts} | {int(d["image_id"]) for d in dets})
    counts_zh = "，".join(
        f"图 {i} 有 " + "、".join(f"g{k + 1}" for k, g in enumerate(gts) if g["image_id"] == i)
        for i in images
    )
    counts_en = "; ".join(
        f"image {i} has " + ", ".join(f"g{k + 1}" for k, g in enumerate(gts) if g["image_id"] == i)
        for i in images
    )
    if given == "boxes":
        gt_rows = [[f"g{k + 1}", g["image_id"], _box(g["bbox"])] for k, g in enumerate(gts)]
        det_rows = [
            [f"d{k + 1}", d["image_id"], num(d["score"]), _box(d["bbox"])]
            for k, d in enumerate(dets)
        ]
        zh_tables = (
            "真实框：\n\n"
            + table(["框", "图", "bbox (x, y, w, h)"], gt_rows)
            + "\n\n检测框：\n\n"
            + table(["检测", "图", "置信度", "bbox (x, y, w, h)"], det_rows)
        )
        en_tables = (
            "Ground truths:\n\n"
            + table(["box", "image", "bbox (x, y, w, h)"], gt_rows)
            + "\n\nDetections:\n\n"
            + table(["det", "image", "score", "bbox (x, y, w, h)"], det_rows)
        )
    else:
        rows = [
            [
                f"d{k + 1}",
                d["image_id"],
                num(d["score"]),
                ", ".join(f"g{g + 1}: {num(v, 2)}" for g, v in _ious(gts, d)) or "—",
            ]
            for k, d in enumerate(dets)
        ]
        zh_tables = table(["检测", "图", "置信度", "与各真实框的 IoU"], rows)
        en_tables = table(["det", "image", "score", "IoU with each ground truth"], rows)
    return bi(
        f"单一类别的检测结果。真实目标：{counts_zh}。\n\n{zh_tables}\n\n{question.zh}",
        f"Detections of a single class. Ground-truth objects: {counts_en}.\n\n{en_tables}\n\n{question.en}",
    )


_SCENE_SPACE = [
    ParamSpec("images", bi("图片数", "images"), min=1, max=2),
    ParamSpec("ground_truths", bi("真实目标总数", "ground-truth objects in all"), min=2, max=4),
    ParamSpec("detections", bi("检测框数", "detections"), min=3, max=6),
    ParamSpec(
        "given",
        bi("给出 IoU 还是框坐标", "give the IoUs or the box coordinates"),
        choices=("iou", "boxes"),
    ),
]


# --------------------------------------------------------------------------------------------------------------
# VOC AP


def _voc_steps(steps: Steps, details: Any, expected: float, label: str = "d") -> str:
    """The VOC worked solution of one class: ranking, TP/FP, the P-R table and the AP sum."""
    threshold, method = details.iou_threshold, details.method
    steps.add(
        f"把检测按置信度从高到低排序，依次与同图中 IoU 最大的真实框匹配：IoU > {num(threshold)} 且该框未被占用为 TP，"
        f"否则为 FP。正样本数 = 真实框数 = {details.num_positives}。",
        f"Sort the detections by descending score and match each to the ground truth of highest IoU in its "
        f"image: TP if IoU > {num(threshold)} and that ground truth is still free, else FP. Positives = ground "
        f"truths = {details.num_positives}.",
    )
    rows_zh, rows_en = [], []
    ranks = len(details.detections)
    positives = details.num_positives
    for r in details.detections:
        gt = "—" if r.gt_index is None else f"g{r.gt_index + 1}"
        common = [r.rank, f"{label}{r.index + 1}", num(r.score), f"{gt} ({steps.value(r.iou, 2)})"]
        tail = [
            r.cum_tp,
            r.cum_fp,
            _exact(steps, r.precision, ranks),
            _exact(steps, r.recall, positives),
            _exact(steps, r.interpolated_precision, ranks),
        ]
        rows_zh.append([*common, _OUTCOME[r.outcome][0], *tail])
        rows_en.append([*common, _OUTCOME[r.outcome][1], *tail])
    headers_zh = [
        "名次",
        "检测",
        "置信度",
        "真实框 (IoU)",
        "判定",
        "累计 TP",
        "累计 FP",
        "P",
        "R",
        "插值 P",
    ]
    headers_en = [
        "rank",
        "det",
        "score",
        "GT (IoU)",
        "outcome",
        "cum TP",
        "cum FP",
        "P",
        "R",
        "interp. P",
    ]
    steps.add(table(headers_zh, rows_zh), table(headers_en, rows_en))
    steps.add(
        "插值精度（precision envelope）= 该名次及之后的最大精度，使 P-R 曲线单调不增。",
        "The interpolated precision (the envelope) is the best precision at this rank or any later one, which "
        "makes the P-R curve non-increasing.",
    )
    if method == "all-point":
        terms = [p for p in details.points if p.weight > 0]
        steps.add(
            "全点插值：AP = Σ (召回率增量 × 该召回率处的插值精度)：",
            "All-point: AP = Σ (recall step × interpolated precision at that recall):",
        )
        factors = [
            (_exact(steps, p.weight, positives), _exact(steps, p.precision, ranks)) for p in terms
        ]
        ap = steps.calc(
            _sum_products, *(f for pair in factors for f in pair), label="AP", expect=expected
        )
        sum_text = " + ".join(f"{w}\\times{q}" for w, q in factors) or "0"
        steps.math(f"AP = {sum_text} = {ap}")
    else:
        steps.add(
            "11 点插值：在召回率 0, 0.1, …, 1.0 处取“召回率 ≥ 该点的最大精度”，求平均：",
            "11-point: at recall 0, 0.1, …, 1.0 take the best precision at recall ≥ that point, and average:",
        )
        values = [_exact(steps, p.precision, ranks) for p in details.points]
        ap = steps.calc(lambda *v: sum(v) / 11, *values, label="11-point AP", expect=expected)
        steps.math("AP = \\frac{1}{11}(" + " + ".join(values) + f") = {ap}")
    return ap


def solve_voc_ap(params: Mapping[str, Any]) -> Solved:
    """Pascal VOC AP of one class, with the ranked TP/FP table and the interpolation."""
    gts, dets = params["ground_truths"], params["detections"]
    threshold, method = float(params.get("iou_threshold", 0.5)), params.get("method", "all-point")
    given = params.get("given", "iou")
    expected = engine.voc_ap(gts, dets, threshold, method)[1]
    details = engine.voc_ap_details(gts, dets, 1, threshold, method)
    method_zh = "全点插值（VOC2010 起）" if method == "all-point" else "11 点插值（VOC2007）"
    method_en = (
        "all-point interpolation (VOC2010 on)"
        if method == "all-point"
        else "11-point interpolation (VOC2007)"
    )
    question = bi(
        f"按 Pascal VOC 规则（IoU > {num(threshold)} 且该真实框尚未被匹配才算 TP，{method_zh}）求该类别的 AP。",
        f"What is the class's AP by the Pascal VOC rules (a TP needs IoU > {num(threshold)} with a ground truth not "
        f"matched yet; {method_en})?",
    )
    prompt = _scene_prompt(gts, dets, given, question)
    steps = Steps()
    ap = _voc_steps(steps, details, expected)
    steps.answer(ap)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "voc_ap",
    title=bi(
        "Pascal VOC AP：排序、TP/FP、P-R 表与插值",
        "Pascal VOC AP: ranking, TP/FP, the P-R table and interpolation",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        *_SCENE_SPACE,
        ParamSpec("method", bi("插值方式", "interpolation"), choices=("all-point", "11-point")),
    ],
    solve=solve_voc_ap,
    decimals=3,
    notes=("notes::19",),
)
def draw_voc_ap(d: Draw) -> dict[str, Any]:
    gts, dets = _draw_scene(d, (0.5,))
    details = engine.voc_ap_details(gts, dets, 1, 0.5, "all-point")
    if not any(r.outcome == "tp" for r in details.detections):
        raise Reject(N_("no true positive"))
    return {
        "ground_truths": gts,
        "detections": dets,
        "iou_threshold": 0.5,
        "method": d.param("method"),
        "given": d.param("given"),
    }


# --------------------------------------------------------------------------------------------------------------
# COCO AP at one IoU threshold


def _coco_ranking(
    gts: Sequence[Mapping[str, Any]], dets: Sequence[Mapping[str, Any]], threshold: float
) -> list[tuple[int, int | None, float]]:
    """pycocotools' greedy matching with distinct scores: (det index, matched gt or None, its IoU)."""
    order = sorted(range(len(dets)), key=lambda k: -float(dets[k]["score"]))
    taken: set[int] = set()
    ranking: list[tuple[int, int | None, float]] = []
    for k in order:
        free = [(g, v) for g, v in _ious(gts, dets[k]) if g not in taken and v >= threshold]
        if free:
            g, v = max(free, key=lambda item: item[1])
            taken.add(g)
            ranking.append((k, g, v))
        else:
            best = max((v for _, v in _ious(gts, dets[k])), default=0.0)
            ranking.append((k, None, best))
    return ranking


def solve_coco_ap(params: Mapping[str, Any]) -> Solved:
    """COCO AP of one class at IoU 0.5 or 0.75 (101-point interpolation)."""
    gts, dets = params["ground_truths"], params["detections"]
    threshold = float(params.get("iou_threshold", 0.5))
    given = params.get("given", "iou")
    if threshold not in (0.5, 0.75):
        raise engine.EngineError(
            N_("iou_threshold must be 0.5 or 0.75 (COCO's AP50 and AP75), got {threshold}"),
            threshold=threshold,
        )
    metrics = engine.coco_map(gts, dets)
    expected = metrics.map_50 if threshold == 0.5 else metrics.map_75
    name = "AP50" if threshold == 0.5 else "AP75"
    question = bi(
        f"按 COCO 规则（IoU ≥ {num(threshold)} 匹配尚未被占用的真实框，101 点插值）求 {name}（即 AP@{num(threshold)}）。",
        f"What is {name} (AP at IoU {num(threshold)}) by the COCO rules (a match needs IoU ≥ {num(threshold)} with a "
        "free ground truth; 101-point interpolation)?",
    )
    prompt = _scene_prompt(gts, dets, given, question)
    ranking = _coco_ranking(gts, dets, threshold)
    positives = len(gts)
    tp = np.cumsum([g is not None for _, g, _ in ranking])
    fp = np.cumsum([g is None for _, g, _ in ranking])
    recall = tp / positives
    precision = tp / (tp + fp)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = Steps()
    steps.add(
        f"按置信度从高到低，每个检测取同图中 IoU ≥ {num(threshold)}、尚未被占用且 IoU 最大的真实框，找到为 TP，否则为 FP。"
        f"正样本数 {positives}。",
        f"By descending score, each detection takes the free ground truth of highest IoU ≥ {num(threshold)} in its "
        f"image: TP if there is one, else FP. Positives: {positives}.",
    )
    rows_zh, rows_en = [], []
    for i, (k, g, v) in enumerate(ranking):
        shown_iou = steps.value(v, places=2)
        match = f"g{g + 1} ({shown_iou})" if g is not None else f"— ({shown_iou})"
        common = [i + 1, f"d{k + 1}", num(dets[k]["score"]), match]
        tail = [
            int(tp[i]),
            int(fp[i]),
            steps.exact(ratio(int(tp[i]), int(tp[i] + fp[i])), tp[i] / (tp[i] + fp[i])),
            steps.exact(ratio(int(tp[i]), positives), tp[i] / positives),
            _exact(steps, float(envelope[i]), len(ranking)),
        ]
        rows_zh.append([*common, "TP" if g is not None else "FP", *tail])
        rows_en.append([*common, "TP" if g is not None else "FP", *tail])
    headers_zh = [
        "名次",
        "检测",
        "置信度",
        "匹配 (IoU)",
        "判定",
        "累计 TP",
        "累计 FP",
        "P",
        "R",
        "插值 P",
    ]
    headers_en = [
        "rank",
        "det",
        "score",
        "match (IoU)",
        "outcome",
        "cum TP",
        "cum FP",
        "P",
        "R",
        "interp. P",
    ]
    steps.add(table(headers_zh, rows_zh), table(headers_en, rows_en))
    steps.add(
        "101 点插值：对召回率 r = 0, 0.01, …, 1，取第一个召回率 ≥ r 的名次处的插值精度（达不到的 r 取 0），再求平均。",
        "101-point interpolation: for each recall r = 0, 0.01, …, 1, take the interpolated precision at the first "
        "rank whose recall reaches r (0 if none does), and average the 101 values.",
    )
    points = engine.COCO_RECALL_THRESHOLDS
    index = np.searchsorted(recall, points, side="left")
    values = np.where(index < len(ranking), envelope[np.minimum(index, len(ranking) - 1)], 0.0)
    segments: list[tuple[float, float, int, float]] = []
    for r, v in zip(points, values, strict=True):
        if segments and segments[-1][3] == v:
            first, _, count, _ = segments[-1]
            segments[-1] = (first, float(r), count + 1, float(v))
        else:
            segments.append((float(r), float(r), 1, float(v)))
    shown = [_exact(steps, v, len(ranking)) for _, _, _, v in segments]
    rows = [
        [f"{steps.exact(f'{first:.2f}', first)}–{steps.exact(f'{last:.2f}', last)}", count, text]
        for (first, last, count, _), text in zip(segments, shown, strict=True)
    ]
    steps.table(["召回率 r", "点数", "精度"], ["recall r", "points", "precision"], rows)
    total = sum(count * v for _, _, count, v in segments) / 101
    if abs(total - expected) > 1e-9:
        raise Reject(N_("the worked matching disagrees with pycocotools (ambiguous scene)"))
    ap = steps.calc(
        lambda *v: _sum_products(*v) / 101,
        *(x for (_, _, count, _), text in zip(segments, shown, strict=True) for x in (count, text)),
        label=name,
        expect=float(expected),
    )
    steps.math(
        f"{name} = \\frac{{1}}{{101}}("
        + " + ".join(
            f"{count}\\times{text}" for (_, _, count, _), text in zip(segments, shown, strict=True)
        )
        + f") = {ap}"
    )
    steps.add(
        "COCO 的主指标 AP 是 IoU 0.50:0.05:0.95 十个阈值上这个数的平均。",
        "COCO's headline AP averages this number over the ten IoU thresholds 0.50:0.05:0.95.",
    )
    steps.answer(ap)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "coco_ap",
    title=bi("COCO 的 AP50 / AP75（101 点插值）", "COCO AP50 / AP75 (101-point interpolation)"),
    kinds=[AnswerKind.NUMBER],
    space=[
        *_SCENE_SPACE,
        ParamSpec("iou_threshold", bi("IoU 阈值", "IoU threshold"), choices=(0.5, 0.75)),
    ],
    solve=solve_coco_ap,
    decimals=3,
    notes=("notes::19", "notes::20"),
)
def draw_coco_ap(d: Draw) -> dict[str, Any]:
    threshold = d.param("iou_threshold")
    gts, dets = _draw_scene(d, (0.5, 0.75))
    if not any(g is not None for _, g, _ in _coco_ranking(gts, dets, threshold)):
        raise Reject(N_("no true positive"))
    return {
        "ground_truths": gts,
        "detections": dets,
        "iou_threshold": threshold,
        "given": d.param("given"),
    }


# --------------------------------------------------------------------------------------------------------------
# mAP of annotation files (cvquiz calc map)

MAX_DETAILED_DETECTIONS = 40
"""Classes with more detections than this get their AP without the rank-by-rank table."""

_COCO_STATS = (
    ("map", "AP @[.50:.95]"),
    ("map_50", "AP @.50"),
    ("map_75", "AP @.75"),
    ("map_small", "AP small"),
    ("map_medium", "AP medium"),
    ("map_large", "AP large"),
    ("mar_1", "AR maxDets=1"),
    ("mar_10", "AR maxDets=10"),
    ("mar_100", "AR maxDets=100"),
    ("mar_small", "AR small"),
    ("mar_medium", "AR medium"),
    ("mar_large", "AR large"),
)


def map_report(
    ground_truths: Sequence[Mapping[str, Any]],
    detections: Sequence[Mapping[str, Any]],
    metric: str = "coco",
    iou_threshold: float = 0.5,
    method: str = "all-point",
) -> tuple[float, dict[str, Any], Any]:
    """mAP of COCO-style annotations with a report (COCO summary, or VOC per-class worked solutions).

    Args:
        ground_truths: COCO-style ground-truth records.
        detections: COCO-style detection records.
        metric: "coco" (pycocotools' twelve numbers) or "voc" (per-class VOC AP and their mean).
        iou_threshold: the VOC threshold.
        method: the VOC interpolation, "all-point" or "11-point".

    Returns:
        (the mAP, JSON-ready data, the report as a bilingual text).

    Raises:
        EngineError: malformed annotations or options.
    """
    steps = Steps()
    if metric == "coco":
        metrics = engine.coco_map(ground_truths, detections)
        data = metrics.as_dict()
        rows = [[label, num(getattr(metrics, key), 4)] for key, label in _COCO_STATS]
        steps.table(["指标", "值"], ["metric", "value"], rows)
        per_class = [[c, num(v, 4)] for c, v in sorted(metrics.per_class.items())]
        steps.table(["类别", "AP @[.50:.95]"], ["category", "AP @[.50:.95]"], per_class)
        steps.add(
            "与 pycocotools 的 COCOeval（bbox）一致：IoU 0.50:0.05:0.95，101 点插值，每图每类最多 100 个检测。",
            "As pycocotools' COCOeval (bbox): IoU 0.50:0.05:0.95, 101-point interpolation, at most 100 "
            "detections per image and category.",
        )
        return float(metrics.map), data, steps.text()
    if metric != "voc":
        raise engine.EngineError(
            N_("metric must be 'coco' or 'voc', got {metric!r}"), metric=metric
        )
    per_class_ap = engine.voc_ap(ground_truths, detections, iou_threshold, method)  # type: ignore[arg-type]
    value = engine.voc_map(ground_truths, detections, iou_threshold, method)  # type: ignore[arg-type]
    for category, ap in per_class_ap.items():
        details = engine.voc_ap_details(ground_truths, detections, category, iou_threshold, method)  # type: ignore[arg-type]
        steps.add(f"### 类别 {category}", f"### Category {category}")
        if math.isnan(ap):
            steps.add(
                "没有（非 difficult 的）真实框：AP 无定义，不计入 mAP。",
                "No (non-difficult) ground truth: AP is undefined and left out of the mAP.",
            )
        elif len(details.detections) > MAX_DETAILED_DETECTIONS:
            steps.add(
                f"AP = {num(ap, 4)}（{len(details.detections)} 个检测，表格从略）",
                f"AP = {num(ap, 4)} ({len(details.detections)} detections, table omitted)",
            )
        else:
            _voc_steps(steps, details, ap)
    shown = [f"{num(ap, 4)}" for ap in per_class_ap.values() if not math.isnan(ap)]
    steps.math(
        f"\\text{{mAP}} = \\frac{{1}}{{{len(shown)}}}({' + '.join(shown)}) = {num(value, 4)}"
        if shown
        else "\\text{mAP undefined}"
    )
    data = {
        "map": None if math.isnan(value) else value,
        "per_class": {str(c): (None if math.isnan(v) else v) for c, v in per_class_ap.items()},
    }
    return float(value), data, steps.text()
