"""Generators about training and deployment: optimiser steps, layer and group norm, 8-bit quantization, and
the shapes and cost of multi-head attention.

Optimiser problems use a scalar parameter and given gradients (one or two steps), with PyTorch's defaults
stated; normalisation problems use small integers; quantization problems use ranges such as [−1, 3] and keep
x/s away from a rounding tie; attention problems use ViT- and BERT-like sizes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, num, spaced
from cvquiz.i18n import N_
from cvquiz.model import Text


def _mean(*values: float) -> float:
    return sum(values) / len(values)


def _same(value: float) -> float:
    return value


# --------------------------------------------------------------------------------------------------------------
# Optimiser steps

_OPTIMIZERS = {
    "sgd": ("torch.optim.SGD", "SGD"),
    "momentum": ("torch.optim.SGD", "SGD + momentum"),
    "nesterov": ("torch.optim.SGD", "SGD + Nesterov"),
    "adam": ("torch.optim.Adam", "Adam"),
    "adamw": ("torch.optim.AdamW", "AdamW"),
}


def _optimizer_call(opt: str, lr: float, weight_decay: float) -> str:
    decay = f", weight_decay={num(weight_decay)}" if weight_decay else ""
    if opt == "sgd":
        return f"torch.optim.SGD([w], lr={num(lr)}{decay})"
    if opt in ("momentum", "nesterov"):
        nesterov = ", nesterov=True" if opt == "nesterov" else ""
        return f"torch.optim.SGD([w], lr={num(lr)}, momentum=0.9{nesterov}{decay})"
    if opt == "adamw":
        # AdamW's default weight_decay is 0.01, not 0: always say which is meant
        return f"torch.optim.AdamW([w], lr={num(lr)}, weight_decay={num(weight_decay)})"
    return f"torch.optim.Adam([w], lr={num(lr)}{decay})"


def _sgd_steps(
    steps: Steps, opt: str, p0: float, grads: Sequence[float], lr: float, wd: float
) -> str:
    """Print SGD (momentum, Nesterov) steps; return the final parameter's placeholder."""
    mu = 0.9 if opt in ("momentum", "nesterov") else 0.0
    p = steps.value(p0)
    buffer = ""
    for t, grad in enumerate(grads, start=1):
        g = steps.value(grad)
        if wd:
            g = steps.calc(lambda gr, w, d=wd: gr + d * w, g, p, label="g + wd p")
            steps.add(
                f"第 {t} 步：weight decay 加进梯度 $g = {num(grad)} + {num(wd)}\\times{steps.signed(p)} = {g}$。",
                f"Step {t}: weight decay joins the gradient, $g = {num(grad)} + {num(wd)}\\times{steps.signed(p)} = {g}$.",
            )
        if mu:
            if t == 1:
                buffer = steps.calc(_same, g, label="b1 = g")
                steps.add(
                    f"第 {t} 步：动量缓冲第一次直接取梯度（不乘 1 − dampening）：$b_1 = g = {buffer}$。",
                    f"Step {t}: the first momentum buffer is the gradient itself: $b_1 = g = {buffer}$.",
                )
            else:
                previous = buffer
                buffer = steps.calc(lambda b, gr: 0.9 * b + gr, previous, g, label="b = 0.9 b + g")
                steps.add(
                    f"第 {t} 步：$b_{t} = 0.9\\times{steps.signed(previous)} + {steps.signed(g)} = {buffer}$。",
                    f"Step {t}: $b_{t} = 0.9\\times{steps.signed(previous)} + {steps.signed(g)} = {buffer}$.",
                )
            if opt == "nesterov":
                direction = steps.calc(lambda gr, b: gr + 0.9 * b, g, buffer, label="g + 0.9 b")
                steps.add(
                    f"Nesterov 用 $g + 0.9\\,b_{t} = {g} + 0.9\\times{steps.signed(buffer)} = {direction}$。",
                    f"Nesterov steps along $g + 0.9\\,b_{t} = {g} + 0.9\\times{steps.signed(buffer)} = {direction}$.",
                )
            else:
                direction = buffer
        else:
            direction = g
        new = steps.calc(lambda w, v, r=lr: w - r * v, p, direction, label="w - lr d")
        steps.math(f"w_{t} = {p} - {num(lr)}\\times{steps.signed(direction)} = {new}")
        p = new
    return p


