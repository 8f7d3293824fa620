"""Generators about losses: cross-entropy and its gradient, softmax, BCE, focal, multiclass hinge, smooth L1.

Problems use 2–4 classes, a batch of 1–2 and round logits (−1, 0, 0.5, 1, 2...), so that a calculator (or a
table of e^x) is all one needs. Every solution shows the softmax or sigmoid table the answer is built from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, GeneratorError, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, num, signed, vec
from cvquiz.i18n import N_

LOGITS = (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
SCORES = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
_LN = "ln"


def _float_list(values: Any) -> Any:
    """An engine result as plain Python floats (nested lists for arrays)."""
    return np.asarray(values, dtype=np.float64).tolist()


def _rows(logits: Any) -> tuple[np.ndarray[Any, Any], bool]:
    array: np.ndarray[Any, Any] = np.asarray(logits, dtype=np.float64)
    if array.ndim == 1:
        return array[None, :], True
    return array, False


def _draw_logits(d: Draw, classes: int) -> list[float]:
    values = d.sample(LOGITS, classes)
    if len(set(values)) < classes:
        raise Reject(N_("repeated logits"))
    return values


def _logit_prompt(logits: Any, single: bool) -> str:
    if single:
        return f"$z = {vec(logits)}$"
    return "\n\n" + code("z =\n" + grid(logits))


def _neg_ln(p: float) -> float:
    return -math.log(p)


def _divide(a: float, b: float) -> float:
    return a / b


def _add(*values: float) -> float:
    return sum(values)


def _mean(*values: float) -> float:
    return sum(values) / len(values)


LARGE_LOGIT = 20.0
"""Beyond this (or logits further apart than `SPREAD`), a softmax table works with z − max z."""
SPREAD = 30.0


def _softmax_table(
    steps: Steps, z: np.ndarray[Any, Any], row: int | None
) -> tuple[list[str], list[str]]:
    """The e^z, p and −ln p table of one row of logits; returns the printed p and −ln p (placeholders).

    Large logits (e^1000 overflows, e^−800 is 0 in floating point) are worked the numerically stable way,
    as the libraries do: with z − max z, and −ln p_c = ln Σ_j e^{z_j − max z} − (z_c − max z).
    """
    if _needs_stable(z):
        return _stable_softmax_table(steps, z, row)
    exps = [steps.calc(math.exp, float(v), label="e^z") for v in z]
    total = steps.calc(_add, *exps, label="sum e^z")
    p = [steps.calc(_divide, e, total, label="p = e^z / sum") for e in exps]
    nll = [steps.calc(_neg_ln, q, label="-ln p") for q in p]
    label_zh = "" if row is None else f"样本 {row}："
    label_en = "" if row is None else f"Sample {row}: "
    steps.add(
        f"{label_zh}$\\sum_j e^{{z_j}} = {' + '.join(exps)} = {total}$",
        f"{label_en}$\\sum_j e^{{z_j}} = {' + '.join(exps)} = {total}$",
    )
    rows = [[c, num(z[c]), exps[c], p[c], nll[c]] for c in range(z.size)]
    steps.table(
        ["类别 c", "$z_c$", "$e^{z_c}$", "$p_c$", "$-\\ln p_c$"],
        ["class c", "$z_c$", "$e^{z_c}$", "$p_c$", "$-\\ln p_c$"],
        rows,
    )
    return p, nll


def _needs_stable(z: np.ndarray[Any, Any]) -> bool:
    return float(np.max(np.abs(z))) > LARGE_LOGIT or float(np.ptp(z)) > SPREAD


def _stable_softmax_table(
    steps: Steps, z: np.ndarray[Any, Any], row: int | None
) -> tuple[list[str], list[str]]:
    top = float(np.max(z))
    shifted = [steps.calc(lambda v, m=top: v - m, float(v), label="z - max z") for v in z]
    exps = [steps.calc(math.exp, d, label="e^(z - max z)") for d in shifted]
    total = steps.calc(_add, *exps, label="sum e^(z - max z)")
    p = [steps.calc(_divide, e, total, label="p = e^(z - max z) / sum") for e in exps]
    nll = [steps.calc(lambda s, d: math.log(s) - d, total, d, label="-ln p") for d in shifted]
    label_zh = "" if row is None else f"样本 {row}："
    label_en = "" if row is None else f"Sample {row}: "
    steps.add(
        f"{label_zh}logits 很大（或相差很大），$e^{{z}}$ 会上溢或下溢：先减去最大值 $m = \\max_j z_j = {num(top)}$"
        "（softmax 不变），再用 $-\\ln p_c = \\ln \\sum_j e^{z_j - m} - (z_c - m)$，不必先算出很小的 $p_c$。",
        f"{label_en}The logits are large (or far apart), so $e^{{z}}$ would overflow or underflow: subtract the "
        f"maximum $m = \\max_j z_j = {num(top)}$ first (the softmax is unchanged), then take "
        "$-\\ln p_c = \\ln \\sum_j e^{z_j - m} - (z_c - m)$ without computing a tiny $p_c$ first.",
    )
    steps.math(f"\\sum_j e^{{z_j - m}} = {' + '.join(exps)} = {total}")
    rows = [[c, num(z[c]), shifted[c], exps[c], p[c], nll[c]] for c in range(z.size)]
    steps.table(
        ["类别 c", "$z_c$", "$z_c - m$", "$e^{z_c - m}$", "$p_c$", "$-\\ln p_c$"],
        ["class c", "$z_c$", "$z_c - m$", "$e^{z_c - m}$", "$p_c$", "$-\\ln p_c$"],
        rows,
    )
    return p, nll


# --------------------------------------------------------------------------------------------------------------
# Cross-entropy


def _ce_setup(params: Mapping[str, Any]) -> tuple[Any, Any, float]:
    logits, target = params["logits"], params["target"]
    smoothing = float(params.get("label_smoothing", 0.0))
    return logits, target, smoothing


def _ce_prompt(
    logits: Any, target: Any, smoothing: float, single: bool, question_zh: str, question_en: str
) -> Any:
    smooth_zh = f"，label_smoothing = {num(smoothing)}" if smoothing else ""
    smooth_en = f", label_smoothing = {num(smoothing)}" if smoothing else ""
    if single:
        return bi(
            f"logits {_logit_prompt(logits, True)}，真实类别 $y = {target}$（类别从 0 开始编号）{smooth_zh}。{question_zh}",
            f"Logits {_logit_prompt(logits, True)}, true class $y = {target}$ (classes numbered from 0){smooth_en}. "
            f"{question_en}",
        )
    return bi(
        f"一个 batch 的 logits（每行一个样本），真实类别 $y = {vec(target)}${smooth_zh}，reduction 为 mean。{question_zh}"
        f"{_logit_prompt(logits, False)}",
        f"A batch of logits (one sample per row), true classes $y = {vec(target)}${smooth_en}, reduction mean. "
        f"{question_en}{_logit_prompt(logits, False)}",
    )


def solve_cross_entropy(params: Mapping[str, Any]) -> Solved:
    """Softmax cross-entropy of logits against class indices (mean over the batch)."""
    logits, target, smoothing = _ce_setup(params)
    expected = engine.cross_entropy(
        np.asarray(logits), np.asarray(target), label_smoothing=smoothing
    )
    z_rows, single = _rows(logits)
    targets = [int(target)] if single else [int(t) for t in target]
    prompt = _ce_prompt(
        logits,
        target,
        smoothing,
        single,
        "求交叉熵损失（自然对数）。",
        "What is the cross-entropy loss (natural log)?",
    )
    steps = Steps()
    steps.math(
        "p_c = \\frac{e^{z_c}}{\\sum_j e^{z_j}},\\qquad L = -\\ln p_y = -z_y + \\ln \\sum_j e^{z_j}"
    )
    if smoothing:
        steps.add(
            "label smoothing ε 把目标变成 $(1-ε)\\,\\text{onehot}(y) + ε/C$：",
            "Label smoothing ε turns the target into $(1-ε)\\,\\text{onehot}(y) + ε/C$:",
        )
        steps.math("L = (1-ε)(-\\ln p_y) + \\frac{ε}{C}\\sum_c (-\\ln p_c)")
    losses = []
    for index, (z, y) in enumerate(zip(z_rows, targets, strict=True)):
        p, nll = _softmax_table(steps, z, None if single else index)
        name = "" if single else f"_{index}"
        if smoothing:
            classes = z.size
            spread = steps.calc(_add, *nll, label="sum -ln p")
            keep = steps.calc(lambda e: 1 - e, smoothing, label="1 - eps")
            loss = steps.calc(
                lambda w, a, b, e=smoothing, c=classes: w * a + e / c * b,
                keep,
                nll[y],
                spread,
                label="smoothed loss",
            )
            steps.math(f"\\sum_c (-\\ln p_c) = {' + '.join(nll)} = {spread}")
            steps.math(
                f"L{name} = {keep}\\times {nll[y]} + "
                f"\\frac{{{num(smoothing)}}}{{{classes}}}\\times {spread} = {loss}"
            )
        else:
            loss = nll[y]
            if _needs_stable(z):  # p_y may print as 0: the loss is read off the table
                steps.math(f"L{name} = -\\ln p_{{{y}}} = {loss}")
            else:
                steps.math(f"L{name} = -\\ln p_{{{y}}} = -\\ln {p[y]} = {loss}")
        losses.append(loss)
    if single:
        final = steps.calc(lambda v: v, losses[0], label="L", expect=float(expected))
    else:
        final = steps.calc(_mean, *losses, label="mean L", expect=float(expected))
        steps.math(f"L = \\frac{{1}}{{{len(losses)}}}({' + '.join(losses)}) = {final}")
    steps.answer(final)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


_CE_SPACE = [
    ParamSpec("classes", bi("类别数 C", "number of classes C"), min=2, max=4),
    ParamSpec("batch", bi("batch 大小", "batch size"), min=1, max=2),
    ParamSpec("label_smoothing", bi("label smoothing ε", "label smoothing ε"), choices=(0.0, 0.1)),
]


def _draw_ce(d: Draw, smoothing_allowed: bool = True) -> dict[str, Any]:
    classes, batch = d.param("classes"), d.param("batch")
    smoothing = d.param("label_smoothing") if smoothing_allowed else 0.0
    if batch == 1:
        return {
            "logits": _draw_logits(d, classes),
            "target": d.index(classes),
            "label_smoothing": smoothing,
        }
    return {
        "logits": [_draw_logits(d, classes) for _ in range(batch)],
        "target": [d.index(classes) for _ in range(batch)],
        "label_smoothing": smoothing,
    }


@register(
    "cross_entropy",
    title=bi("softmax 交叉熵损失的值", "Value of the softmax cross-entropy loss"),
    kinds=[AnswerKind.NUMBER],
    space=_CE_SPACE,
    solve=solve_cross_entropy,
    decimals=3,
    notes=("notes::1",),
)
def draw_cross_entropy(d: Draw) -> dict[str, Any]:
    return _draw_ce(d)


def solve_cross_entropy_grad(params: Mapping[str, Any]) -> Solved:
    """Gradient of the mean cross-entropy with respect to the logits."""
    logits, target, smoothing = _ce_setup(params)
    grad = engine.cross_entropy_grad(
        np.asarray(logits), np.asarray(target), label_smoothing=smoothing
    )
    z_rows, single = _rows(logits)
    targets = [int(target)] if single else [int(t) for t in target]
    batch = len(targets)
    prompt = _ce_prompt(
        logits,
        target,
        smoothing,
        single,
        "求交叉熵损失对 logits 的梯度 $\\partial L / \\partial z$。",
        "What is the gradient of the cross-entropy loss with respect to the logits, $\\partial L / \\partial z$?",
    )
    steps = Steps()
    if smoothing:
        steps.math(
            "\\frac{\\partial L}{\\partial z} = p - \\tilde y,\\qquad \\tilde y = (1-ε)\\,\\text{onehot}(y) + ε/C"
        )
    else:
        steps.math("\\frac{\\partial L}{\\partial z} = p - \\text{onehot}(y)")
    if not single:
        steps.add(
            f"reduction 为 mean 时每个样本的梯度再除以 batch 大小 {batch}。",
            f"With reduction mean, each sample's gradient is divided by the batch size {batch}.",
        )
    expected = _float_list(grad)
    rows: list[str] = []
    for index, (z, y) in enumerate(zip(z_rows, targets, strict=True)):
        p, _ = _softmax_table(steps, z, None if single else index)
        classes = z.size
        soft = [
            steps.calc(
                lambda e, hot=float(c == y), n=classes: (1 - e) * hot + e / n,
                smoothing,
                label="smoothed target",
            )
            for c in range(classes)
        ]
        scale = 1 if single else batch
        want = expected if single else expected[index]
        row = [
            steps.calc(
                lambda q, t, n=scale: (q - t) / n,
                q,
                t,
                label="(p - y) / B",
                expect=float(want[c]),
            )
            for c, (q, t) in enumerate(zip(p, soft, strict=True))
        ]
        shown = "[" + ", ".join(row) + "]"
        rows.append(shown)
        fraction = "" if single else f"\\frac{{1}}{{{batch}}}"
        steps.math(f"{fraction}([{', '.join(p)}] - [{', '.join(soft)}]) = {shown}")
    kind = AnswerKind.VECTOR if single else AnswerKind.MATRIX
    steps.answer(rows[0] if single else "[" + ", ".join(rows) + "]")
    steps.add(
        "每行梯度之和为 0：$p$ 与目标分布的和都是 1。",
        "Each row sums to 0, because $p$ and the target distribution both sum to 1.",
    )
    return Solved(prompt, expected, kind, steps.text(), checks=tuple(steps.checks()))


@register(
    "cross_entropy_grad",
    title=bi(
        "交叉熵对 logits 的梯度 p − y",
        "Gradient of cross-entropy with respect to the logits, p − y",
    ),
    kinds=[AnswerKind.VECTOR, AnswerKind.MATRIX],
    space=_CE_SPACE,
    solve=solve_cross_entropy_grad,
    decimals=3,
    notes=("notes::1",),
)
def draw_cross_entropy_grad(d: Draw) -> dict[str, Any]:
    return _draw_ce(d)


def solve_softmax(params: Mapping[str, Any]) -> Solved:
    """Softmax of a vector of logits."""
    logits = params["logits"]
    expected = _float_list(engine.softmax(logits))
    prompt = bi(
        f"求 logits $z = {vec(logits)}$ 的 softmax。",
        f"What is the softmax of the logits $z = {vec(logits)}$?",
    )
    steps = Steps()
    steps.math("\\mathrm{softmax}(z)_c = \\frac{e^{z_c}}{\\sum_j e^{z_j}}")
    p, _ = _softmax_table(steps, np.asarray(logits, dtype=np.float64), None)
    steps.add(
        "减去最大值不改变结果（数值稳定的写法）：$\\mathrm{softmax}(z) = \\mathrm{softmax}(z - \\max z)$。",
        "Subtracting the maximum changes nothing (the numerically stable form): "
        "$\\mathrm{softmax}(z) = \\mathrm{softmax}(z - \\max z)$.",
    )
    steps.answer("[" + ", ".join(p) + "]")
    return Solved(prompt, expected, AnswerKind.VECTOR, steps.text(), checks=tuple(steps.checks()))


@register(
    "softmax",
    title=bi("softmax 概率", "Softmax probabilities"),
    kinds=[AnswerKind.VECTOR],
    space=[ParamSpec("classes", bi("类别数", "number of classes"), min=2, max=4)],
    solve=solve_softmax,
    decimals=3,
    notes=("notes::1",),
)
def draw_softmax(d: Draw) -> dict[str, Any]:
    return {"logits": _draw_logits(d, d.param("classes"))}


# --------------------------------------------------------------------------------------------------------------
# Binary losses


def _sigmoid(x: float) -> float:
    """The engine's sigmoid (no overflow for large |x|) of one number, as a worked step computes it."""
    return float(engine.sigmoid(x))


