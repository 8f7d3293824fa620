"""Generators about choosing boxes: non-maximum suppression and Faster R-CNN's anchor assignment.

Boxes have small integer coordinates, as ``(x1, y1, x2, y2)`` with width ``x2 − x1``. Problems either print the
IoUs (rounded to 2 decimals) or give only the boxes and let the solution work the IoUs out. Every IoU that
matters stays at least 0.03 away from each threshold, so that no answer hangs on rounding; no ground truth's
best anchor is tied or at IoU 0 (where torchvision's low-quality rule marks every anchor positive).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, num, table
from cvquiz.i18n import N_

Box = list[int]
SCORES = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3)
MARGIN = 0.03
"""How far every IoU that decides the answer stays from a threshold."""

_GIVEN = ParamSpec(
    "given",
    bi("给出 IoU 还是只给框坐标", "print the IoUs or only the box coordinates"),
    choices=("iou", "boxes"),
)


def _box(box: Sequence[Any]) -> str:
    return "(" + ", ".join(num(v) for v in box) + ")"


def _area(box: Sequence[float]) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def _inter(a: Sequence[float], b: Sequence[float]) -> float:
    w = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
    h = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    return float(w * h)


def _ratio(a: float, b: float) -> float:
    return a / b


def _iou_text(steps: Steps, a: Sequence[float], b: Sequence[float], given: bool) -> str:
    """An IoU as the solution prints it: the given 2-decimal value, or inter/union worked out (checked)."""
    iou = engine.box_iou(a, b)
    if given:
        return num(iou, 2)
    inter = _inter(a, b)
    union = _area(a) + _area(b) - inter
    value = steps.calc(_ratio, inter, union, label="IoU", expect=iou)
    return f"{num(inter)}/{num(union)} = {value}"


def _clear_of(values: Sequence[float], *thresholds: float) -> bool:
    return all(abs(v - t) >= MARGIN for v in values for t in thresholds)


def _cluster_boxes(d: Draw, count: int) -> list[Box]:
    """Boxes around one or two centres, so that several overlap."""
    first = (d.integer(4, 8), d.integer(4, 8))
    centres = [first, (first[0] + d.integer(5, 8), first[1] + d.integer(-2, 2))]
    boxes = []
    for i in range(count):
        cx, cy = centres[0] if i < 2 else d.choice(centres)
        w, h = d.integer(3, 6), d.integer(3, 6)
        x1, y1 = cx - w // 2 + d.integer(-1, 1), cy - h // 2 + d.integer(-1, 1)
        boxes.append([x1, y1, x1 + w, y1 + h])
    return boxes


# --------------------------------------------------------------------------------------------------------------
# NMS


def _nms_prompt(
    boxes: Sequence[Box],
    scores: Sequence[float],
    threshold: float,
    classes: Sequence[int] | None,
    given: bool,
) -> Any:
    n = len(boxes)
    rows = [
        [f"b{i}", num(scores[i]), *([classes[i]] if classes is not None else []), _box(boxes[i])]
        for i in range(n)
    ]
    class_zh, class_en = (["类别"], ["class"]) if classes is not None else ([], [])
    shown_zh = table(["框", "置信度", *class_zh, "(x1, y1, x2, y2)"], rows)
    shown_en = table(["box", "score", *class_en, "(x1, y1, x2, y2)"], rows)
    if given:
        iou = engine.box_iou_matrix(boxes, boxes)
        iou_rows = [
            [f"b{i}", *("" if j <= i else num(iou[i, j], 2) for j in range(1, n))]
            for i in range(n - 1)
        ]
        header = ["IoU", *(f"b{j}" for j in range(1, n))]
        shown_zh += "\n\n两两之间的 IoU：\n\n" + table(header, iou_rows)
        shown_en += "\n\nPairwise IoUs:\n\n" + table(header, iou_rows)
    call = (
        f"torchvision.ops.batched_nms(boxes, scores, classes, iou_threshold={num(threshold)})"
        if classes is not None
        else f"torchvision.ops.nms(boxes, scores, iou_threshold={num(threshold)})"
    )
    rule_zh = "，不同类别的框互不抑制" if classes is not None else ""
    rule_en = (
        "; boxes of different classes never suppress each other" if classes is not None else ""
    )
    return bi(
        f"对下面的框做非极大值抑制 `{call}`：与已保留的框 IoU **大于** {num(threshold)} 的框被抑制"
        f"（恰好等于不抑制）{rule_zh}。框为 $(x_1, y_1, x_2, y_2)$，宽 $= x_2 - x_1$。哪些框被保留？"
        f"按 NMS 返回的顺序（置信度从高到低）写出编号。\n\n{shown_zh}",
        f"Non-maximum suppression `{call}` runs on these boxes: a box whose IoU with a kept box is **greater "
        f"than** {num(threshold)} is suppressed (exactly equal is not){rule_en}. Boxes are $(x_1, y_1, x_2, y_2)$ "
        f"with width $= x_2 - x_1$. Which boxes survive? List their numbers in the order NMS returns them "
        f"(highest score first).\n\n{shown_en}",
    )


def solve_nms(params: Mapping[str, Any]) -> Solved:
    """Which boxes ``torchvision.ops.nms`` (or ``batched_nms``) keeps, by descending score."""
    boxes = [[int(v) for v in b] for b in params["boxes"]]
    scores = [float(s) for s in params["scores"]]
    threshold = float(params["iou_threshold"])
    classes = params.get("classes")
    given = params.get("given", "iou") == "iou"
    expected = engine.nms(boxes, scores, threshold, classes)
    prompt = _nms_prompt(boxes, scores, threshold, classes, given)
    iou = engine.box_iou_matrix(boxes, boxes)
    steps = Steps()
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    steps.add(
        "按置信度从高到低处理：还没被抑制的框就保留，再抑制之后所有与它 IoU 大于阈值的框"
        + ("（只看同类别的框）" if classes is not None else "")
        + f"。顺序：{', '.join(f'b{i}' for i in order)}。",
        "Visit the boxes by descending score: keep a box that is not suppressed yet, then suppress every later "
        "box whose IoU with it exceeds the threshold"
        + (" (of its own class only)" if classes is not None else "")
        + f". Order: {', '.join(f'b{i}' for i in order)}.",
    )
    suppressed: dict[int, int] = {}
    rows_zh: list[list[str]] = []
    rows_en: list[list[str]] = []
    for rank, i in enumerate(order):
        if i in suppressed:
            rows_zh.append([f"b{i}", f"已被 b{suppressed[i]} 抑制"])
            rows_en.append([f"b{i}", f"already suppressed by b{suppressed[i]}"])
            continue
        zh, en = [], []
        for j in order[rank + 1 :]:
            if j in suppressed or (classes is not None and classes[j] != classes[i]):
                continue
            value = _iou_text(steps, boxes[i], boxes[j], given)
            if iou[i, j] > threshold:
                suppressed[j] = i
                zh.append(f"b{j}：IoU {value} > {num(threshold)}，抑制")
                en.append(f"b{j}: IoU {value} > {num(threshold)}, suppressed")
            else:
                zh.append(f"b{j}：IoU {value} ≤ {num(threshold)}")
                en.append(f"b{j}: IoU {value} ≤ {num(threshold)}")
        rows_zh.append([f"b{i}", "**保留**" + ("；" + "；".join(zh) if zh else "")])
        rows_en.append([f"b{i}", "**kept**" + ("; " + "; ".join(en) if en else "")])
    steps.add(table(["框", "处理"], rows_zh), table(["box", "what happens"], rows_en))
    steps.add(
        "NMS 留下局部得分最高的框；阈值越低抑制越多（拥挤场景里会把相邻的真目标也删掉，Soft-NMS 改为降分）。",
        "NMS keeps the locally best-scoring boxes; a lower threshold suppresses more (in crowded scenes it "
        "deletes true neighbours too, which Soft-NMS avoids by lowering their scores instead).",
    )
    steps.answer("[" + ", ".join(str(i) for i in expected) + "]")
    return Solved(
        prompt,
        list(expected),
        AnswerKind.VECTOR,
        steps.text(),
        bi(
            "保留的框编号，置信度从高到低，如 [2, 0, 3]",
            "the kept box numbers, highest score first, e.g. [2, 0, 3]",
        ),
        checks=tuple(steps.checks()),
    )


@register(
    "nms",
    title=bi("非极大值抑制（NMS）保留哪些框", "Which boxes non-maximum suppression keeps"),
    kinds=[AnswerKind.VECTOR],
    space=[
        ParamSpec("boxes", bi("框数", "boxes"), min=3, max=5),
        ParamSpec("iou_threshold", bi("IoU 阈值", "IoU threshold"), choices=(0.3, 0.5, 0.7)),
        ParamSpec(
            "class_aware",
            bi("是否按类别分开做（batched_nms）", "per class (batched_nms)"),
            choices=(False, True),
        ),
        _GIVEN,
    ],
    solve=solve_nms,
)
def draw_nms(d: Draw) -> dict[str, Any]:
    count, threshold = d.param("boxes"), d.param("iou_threshold")
    boxes = _cluster_boxes(d, count)
    if len({tuple(b) for b in boxes}) < count:
        raise Reject(N_("identical boxes"))
    scores = sorted(d.sample(SCORES, count), reverse=True)
    order = d.sample(range(count), count)
    scores = [scores[order.index(i)] for i in range(count)]
    classes = [d.index(2) for _ in range(count)] if d.param("class_aware") else None
    if classes is not None and len(set(classes)) < 2:
        raise Reject(N_("one class only"))
    iou = engine.box_iou_matrix(boxes, boxes)
    upper = [float(iou[i, j]) for i in range(count) for j in range(i + 1, count)]
    if not _clear_of(upper, threshold):
        raise Reject(N_("an IoU too close to the threshold"))
    kept = engine.nms(boxes, scores, threshold, classes)
    if len(kept) == count or len(kept) == 1:
        raise Reject(N_("nothing or everything suppressed"))
    if classes is not None and kept == engine.nms(boxes, scores, threshold):
        raise Reject(N_("the classes change nothing"))
    return {
        "boxes": boxes,
        "scores": scores,
        "iou_threshold": threshold,
        "classes": classes,
        "given": d.param("given"),
    }


# --------------------------------------------------------------------------------------------------------------
# Anchor assignment

PRESETS: dict[str, tuple[float, float, bool]] = {
    "rpn": (0.7, 0.3, True),
    "retinanet": (0.5, 0.4, True),
    "roi_heads": (0.5, 0.5, False),
}
"""torchvision's matchers: the RPN (fg 0.7, bg 0.3), RetinaNet (0.5, 0.4) and the box head (0.5, 0.5)."""