def _adam_steps(
    steps: Steps, opt: str, p0: float, grads: Sequence[float], lr: float, wd: float
) -> str:
    """Print Adam / AdamW steps (β = 0.9, 0.999, ε = 1e-8); return the final parameter's placeholder."""
    p = steps.value(p0)
    m = v = "0"
    for t, grad in enumerate(grads, start=1):
        g = steps.value(grad)
        if wd and opt == "adamw":
            decayed = steps.calc(lambda w, r=lr, d=wd: w * (1 - r * d), p, label="decoupled decay")
            steps.add(
                f"第 {t} 步：AdamW 先直接衰减权重 $w \\leftarrow w(1 - \\eta\\lambda) = {steps.signed(p)}\\times(1 - {num(lr)}\\times{num(wd)}) = {decayed}$。",
                f"Step {t}: AdamW first decays the weight itself, $w \\leftarrow w(1 - \\eta\\lambda) = {steps.signed(p)}\\times(1 - "
                f"{num(lr)}\\times{num(wd)}) = {decayed}$.",
            )
            p = decayed
        elif wd:
            g = steps.calc(lambda gr, w, d=wd: gr + d * w, g, p, label="g + wd p")
            steps.add(
                f"第 {t} 步：Adam 的 weight_decay 是 L2，加进梯度：$g = {num(grad)} + {num(wd)}\\times{steps.signed(p)} = {g}$。",
                f"Step {t}: Adam's weight_decay is L2, added to the gradient: $g = {num(grad)} + {num(wd)}\\times{steps.signed(p)} = {g}$.",
            )
        if t == 1:
            m = steps.calc(lambda gr: 0.1 * gr, g, places=6, label="m1")
            v = steps.calc(lambda gr: 0.001 * gr * gr, g, places=8, label="v1")
            sg = steps.signed(g)
            steps.math(f"m_1 = 0.1\\times{sg} = {m},\\quad v_1 = 0.001\\times{sg}^2 = {v}")
        else:
            old_m, old_v = m, v
            m = steps.calc(lambda a, gr: 0.9 * a + 0.1 * gr, old_m, g, places=6, label="m")
            v = steps.calc(lambda a, gr: 0.999 * a + 0.001 * gr * gr, old_v, g, places=8, label="v")
            steps.math(
                f"m_{t} = 0.9\\times{steps.signed(old_m)} + 0.1\\times{steps.signed(g)} = {m},\\quad "
                f"v_{t} = 0.999\\times{old_v} + 0.001\\times{steps.signed(g)}^2 = {v}"
            )
        m_hat = steps.calc(lambda a, k=t: a / (1 - 0.9**k), m, places=6, label="m hat")
        v_hat = steps.calc(lambda a, k=t: a / (1 - 0.999**k), v, places=6, label="v hat")
        steps.math(
            f"\\hat m_{t} = \\frac{{{m}}}{{1 - 0.9^{t}}} = {m_hat},\\quad "
            f"\\hat v_{t} = \\frac{{{v}}}{{1 - 0.999^{t}}} = {v_hat}"
        )
        new = steps.calc(
            lambda w, a, b, r=lr: w - r * a / (math.sqrt(b) + 1e-8),
            p,
            m_hat,
            v_hat,
            label="Adam step",
        )
        steps.math(
            f"w_{t} = {p} - {num(lr)}\\times\\frac{{{m_hat}}}{{\\sqrt{{{v_hat}}} + 10^{{-8}}}} = {new}"
        )
        p = new
    return p


def solve_optimizer_step(params: Mapping[str, Any]) -> Solved:
    """The parameter after one or two optimiser steps with given gradients."""
    opt = str(params["optimizer"])
    if opt not in _OPTIMIZERS:
        raise engine.EngineError(
            N_("optimizer must be one of {choices}, got {opt!r}"),
            choices=", ".join(_OPTIMIZERS),
            opt=opt,
        )
    p0, grads = float(params["param"]), [float(g) for g in params["grads"]]
    lr, wd = float(params["lr"]), float(params.get("weight_decay", 0.0))
    expected = _optimizer_value(opt, p0, grads, lr, wd)
    call = _optimizer_call(opt, lr, wd)
    grads_zh = "，".join(f"第 {t} 步 $g_{t} = {num(g)}$" for t, g in enumerate(grads, start=1))
    grads_en = ", ".join(f"$g_{t} = {num(g)}$ at step {t}" for t, g in enumerate(grads, start=1))
    defaults_zh = (
        "（其余为默认值：betas=(0.9, 0.999)，eps=1e-8，有偏差修正）"
        if opt in ("adam", "adamw")
        else "（dampening=0）"
    )
    defaults_en = (
        " (other arguments default: betas=(0.9, 0.999), eps=1e-8, with bias correction)"
        if opt in ("adam", "adamw")
        else " (dampening=0)"
    )
    count = len(grads)
    prompt = bi(
        f"标量参数 $w = {num(p0)}$，优化器 `{call}`{defaults_zh}，全新的优化器状态。"
        f"连续 {count} 步 `step()`，梯度依次为：{grads_zh}（直接给出，不必由损失求）。"
        f"{count} 步之后 $w$ 是多少？",
        f"A scalar parameter $w = {num(p0)}$ and a fresh optimizer `{call}`{defaults_en}. It takes {count} "
        f"`step()`{'s' * (count > 1)} with the gradients {grads_en} (given, not computed from a loss). What is "
        f"$w$ after {'the step' if count == 1 else f'{count} steps'}?",
    )
    steps = Steps()
    if opt in ("adam", "adamw"):
        steps.math(
            "m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t,\\quad v_t = \\beta_2 v_{t-1} + (1-\\beta_2) g_t^2,\\quad "
            "w_t = w_{t-1} - \\eta\\,\\frac{m_t/(1-\\beta_1^t)}{\\sqrt{v_t/(1-\\beta_2^t)} + \\epsilon}"
        )
        final = _adam_steps(steps, opt, p0, grads, lr, wd)
        steps.add(
            "偏差修正让第一步的更新约为 $\\eta\\cdot\\mathrm{sign}(g)$，与梯度大小无关；AdamW 的衰减不经过 $\\sqrt{\\hat v}$ 的缩放。",
            "Bias correction makes the first update about $\\eta\\cdot\\mathrm{sign}(g)$ whatever the gradient's size; "
            "AdamW's decay is not rescaled by $\\sqrt{\\hat v}$.",
        )
    else:
        if opt == "sgd":
            steps.math("w_t = w_{t-1} - \\eta\\, g_t")
        else:
            steps.math(
                "b_t = \\mu b_{t-1} + g_t\\ (b_1 = g_1),\\quad w_t = w_{t-1} - \\eta\\,"
                + ("(g_t + \\mu b_t)" if opt == "nesterov" else "b_t")
            )
        final = _sgd_steps(steps, opt, p0, grads, lr, wd)
    result = steps.calc(_same, final, label="answer", expect=expected)
    steps.answer(result)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