def _softplus(x: float) -> float:
    """ln(1 + e^x), without overflow: max(x, 0) + ln(1 + e^−|x|)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


SATURATED = 9.0
"""Beyond this |x|, σ(x) prints as 0 or 1 at 4 decimals: a binary loss is worked as ln(1 + e^{±x})."""

_SATURATED_NOTE = (
    "|x| 很大时 σ(x) 四舍五入后是 0 或 1，$\\ln$ 不能从它算：用 $-\\ln \\sigma(x) = \\ln(1 + e^{-x})$、"
    "$-\\ln(1 - \\sigma(x)) = \\ln(1 + e^{x})$（BCEWithLogits 本身就这样稳定地计算）。",
    "For large |x|, σ(x) rounds to 0 or 1 and no logarithm can be taken of it: use "
    "$-\\ln \\sigma(x) = \\ln(1 + e^{-x})$ and $-\\ln(1 - \\sigma(x)) = \\ln(1 + e^{x})$ (which is how "
    "BCEWithLogits computes it, stably).",
)


def _reduce_text(steps: Steps, values: Sequence[str], reduction: str, result: float) -> str:
    """Print the sum or mean of the per-element losses (placeholders); return the total's placeholder."""
    if len(values) == 1:
        return steps.calc(lambda v: v, values[0], label="L", expect=result)
    if reduction == "sum":
        total = steps.calc(_add, *values, label="sum", expect=result)
        steps.math(f"L = {' + '.join(values)} = {total}")
    else:
        total = steps.calc(_mean, *values, label="mean", expect=result)
        steps.math(f"L = \\frac{{1}}{{{len(values)}}}({' + '.join(values)}) = {total}")
    return total