_PRESET_NAMES = {
    "rpn": ("Faster R-CNN 的 RPN", "Faster R-CNN's RPN"),
    "retinanet": ("RetinaNet", "RetinaNet"),
    "roi_heads": ("Faster R-CNN 的 RoI 头", "Faster R-CNN's RoI heads"),
}


def _anchor_iou(params: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    if params.get("iou_matrix") is not None:
        return np.asarray(params["iou_matrix"], dtype=np.float64)
    return engine.box_iou_matrix(params["gt_boxes"], params["anchors"])


def solve_anchor_assignment(params: Mapping[str, Any]) -> Solved:
    """The training label (1, 0, −1) of each anchor under torchvision's Matcher."""
    preset = str(params["preset"])
    if preset not in PRESETS:
        raise engine.EngineError(
            N_("preset must be one of {choices}, got {preset!r}"),
            choices=", ".join(PRESETS),
            preset=preset,
        )
    high, low, allow = PRESETS[preset]
    iou = _anchor_iou(params)
    matches = engine.match_anchors(iou, high, low, allow)
    labels = engine.anchor_labels(matches)
    gts, anchors = params.get("gt_boxes"), params.get("anchors")
    given = params.get("iou_matrix") is not None
    m, n = iou.shape
    name_zh, name_en = _PRESET_NAMES[preset]
    # the RPN and RetinaNet match anchors; the RoI heads match the RPN's proposals (named a0, a1... all the same)
    noun_zh, noun_en = ("proposal", "proposal") if preset == "roi_heads" else ("anchor", "anchor")
    call = f"Matcher({num(high)}, {num(low)}, allow_low_quality_matches={allow})"
    if given:
        rows = [[f"g{i}", *(num(iou[i, j], 2) for j in range(n))] for i in range(m)]
        header = ["", *(f"a{j}" for j in range(n))]
        data_zh = f"IoU（行：真实框，列：{noun_zh}）：\n\n" + table(header, rows)
        data_en = f"IoUs (rows: ground truths, columns: {noun_en}s):\n\n" + table(header, rows)
    else:
        assert gts is not None and anchors is not None
        listing = "; ".join(f"g{i} = {_box(b)}" for i, b in enumerate(gts))
        anchor_list = "; ".join(f"a{j} = {_box(b)}" for j, b in enumerate(anchors))
        truth_en = "Ground truth" if m == 1 else "Ground truths"
        data_zh = f"真实框：{listing}。{noun_zh}：{anchor_list}。框为 $(x_1, y_1, x_2, y_2)$。"
        data_en = f"{truth_en}: {listing}. {noun_en.capitalize()}s: {anchor_list}. Boxes are $(x_1, y_1, x_2, y_2)$."
    low_zh = (
        f"；另外，每个真实框 IoU 最大的 {noun_zh}（含并列）也算正样本（allow_low_quality_matches）"
        if allow
        else ""
    )
    low_en = (
        f"; besides, each ground truth's highest-IoU {noun_en} (ties included) is positive too "
        "(allow_low_quality_matches)"
        if allow
        else ""
    )
    middle_zh = "，介于两者之间为 −1（忽略）" if low < high else ""
    middle_en = ", in between −1 (ignored)" if low < high else ""
    if (
        preset == "roi_heads"
    ):  # the box head gives a positive its object's class, a negative class 0
        middle_zh += "（RoI 头随后把正样本标成所匹配目标的类别）"
        middle_en += " (the RoI heads then give a positive the class of the object it matched)"
    prompt = bi(
        f"{name_zh} 用 torchvision 的 `{call}` 给 {noun_zh} 分配训练标签：{noun_zh} 与各真实框的最大 IoU ≥ {num(high)} "
        f"为 1（正样本），< {num(low)} 为 0（负样本）{middle_zh}{low_zh}。{data_zh}\n\n"
        f"写出每个 {noun_zh} 的标签（1 / 0 / −1）。",
        f"{name_en} {'label' if preset == 'roi_heads' else 'labels'} {noun_en}s for training with torchvision's "
        f"`{call}`: a{'n' if noun_en == 'anchor' else ''} {noun_en} whose highest IoU with any ground truth is ≥ "
        f"{num(high)} gets 1 (positive), < {num(low)} gets 0 (negative){middle_en}{low_en}. "
        f"{data_en}\n\nWhat is each {noun_en}'s label (1 / 0 / −1)?",
    )
    steps = Steps()
    if given:
        shown = [[num(iou[i, j], 2) for j in range(n)] for i in range(m)]
    else:
        assert gts is not None and anchors is not None
        shown = [
            [
                steps.calc(
                    _ratio,
                    _inter(gts[i], anchors[j]),
                    _area(gts[i]) + _area(anchors[j]) - _inter(gts[i], anchors[j]),
                    label="IoU",
                    expect=float(iou[i, j]),
                )
                for j in range(n)
            ]
            for i in range(m)
        ]
        steps.add(
            f"先算 IoU 矩阵（行：真实框，列：{noun_zh}；IoU = 交集 / (两框面积之和 − 交集)）：",
            f"First the IoU matrix (rows: ground truths, columns: {noun_en}s; IoU = intersection / (sum of the "
            "areas − intersection)):",
        )
        steps.add(
            table(["", *(f"a{j}" for j in range(n))], [[f"g{i}", *shown[i]] for i in range(m)])
        )
    best = iou.argmax(axis=0)
    rows_zh, rows_en = [], []
    for j in range(n):
        v = shown[best[j]][j]
        if iou[best[j], j] >= high:
            why_zh, why_en = f"≥ {num(high)}：正", f"≥ {num(high)}: positive"
        elif iou[best[j], j] < low:
            why_zh, why_en = f"< {num(low)}：负", f"< {num(low)}: negative"
        else:
            why_zh, why_en = "介于之间：忽略", "in between: ignored"
        rows_zh.append([f"a{j}", f"g{best[j]} ({v})", why_zh])
        rows_en.append([f"a{j}", f"g{best[j]} ({v})", why_en])
    steps.add(
        f"每个 {noun_zh} 取 IoU 最大的真实框，按阈值分档：\n\n"
        + table([noun_zh, "最佳真实框 (IoU)", "判定"], rows_zh),
        f"Each {noun_en} takes the ground truth it overlaps most, and the thresholds sort it:\n\n"
        + table([noun_en, "best ground truth (IoU)", "verdict"], rows_en),
    )
    if allow:
        rescued_zh, rescued_en = [], []
        for i in range(m):
            top = [j for j in range(n) if iou[i, j] == iou[i].max()]
            for j in top:
                already = bool(iou[best[j], j] >= high)
                rescued_zh.append(
                    f"g{i} 的最佳 {noun_zh} 是 a{j}"
                    + ("（本来就是正样本）" if already else "，改为正样本")
                )
                rescued_en.append(
                    f"g{i}'s best {noun_en} is a{j}"
                    + (" (already positive)" if already else ", which becomes positive")
                )
        steps.add(
            "低质量匹配：" + "；".join(rescued_zh) + "。这保证每个真实框至少有一个正样本 anchor。",
            "Low-quality matches: "
            + "; ".join(rescued_en)
            + ". Every ground truth thus gets at least one "
            "positive anchor.",
        )
    steps.answer("[" + ", ".join(str(v) for v in labels) + "]")
    return Solved(
        prompt,
        labels,
        AnswerKind.VECTOR,
        steps.text(),
        bi(
            f"每个 {noun_zh} 的标签，如 [1, 0, -1, 0]",
            f"one label per {noun_en}, e.g. [1, 0, -1, 0]",
        ),
        checks=tuple(steps.checks()),
    )


@register(
    "anchor_assignment",
    title=bi(
        "按 IoU 阈值给 anchor 分正、负、忽略（Faster R-CNN 的 Matcher）",
        "Positive, negative or ignored anchors at IoU thresholds (Faster R-CNN's Matcher)",
    ),
    kinds=[AnswerKind.VECTOR],
    space=[
        ParamSpec(
            "preset",
            bi(
                "匹配器：rpn (0.7/0.3)、retinanet (0.5/0.4)、roi_heads (0.5/0.5)",
                "matcher: rpn (0.7/0.3), retinanet (0.5/0.4), roi_heads (0.5/0.5)",
            ),
            choices=tuple(PRESETS),
        ),
        ParamSpec("ground_truths", bi("真实框数", "ground truths"), min=1, max=2),
        ParamSpec("anchors", bi("anchor 数", "anchors"), min=3, max=5),
        _GIVEN,
    ],
    solve=solve_anchor_assignment,
)
def draw_anchor_assignment(d: Draw) -> dict[str, Any]:
    preset = d.param("preset")
    high, low, allow = PRESETS[preset]
    m, n = d.param("ground_truths"), d.param("anchors")
    gts = []
    for i in range(m):
        x, y = d.integer(2, 5) + 9 * i, d.integer(2, 5)
        gts.append([x, y, x + d.integer(4, 6), y + d.integer(4, 6)])
    anchors = []
    for _ in range(n):
        gx1, gy1, gx2, gy2 = d.choice(gts)
        w, h = gx2 - gx1 + d.integer(-2, 2), gy2 - gy1 + d.integer(-2, 2)
        x1 = (gx1 + gx2) // 2 - w // 2 + d.integer(-3, 3)
        y1 = (gy1 + gy2) // 2 - h // 2 + d.integer(-3, 3)
        anchors.append([x1, y1, x1 + w, y1 + h])
    if len({tuple(a) for a in anchors}) < n or min(min(a) for a in anchors) < 0:
        raise Reject(N_("identical anchors, or one outside the image"))
    iou = engine.box_iou_matrix(gts, anchors)
    given = d.param("given")
    if given == "iou":
        iou = np.round(iou, 2)
    if not _clear_of(iou.max(axis=0), high, low):
        raise Reject(N_("an anchor's IoU too close to a threshold"))
    for i in range(m):
        row = iou[i]
        if row.max() <= 0 or np.count_nonzero(row == row.max()) > 1:
            raise Reject(N_("a ground truth with no overlap or a tied best anchor"))
    for j in range(n):
        column = iou[:, j]
        if np.count_nonzero(column == column.max()) > 1 and column.max() > 0:
            raise Reject(N_("an anchor tied between two ground truths"))
    labels = engine.anchor_labels(engine.match_anchors(iou, high, low, allow))
    if len(set(labels)) < 2:
        raise Reject(N_("every anchor gets the same label"))
    if given == "iou":
        return {"iou_matrix": iou.tolist(), "preset": preset}
    return {"gt_boxes": gts, "anchors": anchors, "preset": preset}