def _optimizer_value(opt: str, p0: float, grads: Sequence[float], lr: float, wd: float) -> float:
    if opt in ("adam", "adamw"):
        states = engine.adam_steps(
            [p0], [[g] for g in grads], lr, weight_decay=wd, decoupled=opt == "adamw"
        )
        return float(states[-1].param[0])
    momentum = 0.9 if opt in ("momentum", "nesterov") else 0.0
    sgd = engine.sgd_steps(
        [p0], [[g] for g in grads], lr, momentum, weight_decay=wd, nesterov=opt == "nesterov"
    )
    return float(sgd[-1].param[0])


@register(
    "optimizer_step",
    title=bi(
        "SGD / 动量 / Nesterov / Adam / AdamW 走一两步后的参数",
        "The parameter after one or two steps of SGD, momentum, Nesterov, Adam or AdamW",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("optimizer", bi("优化器", "optimizer"), choices=tuple(_OPTIMIZERS)),
        ParamSpec("steps", bi("步数", "steps"), min=1, max=2),
        ParamSpec(
            "weight_decay",
            bi("是否带 weight decay", "whether there is weight decay"),
            choices=(False, True),
        ),
    ],
    solve=solve_optimizer_step,
    decimals=4,
)
def draw_optimizer_step(d: Draw) -> dict[str, Any]:
    opt = d.param("optimizer")
    adam = opt in ("adam", "adamw")
    grads = [d.choice((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0)) for _ in range(d.param("steps"))]
    decay = (
        d.choice((0.01, 0.1) if not adam else (0.01, 0.1, 0.5)) if d.param("weight_decay") else 0.0
    )
    if opt == "momentum" and len(grads) == 1:
        raise Reject(N_("the first momentum step is a plain SGD step"))
    return {
        "optimizer": opt,
        "param": d.choice((1.0, -1.0, 2.0, 0.5, 1.5, -2.0)),
        "grads": grads,
        "lr": d.choice((0.1, 0.01)) if adam else d.choice((0.1, 0.5)),
        "weight_decay": decay,
    }


# --------------------------------------------------------------------------------------------------------------
# Layer norm and group norm


def _sum_text(values: Sequence[float]) -> str:
    """A sum as a person writes it: ``5 + 3 - 2``, not ``5 + 3 + -2``."""
    text = num(values[0])
    for v in values[1:]:
        text += f" - {num(-v)}" if v < 0 else f" + {num(v)}"
    return text


def _norm_stats(steps: Steps, values: Sequence[float], eps: float) -> tuple[str, str, str]:
    """Print μ, σ² (biased) and √(σ² + ε) of some values; return their placeholders."""
    mean = steps.calc(_mean, *values, label="mean")
    var = steps.calc(
        lambda mu, vs=tuple(values): sum((v - mu) ** 2 for v in vs) / len(vs), mean, label="var"
    )
    sd = steps.calc(lambda v, e=eps: math.sqrt(v + e), var, label="sqrt(var + eps)")
    n = len(values)
    steps.math(
        f"\\mu = \\frac{{{_sum_text(values)}}}{{{n}}} = {mean},\\quad "
        f"\\sigma^2 = \\frac{{1}}{{{n}}}\\sum (x - \\mu)^2 = {var},\\quad \\sqrt{{\\sigma^2 + \\epsilon}} = {sd}"
    )
    return mean, var, sd


_ASK_NORM = ParamSpec(
    "ask",
    bi("问均值、方差还是某个输出值", "ask the mean, the variance or one output value"),
    choices=("mean", "var", "output"),
)