def _hard_targets(targets: Any) -> None:
    """The binary worked solutions take each term by its class: a soft target (``0.3``) has no class."""
    for index, target in enumerate(np.ravel(np.asarray(targets, dtype=np.float64))):
        if target not in (0.0, 1.0):
            raise GeneratorError(
                N_("the worked solution takes targets 0 or 1; target {index} is {value}"),
                index=index,
                value=f"{target:g}",
            )


def solve_bce(params: Mapping[str, Any]) -> Solved:
    """Binary cross-entropy with logits."""
    logits, targets = params["logits"], params["targets"]
    pos_weight = params.get("pos_weight")
    reduction = params.get("reduction", "mean")
    expected = engine.bce_with_logits(logits, targets, pos_weight=pos_weight, reduction=reduction)
    _hard_targets(targets)
    weight = 1.0 if pos_weight is None else float(pos_weight)
    args = f"reduction='{reduction}'" + (
        f", pos_weight=torch.tensor({float(weight)!r})" if weight != 1 else ""
    )
    prompt = bi(
        f"`nn.BCEWithLogitsLoss({args})`：logits $x = {vec(logits)}$，目标 $t = {vec(targets)}$。求损失（自然对数）。",
        f"`nn.BCEWithLogitsLoss({args})` with logits $x = {vec(logits)}$ and targets $t = {vec(targets)}$. "
        "What is the loss (natural log)?",
    )
    steps = Steps()
    if weight != 1:
        steps.math("\\ell = -\\left[w_p\\, t \\ln \\sigma(x) + (1-t)\\ln(1-\\sigma(x))\\right]")
    else:
        steps.math(
            "\\ell = -\\left[t \\ln \\sigma(x) + (1-t)\\ln(1-\\sigma(x))\\right],\\quad \\sigma(x) = \\frac{1}{1+e^{-x}}"
        )
    rows, values = [], []
    saturated = False
    for x, t in zip(logits, targets, strict=True):
        s = steps.calc(_sigmoid, float(x), label="sigmoid")
        w_text = num(weight) + "·" if weight != 1 and t == 1 else ""
        if abs(float(x)) > SATURATED:
            saturated = True
            sign = -1.0 if t == 1 else 1.0
            value = steps.calc(
                lambda v, w=(weight if t == 1 else 1.0), k=sign: w * _softplus(k * v),
                float(x),
                label="w ln(1 + e^(±x))",
            )
            term = f"${w_text}\\ln(1 + e^{{{num(sign * float(x))}}})$"
        elif t == 1:
            value = steps.calc(lambda q, w=weight: -w * math.log(q), s, label="-w ln s")
            term = f"-{w_text}ln {s}"
        else:
            value = steps.calc(lambda q: -math.log(1 - q), s, label="-ln(1 - s)")
            term = f"-ln(1 - {s})"
        values.append(value)
        rows.append([num(x), num(t), s, term, value])
    if saturated:
        steps.add(*_SATURATED_NOTE)
    steps.table(
        ["$x$", "$t$", "$\\sigma(x)$", "项", "$\\ell$"],
        ["$x$", "$t$", "$\\sigma(x)$", "term", "$\\ell$"],
        rows,
    )
    total = _reduce_text(steps, values, reduction, float(expected))
    steps.answer(total)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


_BINARY_SPACE = [
    ParamSpec("count", bi("元素个数", "number of elements"), min=1, max=4),
    ParamSpec("reduction", bi("归约方式", "reduction"), choices=("mean", "sum")),
]


def _draw_binary(d: Draw) -> tuple[list[float], list[float]]:
    count = d.param("count")
    logits = [d.choice(LOGITS) for _ in range(count)]
    targets = [float(d.index(2)) for _ in range(count)]
    return logits, targets


@register(
    "bce",
    title=bi(
        "带 logits 的二元交叉熵 BCEWithLogits", "Binary cross-entropy with logits (BCEWithLogits)"
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        *_BINARY_SPACE,
        ParamSpec("pos_weight", bi("正样本权重", "positive-class weight"), choices=(1.0, 2.0, 3.0)),
    ],
    solve=solve_bce,
    decimals=3,
    notes=("notes::1",),
)
def draw_bce(d: Draw) -> dict[str, Any]:
    logits, targets = _draw_binary(d)
    weight = d.param("pos_weight")
    return {
        "logits": logits,
        "targets": targets,
        "pos_weight": None if weight == 1.0 else weight,
        "reduction": d.param("reduction"),
    }


def solve_focal(params: Mapping[str, Any]) -> Solved:
    """Sigmoid focal loss (RetinaNet)."""
    logits, targets = params["logits"], params["targets"]
    alpha, gamma = float(params.get("alpha", 0.25)), float(params.get("gamma", 2.0))
    reduction = params.get("reduction", "mean")
    expected = engine.sigmoid_focal_loss(logits, targets, alpha, gamma, reduction)
    _hard_targets(targets)
    alpha_text = num(alpha) if alpha >= 0 else "-1（不加 α 权重）"
    alpha_en = num(alpha) if alpha >= 0 else "-1 (no α weighting)"
    prompt = bi(
        f"Focal loss（`torchvision.ops.sigmoid_focal_loss`，α = {alpha_text}，γ = {num(gamma)}，reduction='{reduction}'）："
        f"logits $x = {vec(logits)}$，目标 $t = {vec(targets)}$。求损失（自然对数）。",
        f"Focal loss (`torchvision.ops.sigmoid_focal_loss`, α = {alpha_en}, γ = {num(gamma)}, "
        f"reduction='{reduction}') with logits $x = {vec(logits)}$ and targets $t = {vec(targets)}$. What is the "
        "loss (natural log)?",
    )
    steps = Steps()
    steps.math(
        "p = \\sigma(x),\\; p_t = \\begin{cases} p & t = 1\\\\ 1-p & t = 0\\end{cases},\\; "
        "\\alpha_t = \\begin{cases} \\alpha & t = 1\\\\ 1-\\alpha & t = 0\\end{cases},\\; "
        "\\ell = -\\alpha_t (1-p_t)^{\\gamma} \\ln p_t"
    )
    if alpha < 0:
        steps.add("α < 0 表示不乘 $\\alpha_t$。", "α < 0 means no $\\alpha_t$ factor.")
    rows, values = [], []
    saturated = False
    for x, t in zip(logits, targets, strict=True):
        p = steps.calc(_sigmoid, float(x), label="sigmoid")
        a_t = 1.0 if alpha < 0 else (alpha if t == 1 else 1 - alpha)
        if abs(float(x)) > SATURATED:  # p_t, 1 - p_t and ln p_t from x itself (see _SATURATED_NOTE)
            saturated = True
            k = 1.0 if t == 1 else -1.0  # p_t = σ(k x)
            p_t = p if t == 1 else steps.calc(lambda v: _sigmoid(-v), float(x), label="1 - p")
            modulating = steps.calc(
                lambda v, g=gamma, k=k: _sigmoid(-k * v) ** g, float(x), label="(1 - p_t)^gamma"
            )
            nll = steps.calc(lambda v, k=k: _softplus(-k * v), float(x), label="-ln p_t")
        else:
            p_t = p if t == 1 else steps.calc(lambda q: 1 - q, p, label="1 - p")
            modulating = steps.calc(lambda q, g=gamma: (1 - q) ** g, p_t, label="(1 - p_t)^gamma")
            nll = steps.calc(_neg_ln, p_t, label="-ln p_t")
        value = steps.calc(lambda m, n, a=a_t: a * m * n, modulating, nll, label="focal term")
        values.append(value)
        rows.append([num(x), num(t), p, p_t, num(a_t), modulating, nll, value])
    headers = [
        "$x$",
        "$t$",
        "$p$",
        "$p_t$",
        "$\\alpha_t$",
        "$(1-p_t)^\\gamma$",
        "$-\\ln p_t$",
        "$\\ell$",
    ]
    steps.table(headers, headers, rows)
    if saturated:
        steps.add(*_SATURATED_NOTE)
    total = _reduce_text(steps, values, reduction, float(expected))
    if gamma == 0:
        steps.add(
            "γ = 0 时 $(1-p_t)^\\gamma = 1$，focal loss 就是（按 $\\alpha_t$ 加权的）BCE；γ > 0 才会压低已分对样本的损失。",
            "With γ = 0, $(1-p_t)^\\gamma = 1$ and focal loss is plain ($\\alpha_t$-weighted) BCE; only γ > 0 "
            "shrinks the loss of well-classified examples.",
        )
    else:
        steps.add(
            "$(1-p_t)^\\gamma$ 让已经分对的（$p_t$ 大的）样本几乎不贡献损失，训练集中在难样本上。",
            "$(1-p_t)^\\gamma$ makes well-classified examples (large $p_t$) contribute almost nothing, so "
            "training focuses on hard examples.",
        )
    steps.answer(total)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "focal_loss",
    title=bi("Sigmoid focal loss（RetinaNet）", "Sigmoid focal loss (RetinaNet)"),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("count", bi("元素个数", "number of elements"), min=1, max=3),
        ParamSpec("reduction", bi("归约方式", "reduction"), choices=("mean", "sum")),
        ParamSpec("alpha", bi("α（-1 表示不加权）", "α (-1 for none)"), choices=(0.25, 0.5, -1.0)),
        ParamSpec("gamma", bi("γ", "γ"), choices=(0.0, 1.0, 2.0)),
    ],
    solve=solve_focal,
    decimals=3,
    notes=("notes::1",),
)
def draw_focal(d: Draw) -> dict[str, Any]:
    logits, targets = _draw_binary(d)
    return {
        "logits": logits,
        "targets": targets,
        "alpha": d.param("alpha"),
        "gamma": d.param("gamma"),
        "reduction": d.param("reduction"),
    }