def solve_layer_norm(params: Mapping[str, Any]) -> Solved:
    """A statistic or an output value of nn.LayerNorm over the features of each token."""
    x = np.asarray(params["x"], dtype=np.float64)
    weight, bias = params.get("weight"), params.get("bias")
    ask, token, feature = str(params["ask"]), int(params["token"]), int(params.get("feature", 0))
    eps = 1e-5
    result = engine.layer_norm(x, x.shape[1], weight, bias, eps)
    tokens, features = x.shape
    if ask == "mean":
        expected = float(result.mean[token])
        what_zh, what_en = (
            f"第 {token} 个 token 归一化所用的均值 μ",
            f"the mean μ token {token} is normalised with",
        )
    elif ask == "var":
        expected = float(result.var[token])
        what_zh, what_en = (
            f"第 {token} 个 token 归一化所用的方差 σ²",
            f"the variance σ² token {token} is normalised with",
        )
    elif ask == "output":
        expected = float(result.y[token, feature])
        what_zh = f"输出 $y[{token}, {feature}]$"
        what_en = f"the output $y[{token}, {feature}]$"
    else:
        raise engine.EngineError(N_("ask must be mean, var or output, got {ask!r}"), ask=ask)
    affine_zh = (
        f"，weight = {_vector(weight)}，bias = {_vector(bias)}"
        if weight is not None
        else "（weight 为 1，bias 为 0）"
    )
    affine_en = (
        f", weight = {_vector(weight)}, bias = {_vector(bias)}"
        if weight is not None
        else " (weight 1, bias 0)"
    )
    block = code("x =\n" + grid(x))
    prompt = bi(
        f"`nn.LayerNorm({features})`（eps = 1e-5{affine_zh}）作用在 {tokens} 个 token 上（每行一个 token，每列一个特征）。"
        f"求{spaced(what_zh)}（方差用有偏估计，除以 n）。\n\n{block}",
        f"`nn.LayerNorm({features})` (eps = 1e-5{affine_en}) is applied to {tokens} tokens (one token per row, one "
        f"feature per column). What is {what_en}? (The variance is the biased one, divided by n.)\n\n{block}",
    )
    steps = Steps()
    steps.add(
        "LayerNorm 对每个 token 在它自己的特征上求统计量，与 batch 中的其他样本无关（训练和推理一样）。",
        "LayerNorm takes the statistics of each token over its own features, independent of the rest of the "
        "batch (the same in training and inference).",
    )
    row = [float(v) for v in x[token]]
    mean, var, sd = _norm_stats(steps, row, eps)
    answer = {"mean": mean, "var": var}.get(ask, "")
    if ask == "output":
        g = 1.0 if weight is None else float(weight[feature])
        b = 0.0 if bias is None else float(bias[feature])
        answer = steps.calc(
            lambda mu, s, v=row[feature], g_=g, b_=b: g_ * (v - mu) / s + b_,
            mean,
            sd,
            label="y",
            expect=expected,
        )
        steps.math(
            f"y[{token}, {feature}] = {num(g)}\\times\\frac{{{num(row[feature])} - {steps.signed(mean)}}}{{{sd}}} + {_paren(b)} = {answer}"
        )
    else:
        answer = steps.calc(_same, answer, label=ask, expect=expected)
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


def _paren(value: float) -> str:
    return f"({num(value)})" if value < 0 else num(value)


def _vector(values: Any) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


@register(
    "layer_norm",
    title=bi("LayerNorm 的均值、方差或输出值", "Layer norm: a statistic or an output value"),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("features", bi("特征数 D", "features D"), min=3, max=5),
        ParamSpec("tokens", bi("token 数", "tokens"), min=1, max=3),
        _ASK_NORM,
        ParamSpec(
            "affine",
            bi("是否给出 weight/bias", "whether weight and bias are given"),
            choices=(False, True),
        ),
    ],
    solve=solve_layer_norm,
    decimals=3,
)
def draw_layer_norm(d: Draw) -> dict[str, Any]:
    features, tokens = d.param("features"), d.param("tokens")
    x = [[d.integer(-3, 6) for _ in range(features)] for _ in range(tokens)]
    if any(len(set(row)) == 1 for row in x):
        raise Reject(N_("a constant token"))
    affine = d.param("affine")
    return {
        "x": x,
        "weight": [d.choice((0.5, 1.0, 2.0)) for _ in range(features)] if affine else None,
        "bias": [d.choice((-1.0, 0.0, 0.5, 1.0)) for _ in range(features)] if affine else None,
        "ask": d.param("ask"),
        "token": d.index(tokens),
        "feature": d.index(features),
    }


def solve_group_norm(params: Mapping[str, Any]) -> Solved:
    """A statistic or an output value of nn.GroupNorm on one sample."""
    x = np.asarray(params["x"], dtype=np.float64)  # (C, L): channels by positions of one sample
    groups = int(params["groups"])
    ask, group = str(params["ask"]), int(params.get("group", 0))
    channel, position = int(params.get("channel", 0)), int(params.get("position", 0))
    eps = 1e-5
    channels, length = x.shape
    result = engine.group_norm(x[None], groups, None, None, eps)
    per_group = channels // groups
    if ask in ("mean", "var"):
        expected = float(getattr(result, ask)[0, group])
        first, last = group * per_group, (group + 1) * per_group - 1
        span = f"{first}" if first == last else f"{first}–{last}"
        name = "均值 μ" if ask == "mean" else "方差 σ²"
        what_zh = f"第 {group} 组（通道 {span}）的{name}"
        what_en = f"the {'mean μ' if ask == 'mean' else 'variance σ²'} of group {group} (channel{'s' * (first != last)} {span})"
    elif ask == "output":
        expected = float(result.y[0, channel, position])
        group = channel // per_group
        what_zh = f"输出中通道 {channel}、位置 {position} 的值"
        what_en = f"the output at channel {channel}, position {position}"
    else:
        raise engine.EngineError(N_("ask must be mean, var or output, got {ask!r}"), ask=ask)
    block = code("x =\n" + grid(x))
    kind_zh = {1: "（G = 1 即对整个样本做 LayerNorm）", channels: "（G = C 即 InstanceNorm）"}.get(
        groups, ""
    )
    kind_en = {
        1: " (G = 1 is layer norm over the whole sample)",
        channels: " (G = C is instance norm)",
    }.get(groups, "")
    prompt = bi(
        f"`nn.GroupNorm({groups}, {channels})`（eps = 1e-5，weight 为 1，bias 为 0）作用在一个样本上，"
        f"它有 {channels} 个通道（行）、每个通道 {length} 个位置（列）。每组是相邻的 {per_group} 个通道。"
        f"求{spaced(what_zh)}（方差为有偏估计）。\n\n{block}",
        f"`nn.GroupNorm({groups}, {channels})` (eps = 1e-5, weight 1, bias 0) is applied to one sample with "
        f"{channels} channels (rows) of {length} positions (columns); each group is {per_group} consecutive "
        f"channel{'s' * (per_group != 1)}. What is {what_en}? (The variance is the biased one.)\n\n{block}",
    )
    steps = Steps()
    steps.add(
        f"GroupNorm 把通道分成 {groups} 组{kind_zh}，每组在组内所有通道和位置上求统计量，与 batch 无关。",
        f"GroupNorm splits the channels into {groups} group{'s' * (groups != 1)}{kind_en}; each group takes "
        "its statistics over all its channels and positions, independent of the batch.",
    )
    values = [float(v) for v in x[group * per_group : (group + 1) * per_group].ravel()]
    steps.add(
        f"第 {group} 组的 {len(values)} 个值：{_vector(values)}。",
        f"Group {group} holds {len(values)} values: {_vector(values)}.",
    )
    mean, var, sd = _norm_stats(steps, values, eps)
    if ask == "output":
        v = float(x[channel, position])
        answer = steps.calc(lambda mu, s, v_=v: (v_ - mu) / s, mean, sd, label="y", expect=expected)
        steps.math(f"y = \\frac{{{num(v)} - {steps.signed(mean)}}}{{{sd}}} = {answer}")
    else:
        answer = steps.calc(_same, mean if ask == "mean" else var, label=ask, expect=expected)
    steps.answer(answer)
    return Solved(prompt, expected, AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks()))


@register(
    "group_norm",
    title=bi(
        "GroupNorm 的组均值、方差或输出值", "Group norm: a group's statistic or an output value"
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("groups", bi("组数 G（C = 4）", "groups G (C = 4)"), choices=(1, 2, 4)),
        ParamSpec("positions", bi("每个通道的位置数", "positions per channel"), min=2, max=3),
        _ASK_NORM,
    ],
    solve=solve_group_norm,
    decimals=3,
)
def draw_group_norm(d: Draw) -> dict[str, Any]:
    groups, length = d.param("groups"), d.param("positions")
    channels = 4
    x = [[d.integer(-2, 6) for _ in range(length)] for _ in range(channels)]
    per_group = channels // groups
    for g in range(groups):
        block = [v for row in x[g * per_group : (g + 1) * per_group] for v in row]
        if len(set(block)) == 1:
            raise Reject(N_("a constant group"))
    return {
        "x": x,
        "groups": groups,
        "ask": d.param("ask"),
        "group": d.index(groups),
        "channel": d.index(channels),
        "position": d.index(length),
    }


# --------------------------------------------------------------------------------------------------------------
# Quantization


def solve_quantize(params: Mapping[str, Any]) -> Solved:
    """Scale, zero point, or the 8-bit integer (and its dequantized value) of x, as torch.ao quantization."""
    low, high = float(params["min_val"]), float(params["max_val"])
    dtype, symmetric = str(params["dtype"]), bool(params.get("symmetric", False))
    ask, x = str(params["ask"]), float(params.get("x", 0.0))
    q_min, q_max = engine.QUANT_RANGES[dtype]
    scale, zero = engine.qparams(low, high, dtype, symmetric)  # type: ignore[arg-type]
    q = engine.quantize(x, scale, zero, dtype)  # type: ignore[arg-type]
    scheme = "torch.per_tensor_symmetric" if symmetric else "torch.per_tensor_affine"
    question = {
        "scale": ("scale（比例因子）$s$", "the scale $s$"),
        "zero_point": ("zero_point $z$", "the zero point $z$"),
        "q": (f"$x = {num(x)}$ 量化后存储的整数 $q$", f"the integer $q$ stored for $x = {num(x)}$"),
        "dequantized": (
            f"$x = {num(x)}$ 量化再反量化后的值 $\\hat x$",
            f"the value $\\hat x$ that $x = {num(x)}$ reads back as after quantizing and dequantizing",
        ),
    }
    if ask not in question:
        raise engine.EngineError(
            N_("ask must be one of {choices}, got {ask!r}"), choices=", ".join(question), ask=ask
        )
    kind = AnswerKind.INTEGER if ask in ("zero_point", "q") else AnswerKind.NUMBER
    expected: Any = {
        "scale": scale,
        "zero_point": zero,
        "q": q,
        "dequantized": engine.dequantize(q, scale, zero),
    }[ask]
    sym_zh = (
        "；对称量化的 scale 是 $\\max(|x_{min}|, |x_{max}|)$ 除以 $(q_{max} - q_{min})/2$"
        if symmetric
        else ""
    )
    sym_en = (
        "; the symmetric scale divides $\\max(|x_{min}|, |x_{max}|)$ by $(q_{max} - q_{min})/2$"
        if symmetric
        else ""
    )
    prompt = bi(
        f"`MinMaxObserver(dtype=torch.{dtype}, qscheme={scheme})` 观察到的最小值 {num(low)}、最大值 {num(high)}。"
        f"{dtype} 的整数范围是 {q_min}..{q_max}（不 reduce_range）；取整为四舍五入到最近整数（本题不出现 .5）{sym_zh}。"
        f"求{spaced(question[ask][0])}。",
        f"`MinMaxObserver(dtype=torch.{dtype}, qscheme={scheme})` has observed a minimum of {num(low)} and a "
        f"maximum of {num(high)}. {dtype} holds the integers {q_min}..{q_max} (no reduce_range); rounding is to the "
        f"nearest integer (no .5 ties arise here){sym_en}. What is {question[ask][1]}?",
    )
    steps = Steps()
    steps.math(
        "q = \\mathrm{clamp}(\\mathrm{round}(x / s) + z,\\ q_{min},\\ q_{max}),\\qquad \\hat x = (q - z)\\,s"
    )
    if symmetric:
        top = max(abs(min(low, 0.0)), max(high, 0.0))
        half = steps.calc(lambda a, b: (b - a) / 2, q_min, q_max, label="(q_max - q_min)/2")
        s_text = steps.calc(lambda t, h: t / h, top, half, places=6, label="scale", expect=scale)
        steps.add(
            f"对称量化：$s = \\max(|x_{{min}}|, |x_{{max}}|) / ((q_{{max}} - q_{{min}})/2) = {num(top)} / {half} = {s_text}$，"
            f"$z = {zero}$（{dtype} 的中点），0 正好映射到 $z$。",
            f"Symmetric: $s = \\max(|x_{{min}}|, |x_{{max}}|) / ((q_{{max}} - q_{{min}})/2) = {num(top)} / "
            f"{half} = {s_text}$ and $z = {zero}$ ({dtype}'s midpoint), so 0 maps to $z$ exactly.",
        )
        z_text = steps.exact(str(zero), zero)
    else:
        lo, hi = min(low, 0.0), max(high, 0.0)
        s_text = steps.calc(
            lambda a, b: (b - a) / (q_max - q_min), lo, hi, places=6, label="scale", expect=scale
        )
        widened_zh = "（范围先扩到包含 0）" if (lo, hi) != (low, high) else ""
        widened_en = " (the range is first widened to include 0)" if (lo, hi) != (low, high) else ""
        steps.add(
            f"非对称（affine）量化{widened_zh}：$s = \\frac{{x_{{max}} - x_{{min}}}}{{q_{{max}} - q_{{min}}}} = \\frac{{{num(hi)} - ({num(lo)})}}{{{q_max - q_min}}} = {s_text}$。",
            f"Affine quantization{widened_en}: $s = \\frac{{x_{{max}} - x_{{min}}}}{{q_{{max}} - q_{{min}}}} = "
            f"\\frac{{{num(hi)} - ({num(lo)})}}{{{q_max - q_min}}} = {s_text}$.",
        )
        ratio = steps.calc(lambda a, s: a / s, lo, s_text, places=3, label="x_min / s")
        z_text = steps.calc(
            lambda r: min(max(q_min - round(r), q_min), q_max),
            ratio,
            places=0,
            label="zero point",
            expect=zero,
        )
        steps.add(
            f"零点让 0 精确可表示：$z = q_{{min}} - \\mathrm{{round}}(x_{{min}}/s) = {q_min} - \\mathrm{{round}}({ratio}) = {z_text}$。",
            f"The zero point makes 0 exactly representable: $z = q_{{min}} - \\mathrm{{round}}(x_{{min}}/s) = {q_min} - "
            f"\\mathrm{{round}}({ratio}) = {z_text}$.",
        )
    if ask in ("q", "dequantized"):
        quotient = steps.calc(lambda a, s: a / s, x, s_text, places=3, label="x / s")
        q_text = steps.calc(
            lambda r, zz: min(max(round(r) + zz, q_min), q_max),
            quotient,
            z_text,
            places=0,
            label="q",
            expect=q,
        )
        out_of_range = not q_min <= round(x / scale) + zero <= q_max
        formula = f"q = \\mathrm{{round}}({quotient}) + {steps.signed(z_text)}"
        if out_of_range:
            shown_zh = f"${formula}$ 超出 {q_min}..{q_max}，截断为 {q_text}"
            shown_en = f"${formula}$ is outside {q_min}..{q_max} and is clamped to {q_text}"
        else:
            shown_zh = shown_en = f"${formula} = {q_text}$"
        steps.add(
            f"$x/s = {num(x)} / {s_text} = {quotient}$，取整后加零点：{shown_zh}。",
            f"$x/s = {num(x)} / {s_text} = {quotient}$; round and add the zero point: {shown_en}.",
        )
        if ask == "dequantized":
            back = steps.calc(
                lambda qq, zz, s: (qq - zz) * s,
                q_text,
                z_text,
                s_text,
                places=5,
                label="dequantize",
                expect=float(expected),
            )
            steps.add(
                f"反量化：$\\hat x = (q - z)\\,s = ({q_text} - {steps.signed(z_text)})\\times{s_text} = {back}$，误差 $|x - \\hat x| \\le s/2$（范围内）。",
                f"Dequantize: $\\hat x = (q - z)\\,s = ({q_text} - {steps.signed(z_text)})\\times{s_text} = {back}$; inside the range the "
                f"error is at most $s/2$.",
            )
            answer = back
        else:
            answer = q_text
    else:
        answer = s_text if ask == "scale" else z_text
    steps.answer(answer)
    return Solved(prompt, expected, kind, steps.text(), checks=tuple(steps.checks()))