# --------------------------------------------------------------------------------------------------------------
# Multiclass hinge (SVM) loss


def _hinge_prompt(
    scores: Any, targets: Any, margin: float, question_zh: str, question_en: str
) -> Any:
    block = code("s =\n" + grid(scores))
    return bi(
        f"多类 SVM（合页）损失 $L = \\frac{{1}}{{N}}\\sum_i \\sum_{{j \\ne y_i}} \\max(0, s_{{ij}} - s_{{iy_i}} + Δ)$，"
        f"Δ = {num(margin)}。分数矩阵 $s$（每行一个样本），真实类别 $y = {vec(targets)}$（从 0 开始）。{question_zh}\n\n{block}",
        f"The multiclass SVM (hinge) loss $L = \\frac{{1}}{{N}}\\sum_i \\sum_{{j \\ne y_i}} \\max(0, s_{{ij}} - s_{{iy_i}} + Δ)$ "
        f"with Δ = {num(margin)}. Scores $s$ (one sample per row), true classes $y = {vec(targets)}$ (from 0). "
        f"{question_en}\n\n{block}",
    )


def _hinge_rows(
    steps: Steps, scores: Any, targets: Any, margin: float
) -> tuple[list[list[float]], list[list[str]]]:
    """Print each sample's hinge terms; return the margins and each sample's printed terms (placeholders)."""
    margins: list[list[float]] = []
    printed: list[list[str]] = []
    for i, (row, y) in enumerate(zip(scores, targets, strict=True)):
        terms, values, hinges = [], [], []
        for j, s in enumerate(row):
            if j == y:
                values.append(0.0)
                continue
            m = float(s) - float(row[y]) + margin
            values.append(m)
            hinge = steps.calc(
                lambda a, b, d: max(0.0, a - b + d), float(s), float(row[y]), margin, label="hinge"
            )
            hinges.append(hinge)
            terms.append(f"\\max(0, {num(s)} - {signed(row[y])} + {num(margin)}) = {hinge}")
        margins.append(values)
        printed.append(hinges)
        steps.add(
            f"样本 {i}（$y = {y}$）："
            + "，".join(
                f"$j={j}$: ${t}$"
                for j, t in zip([j for j in range(len(row)) if j != y], terms, strict=True)
            ),
            f"Sample {i} ($y = {y}$): "
            + "; ".join(
                f"$j={j}$: ${t}$"
                for j, t in zip([j for j in range(len(row)) if j != y], terms, strict=True)
            ),
        )
    return margins, printed