@register(
    "quantize",
    title=bi(
        "8 位仿射/对称量化：scale、zero_point 与量化值",
        "8-bit affine or symmetric quantization: scale, zero point and the stored integer",
    ),
    kinds=[AnswerKind.NUMBER, AnswerKind.INTEGER],
    space=[
        ParamSpec("dtype", bi("整数类型", "integer type"), choices=("quint8", "qint8")),
        ParamSpec("scheme", bi("方案", "scheme"), choices=("affine", "symmetric")),
        ParamSpec(
            "ask",
            bi("问什么", "what to ask"),
            choices=("scale", "zero_point", "q", "dequantized"),
        ),
    ],
    solve=solve_quantize,
    rel_tol=0.001,
)
def draw_quantize(d: Draw) -> dict[str, Any]:
    dtype, symmetric, ask = d.param("dtype"), d.param("scheme") == "symmetric", d.param("ask")
    if symmetric and ask == "zero_point":
        raise Reject(N_("the symmetric zero point is fixed"))
    low = d.choice((-1.0, -2.0, -0.5, -4.0, -3.0, 0.0, 0.5))
    high = d.choice((1.0, 2.0, 3.0, 4.0, 6.0, 2.5))
    if high <= low:
        raise Reject(N_("an empty range"))
    scale, _ = engine.qparams(low, high, dtype, symmetric)
    if not symmetric:
        ratio = min(low, 0.0) / scale
        if abs(ratio - math.floor(ratio) - 0.5) < 0.05:
            raise Reject(N_("the zero point is a rounding tie"))
    x = d.choice((-1.2, -0.7, -0.3, 0.1, 0.35, 0.9, 1.3, 2.2, 3.7, 7.0, -5.0))
    fraction = x / scale - math.floor(x / scale)
    if abs(fraction - 0.5) < 0.05:
        raise Reject(N_("x/s is a rounding tie"))
    return {
        "min_val": low,
        "max_val": high,
        "dtype": dtype,
        "symmetric": symmetric,
        "ask": ask,
        "x": x,
    }