def solve_hinge(params: Mapping[str, Any]) -> Solved:
    """Multiclass SVM loss (mean over samples)."""
    scores, targets, margin = params["scores"], params["targets"], float(params.get("margin", 1.0))
    expected = engine.multiclass_hinge_loss(scores, np.asarray(targets), margin)
    prompt = _hinge_prompt(scores, targets, margin, "求 $L$。", "What is $L$?")
    steps = Steps()
    _, terms = _hinge_rows(steps, scores, targets, margin)
    per_sample = [steps.calc(_add, *row, label="sample loss") for row in terms]
    steps.add(
        "每个样本的损失是这些项之和："
        + "，".join(f"$L_{i} = {v}$" for i, v in enumerate(per_sample))
        + "。",
        "Each sample's loss is the sum of its terms: "
        + ", ".join(f"$L_{i} = {v}$" for i, v in enumerate(per_sample))
        + ".",
    )
    loss = steps.calc(_mean, *per_sample, label="mean", expect=float(expected))
    steps.math(f"L = \\frac{{1}}{{{len(per_sample)}}}({' + '.join(per_sample)}) = {loss}")
    steps.add(
        "只有分数进入真实类别分数 Δ 以内（或超过它）的错误类别才产生损失。",
        "Only wrong classes scoring within Δ of the true class (or above it) add to the loss.",
    )
    steps.answer(loss)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


def solve_hinge_grad(params: Mapping[str, Any]) -> Solved:
    """Gradient of the multiclass SVM loss with respect to the scores."""
    scores, targets, margin = params["scores"], params["targets"], float(params.get("margin", 1.0))
    grad = _float_list(engine.multiclass_hinge_grad(scores, np.asarray(targets), margin))
    prompt = _hinge_prompt(
        scores,
        targets,
        margin,
        "求梯度 $\\partial L / \\partial s$（与 $s$ 同形状）。",
        "What is the gradient $\\partial L / \\partial s$ (the shape of $s$)?",
    )
    steps = Steps()
    steps.add(
        "记间隔 $m_{ij} = s_{ij} - s_{iy_i} + Δ$（$j \\ne y_i$），$\\mathbb{1}[\\cdot]$ 条件成立为 1、否则为 0：",
        "With the margins $m_{ij} = s_{ij} - s_{iy_i} + Δ$ ($j \\ne y_i$) and $\\mathbb{1}[\\cdot]$ being 1 when "
        "the condition holds and 0 otherwise:",
    )
    steps.math(
        "\\frac{\\partial L}{\\partial s_{ij}} = \\frac{1}{N}\\mathbb{1}[m_{ij} > 0]\\ (j \\ne y_i),\\qquad "
        "\\frac{\\partial L}{\\partial s_{iy_i}} = -\\frac{1}{N}\\sum_{j \\ne y_i} \\mathbb{1}[m_{ij} > 0]"
    )
    margins, _ = _hinge_rows(steps, scores, targets, margin)
    n = len(margins)
    for i, (row, y) in enumerate(zip(margins, targets, strict=True)):
        active = [j for j, m in enumerate(row) if j != y and m > 0]
        if not active:
            steps.add(
                f"样本 {i}：所有间隔都 ≤ 0，这一行梯度全为 0。",
                f"Sample {i}: every margin is ≤ 0, so its row of the gradient is 0.",
            )
            continue
        each = "1" if n == 1 else f"1/{n}"
        true = str(len(active)) if n == 1 else f"{len(active)}/{n}"
        steps.add(
            f"样本 {i}：间隔为正的类别 {active}，它们各得 $+{each}$，真实类别 {y} 得 $-{true}$。",
            f"Sample {i}: the classes with a positive margin, {active}, get $+{each}$ each; the true class {y} "
            f"gets $-{true}$.",
        )
    shown_rows = []
    for i, (row, y) in enumerate(zip(margins, targets, strict=True)):
        active = [j for j, m in enumerate(row) if j != y and m > 0]
        cells = [
            steps.calc(
                lambda count, n_: count / n_,
                -len(active) if j == y else (1 if j in active else 0),
                n,
                label="gradient entry",
                expect=grad[i][j],
            )
            for j in range(len(row))
        ]
        shown_rows.append("[" + ", ".join(cells) + "]")
    steps.block("\n".join(shown_rows))
    steps.answer("[" + ", ".join(shown_rows) + "]")
    return Solved(prompt, grad, AnswerKind.MATRIX, steps.text(), checks=tuple(steps.checks()))


_HINGE_SPACE = [
    ParamSpec("batch", bi("样本数 N", "samples N"), min=1, max=2),
    ParamSpec("classes", bi("类别数 C", "classes C"), min=3, max=4),
]