# --------------------------------------------------------------------------------------------------------------
# Multi-head attention


def solve_attention_cost(params: Mapping[str, Any]) -> Solved:
    """Shapes, parameters or FLOPs of multi-head self-attention."""
    n, d_model, h = int(params["tokens"]), int(params["dim"]), int(params["heads"])
    b, ask = int(params.get("batch", 1)), str(params["ask"])
    cost = engine.attention_cost(n, d_model, h, b)
    layer = f"nn.MultiheadAttention(embed_dim={d_model}, num_heads={h}, batch_first=True)"
    questions = {
        "scores_shape": (
            "注意力权重（softmax(QKᵀ/√d_k)）的形状 (B, h, N, N)",
            "the shape (B, h, N, N) of the attention weights softmax(QKᵀ/√d_k)",
        ),
        "head_shape": (
            "拆成多头后每个头的 Q 的形状 (B, h, N, d_k)",
            "the per-head shape (B, h, N, d_k) of Q after the split into heads",
        ),
        "params": ("该层的可学习参数量", "the number of learnable parameters of the layer"),
        "flops": ("一次前向的 FLOPs", "the number of FLOPs of one forward pass"),
        "attention_flops": (
            "只算 $QK^T$ 和权重乘 $V$ 两步矩阵乘的 FLOPs",
            "the number of FLOPs of the two attention matmuls alone, $QK^T$ and weights × $V$",
        ),
    }
    if ask not in questions:
        raise engine.EngineError(
            N_("ask must be one of {choices}, got {ask!r}"), choices=", ".join(questions), ask=ask
        )
    convention_zh = (
        "FLOPs 按 `torch.utils.flop_counter` 的约定：只算矩阵乘法，一次乘加算 2 FLOPs，不计偏置、缩放和 softmax。"
        if "flops" in ask
        else ""
    )
    convention_en = (
        " FLOPs follow `torch.utils.flop_counter`: matrix multiplications only, 2 FLOPs per multiply-add; biases, "
        "the scaling and the softmax are not counted."
        if "flops" in ask
        else ""
    )
    prompt = bi(
        f"自注意力层 `{layer}`（有偏置），输入形状 $(B, N, d) = ({b}, {n}, {d_model})$，Q、K、V 都由同一输入投影得到。"
        f"{convention_zh}求{spaced(questions[ask][0])}。",
        f"The self-attention layer `{layer}` (with biases) gets an input of shape $(B, N, d) = ({b}, {n}, {d_model})$; "
        f"Q, K and V are all projected from it.{convention_en} What is {questions[ask][1]}?",
    )
    steps = Steps()
    head = steps.calc(lambda a, c: a // c, d_model, h, places=0, label="d_k", expect=cost.head_dim)
    steps.add(
        f"每个头的宽度 $d_k = d / h = {d_model} / {h} = {head}$；Q、K、V 各为 $(B, N, d)$，拆头后为 $(B, h, N, d_k)$。",
        f"Each head is $d_k = d / h = {d_model} / {h} = {head}$ wide; Q, K and V are $(B, N, d)$ each, and "
        "$(B, h, N, d_k)$ once split into heads.",
    )
    kind = AnswerKind.SHAPE
    answer_format: Text | None = bi("按 (B, h, N, N) 作答", "answer as (B, h, N, N)")
    dims: tuple[str, ...] | None = ("B", "h", "N", "N")
    if ask == "scores_shape":
        expected: Any = cost.scores_shape
        steps.add(
            f"每个头算 $QK^T$：$(N, d_k)\\times(d_k, N) \\to (N, N)$，所以权重是 $({b}, {h}, {n}, {n})$——"
            "与 N² 成正比，这就是注意力的平方复杂度。",
            f"Each head computes $QK^T$: $(N, d_k)\\times(d_k, N) \\to (N, N)$, so the weights are $({b}, {h}, {n}, {n})$ "
            "— growing as N², the quadratic cost of attention.",
        )
        answer = f"({b}, {h}, {n}, {n})"
    elif ask == "head_shape":
        expected = cost.qkv_shape
        answer_format = bi("按 (B, h, N, d_k) 作答", "answer as (B, h, N, d_k)")
        dims = ("B", "h", "N", "d_k")
        answer = f"({b}, {h}, {n}, {head})"
    elif ask == "params":
        kind, answer_format, dims = AnswerKind.INTEGER, None, None
        expected = cost.params
        weights = steps.calc(lambda a: 4 * a * a, d_model, places=0, label="4 d^2")
        biases = steps.calc(lambda a: 4 * a, d_model, places=0, label="4 d")
        answer = steps.calc(
            lambda a, c: a + c, weights, biases, places=0, label="params", expect=expected
        )
        steps.add(
            f"Q、K、V 和输出四个投影，每个 $d\\times d$ 权重加 $d$ 个偏置：$4d^2 + 4d = {weights} + {biases} = {answer}$。"
            "参数量与 N 和头数无关。",
            f"Four projections (Q, K, V and the output), each a $d\\times d$ weight plus $d$ biases: $4d^2 + 4d = "
            f"{weights} + {biases} = {answer}$. It depends on neither N nor the number of heads.",
        )
    else:
        kind, answer_format, dims = AnswerKind.NUMBER, None, None
        projection = steps.calc(
            lambda bb, nn_, dd: 2 * 4 * bb * nn_ * dd * dd,
            b,
            n,
            d_model,
            places=0,
            label="projections",
            expect=cost.projection_flops,
        )
        attention = steps.calc(
            lambda bb, nn_, dd: 2 * 2 * bb * nn_ * nn_ * dd,
            b,
            n,
            d_model,
            places=0,
            label="attention",
            expect=cost.attention_flops,
        )
        steps.add(
            f"四个投影各是 $(BN, d)\\times(d, d)$ 的矩阵乘：$4\\times 2BNd^2 = 8\\times{b}\\times{n}\\times{d_model}^2 = {projection}$。",
            f"The four projections are $(BN, d)\\times(d, d)$ matmuls: $4\\times 2BNd^2 = 8\\times{b}\\times{n}\\times{d_model}^2 = {projection}$.",
        )
        steps.add(
            f"每个头的 $QK^T$ 是 $(N, d_k)\\times(d_k, N)$：$2N^2 d_k$，h 个头共 $2N^2 d$；权重乘 V 同样 $2N^2 d$。合计 "
            f"$4BN^2 d = 4\\times{b}\\times{n}^2\\times{d_model} = {attention}$。",
            f"Per head, $QK^T$ is $(N, d_k)\\times(d_k, N)$: $2N^2 d_k$, so $2N^2 d$ over h heads; weights × V costs "
            f"$2N^2 d$ too. Together $4BN^2 d = 4\\times{b}\\times{n}^2\\times{d_model} = {attention}$.",
        )
        if ask == "flops":
            expected = cost.flops
            answer = steps.calc(
                lambda a, c: a + c, projection, attention, places=0, label="flops", expect=expected
            )
            steps.math(f"\\text{{FLOPs}} = {projection} + {attention} = {answer}")
            steps.add(
                f"N < 2d 时投影占大头；N 超过 2d = {2 * d_model} 后 $N^2$ 项占主导。",
                f"While N < 2d the projections dominate; beyond N = 2d = {2 * d_model} the $N^2$ term does.",
            )
        else:
            expected = cost.attention_flops
            answer = attention
    steps.answer(answer)
    if kind is AnswerKind.NUMBER:
        answer_format = bi(
            "给出准确整数，或至少 4 位有效数字的科学计数法（如 1.180e9）",
            "the exact count, or scientific notation with at least 4 significant figures (e.g. 1.180e9)",
        )
    return Solved(
        prompt, expected, kind, steps.text(), answer_format, dims, checks=tuple(steps.checks())
    )


_ATTENTION_SIZES = (
    (197, 768, 12),
    (197, 384, 6),
    (50, 768, 12),
    (196, 512, 8),
    (64, 256, 4),
    (16, 64, 2),
    (1024, 256, 8),
    (4096, 128, 4),
    (128, 512, 8),
    (49, 96, 3),
)


@register(
    "attention_cost",
    title=bi(
        "多头自注意力的形状、参数量与 FLOPs",
        "Shapes, parameters and FLOPs of multi-head self-attention",
    ),
    kinds=[AnswerKind.SHAPE, AnswerKind.INTEGER, AnswerKind.NUMBER],
    space=[
        ParamSpec(
            "ask",
            bi("问什么", "what to ask"),
            choices=("scores_shape", "head_shape", "params", "flops", "attention_flops"),
        ),
        ParamSpec("batch", bi("batch 大小 B", "batch size B"), choices=(1, 2, 8, 32)),
        ParamSpec(
            "size",
            bi(
                "(N, d, h) 规模：vit 为 ViT 类，small 为小例子",
                "(N, d, h) sizes: vit is ViT-like, small is a toy size",
            ),
            choices=("vit", "small"),
        ),
    ],
    solve=solve_attention_cost,
    rel_tol=0.001,
)
def draw_attention_cost(d: Draw) -> dict[str, Any]:
    if d.param("size") == "vit":
        n, dim, heads = d.choice(_ATTENTION_SIZES)
    else:
        heads = d.choice((1, 2, 4))
        dim = heads * d.choice((2, 4, 8))
        n = d.choice((3, 4, 6, 8, 10))
    return {
        "tokens": n,
        "dim": dim,
        "heads": heads,
        "batch": d.param("batch"),
        "ask": d.param("ask"),
    }