def _draw_hinge(d: Draw) -> dict[str, Any]:
    batch, classes = d.param("batch"), d.param("classes")
    scores = [[d.choice(SCORES) for _ in range(classes)] for _ in range(batch)]
    targets = [d.index(classes) for _ in range(batch)]
    margin = 1.0
    for row, y in zip(scores, targets, strict=True):
        margins = [s - row[y] + margin for j, s in enumerate(row) if j != y]
        if any(abs(m) < 1e-9 for m in margins):
            raise Reject(N_("a margin of exactly 0 has no clear gradient"))
    if all(
        s - row[y] + margin <= 0
        for row, y in zip(scores, targets, strict=True)
        for j, s in enumerate(row)
        if j != y
    ):
        raise Reject(N_("zero loss is not instructive"))
    return {"scores": scores, "targets": targets, "margin": margin}


@register(
    "hinge_loss",
    title=bi("多类 SVM（合页）损失", "Multiclass SVM (hinge) loss"),
    kinds=[AnswerKind.NUMBER],
    space=_HINGE_SPACE,
    solve=solve_hinge,
    decimals=3,
    notes=("notes::2",),
)
def draw_hinge(d: Draw) -> dict[str, Any]:
    return _draw_hinge(d)


@register(
    "hinge_grad",
    title=bi(
        "多类 SVM 损失对分数的梯度",
        "Gradient of the multiclass SVM loss with respect to the scores",
    ),
    kinds=[AnswerKind.MATRIX],
    space=_HINGE_SPACE,
    solve=solve_hinge_grad,
    decimals=3,
    notes=("notes::2",),
)
def draw_hinge_grad(d: Draw) -> dict[str, Any]:
    return _draw_hinge(d)


# --------------------------------------------------------------------------------------------------------------
# Smooth L1


def solve_smooth_l1(params: Mapping[str, Any]) -> Solved:
    """Smooth L1 loss."""
    pred, target = params["pred"], params["target"]
    beta, reduction = float(params.get("beta", 1.0)), params.get("reduction", "mean")
    expected = engine.smooth_l1_loss(pred, target, beta, reduction)
    prompt = bi(
        f"`nn.SmoothL1Loss(beta={num(beta)}, reduction='{reduction}')`：预测 $\\hat y = {vec(pred)}$，目标 $y = {vec(target)}$。求损失。",
        f"`nn.SmoothL1Loss(beta={num(beta)}, reduction='{reduction}')` with predictions $\\hat y = {vec(pred)}$ and "
        f"targets $y = {vec(target)}$. What is the loss?",
    )
    steps = Steps()
    cases = (
        "\\ell(d) = \\begin{cases} 0.5\\,d^2/\\beta & |d| < \\beta \\\\ |d| - 0.5\\,\\beta & \\text{%s}"
        "\\end{cases},\\quad d = \\hat y - y"
    )
    steps.math(cases % "其他", cases % "otherwise")
    rows, values = [], []
    for p, t in zip(pred, target, strict=True):
        diff = abs(float(p) - float(t))
        if diff < beta:
            value = steps.calc(lambda d, b=beta: 0.5 * d * d / b, diff, label="0.5 d^2 / beta")
            how = f"0.5·{num(diff)}²/{num(beta)}"
        else:
            value = steps.calc(lambda d, b=beta: d - 0.5 * b, diff, label="|d| - 0.5 beta")
            how = f"{num(diff)} - 0.5·{num(beta)}"
        values.append(value)
        rows.append([num(p), num(t), num(diff), how, value])
    headers = ["$\\hat y$", "$y$", "$\\lvert d \\rvert$"]
    steps.table([*headers, "计算", "$\\ell$"], [*headers, "how", "$\\ell$"], rows)
    total = _reduce_text(steps, values, reduction, float(expected))
    steps.add(
        "小误差处是平方（梯度随误差变小），大误差处是线性（梯度有界，对离群点稳健）；Fast R-CNN 用它回归边框。",
        "Quadratic for small errors (the gradient shrinks with the error), linear for large ones (a bounded "
        "gradient, robust to outliers); Fast R-CNN regresses boxes with it.",
    )
    steps.answer(total)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "smooth_l1",
    title=bi("Smooth L1 损失", "Smooth L1 loss"),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("count", bi("元素个数", "number of elements"), min=2, max=4),
        ParamSpec("beta", bi("β", "β"), choices=(1.0, 0.5, 2.0)),
        ParamSpec("reduction", bi("归约方式", "reduction"), choices=("mean", "sum")),
    ],
    solve=solve_smooth_l1,
    decimals=3,
    notes=("notes::1",),
)
def draw_smooth_l1(d: Draw) -> dict[str, Any]:
    count, beta = d.param("count"), d.param("beta")
    pred = [d.integer(-6, 6) * 0.5 for _ in range(count)]
    target = [d.integer(-6, 6) * 0.5 for _ in range(count)]
    diffs = [abs(p - t) for p, t in zip(pred, target, strict=True)]
    if not any(x < beta for x in diffs) or not any(x >= beta for x in diffs):
        raise Reject(N_("use both branches"))
    return {"pred": pred, "target": target, "beta": beta, "reduction": d.param("reduction")}
