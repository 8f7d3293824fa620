"""Generators about Python slicing, weight initialisation, learning-rate scaling, receptive fields and batch norm.

Slices use lists of 5–8 numbers and include negative indices and negative steps (notes item 5); the
initialisation problems name the `torch.nn.init` call and the weight shape (notes item 28); learning-rate
problems scale a tuned rate to a new batch size (notes item 25).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.answers import AnswerKind
from cvquiz.generators.core import Draw, ParamSpec, Reject, Solved, register
from cvquiz.generators.text import Steps, bi, code, grid, num, table, vec
from cvquiz.i18n import N_


def _mean(*values: float) -> float:
    return sum(values) / len(values)


# --------------------------------------------------------------------------------------------------------------
# Python slicing


def _show_sequence(sequence: Sequence[Any]) -> str:
    return (
        repr(sequence)
        if isinstance(sequence, str)
        else "[" + ", ".join(str(v) for v in sequence) + "]"
    )


def solve_slice(params: Mapping[str, Any]) -> Solved:
    """A Python slice of a list (or string)."""
    sequence, text = params["sequence"], str(params["slice"])
    result = engine.eval_slice(sequence, text)
    key = engine.parse_slice(text)
    shown = _show_sequence(sequence)
    prompt = bi(
        f"Python 中 `a = {shown}`，`a[{text}]` 的结果是什么？",
        f"In Python, with `a = {shown}`, what is `a[{text}]`?",
    )
    steps = Steps()
    n = len(sequence)
    if not isinstance(key, slice):
        index = steps.calc(lambda v, n_=n: v + n_ if v < 0 else v, key, places=0, label="index")
        steps.add(
            f"负下标加上长度：{key} + {n} = {index}。" if key < 0 else f"下标 {key}。",
            f"A negative index counts from the end: {key} + {n} = {index}."
            if key < 0
            else f"Index {key}.",
        )
        steps.answer(repr(result))
        kind = AnswerKind.TEXT if isinstance(result, str) else AnswerKind.INTEGER
        return Solved(prompt, result, kind, steps.text(), checks=tuple(steps.checks()))
    step = 1 if key.step is None else key.step
    start, stop, _ = key.indices(n)
    steps.add(
        f"`a[start:stop:step]`，len(a) = {n}，step = {step}。"
        + (
            "step > 0：缺省 start = 0、stop = len(a)。"
            if step > 0
            else "step < 0：缺省 start = len(a) − 1，stop 缺省表示“越过开头”。"
        ),
        f"`a[start:stop:step]` with len(a) = {n} and step = {step}. "
        + (
            "With step > 0 the defaults are start = 0, stop = len(a)."
            if step > 0
            else "With step < 0 the default start is len(a) − 1, and an omitted stop means “past the beginning”."
        ),
    )
    notes_zh, notes_en = [], []
    for name, value in (("start", key.start), ("stop", key.stop)):
        if value is not None and value < 0:
            added = steps.calc(lambda v, n_=n: v + n_, value, places=0, label=f"{name} + len")
            notes_zh.append(f"{name} = {value} 是负数，加上长度：{value} + {n} = {added}")
            notes_en.append(
                f"{name} = {value} is negative, so add the length: {value} + {n} = {added}"
            )
        if value is not None and (value >= n or value < -n):
            notes_zh.append(f"{name} = {value} 越界，会被截断到合法范围（切片不会报错）")
            notes_en.append(
                f"{name} = {value} is out of range and is clipped (slicing never raises)"
            )
    if notes_zh:
        steps.add("；".join(notes_zh) + "。", "; ".join(notes_en) + ".")
    indices = [
        steps.calc(lambda i, a=start, b=step: a + i * b, i, places=0, label="start + i step")
        for i in range(len(range(start, stop, step)))
    ]
    stop_note_zh = "（−1 在这里表示越过开头，不是最后一个元素）" if stop == -1 and step < 0 else ""
    stop_note_en = (
        " (−1 here means past the beginning, not the last element)"
        if stop == -1 and step < 0
        else ""
    )
    steps.add(
        f"归一化后 start = {start}，stop = {stop}{stop_note_zh}，从 start 开始每次加 {step}，"
        f"{'小于' if step > 0 else '大于'} stop 时继续：下标 [{', '.join(indices)}]。",
        f"Normalised: start = {start}, stop = {stop}{stop_note_en}; from start, add {step} while the index is "
        f"{'below' if step > 0 else 'above'} stop: indices [{', '.join(indices)}].",
    )
    if isinstance(result, str):
        steps.answer(repr(result))
        return Solved(prompt, result, AnswerKind.TEXT, steps.text(), checks=tuple(steps.checks()))
    values = list(result)
    steps.answer(_show_sequence(values))
    return Solved(
        prompt,
        values,
        AnswerKind.VECTOR,
        steps.text(),
        bi("列表，如 [4, 3, 2]", "a list such as [4, 3, 2]"),
        checks=tuple(steps.checks()),
    )


@register(
    "slice",
    title=bi(
        "Python 列表切片（含负下标、负步长）", "Python list slicing (negative indices and steps)"
    ),
    kinds=[AnswerKind.VECTOR],
    space=[
        ParamSpec("length", bi("列表长度", "list length"), min=5, max=8),
        ParamSpec(
            "values",
            bi(
                "元素：range 为 0..n−1，random 为随机两位数",
                "elements: range is 0..n−1, random is two-digit numbers",
            ),
            choices=("range", "random"),
        ),
        ParamSpec("step", bi("步长方向", "step direction"), choices=("forward", "backward")),
        ParamSpec(
            "negative",
            bi("start/stop 是否用负下标", "whether start/stop are negative"),
            choices=(False, True),
        ),
    ],
    solve=solve_slice,
    notes=("notes::5",),
)
def draw_slice(d: Draw) -> dict[str, Any]:
    n = d.param("length")
    values = list(range(n)) if d.param("values") == "range" else d.sample(range(10, 100), n)
    backward = d.param("step") == "backward"
    negative = d.param("negative")
    magnitude = d.choice((1, 1, 2, 3))
    step = -magnitude if backward else magnitude

    def bound() -> int | None:
        if d.chance(0.3):
            return None
        return -d.integer(1, n) if negative else d.integer(0, n - 1)

    start, stop = bound(), bound()
    if negative and start is None and stop is None:
        raise Reject(N_("a negative-index slice needs an index"))
    show_step = step != 1 or d.chance(0.5)
    text = f"{'' if start is None else start}:{'' if stop is None else stop}"
    if show_step:
        text += f":{step}"
    result = values[slice(start, stop, step)]
    if len(result) < 2 or (len(result) == n and step == 1):
        raise Reject(N_("empty, single or whole results are not instructive"))
    return {"sequence": values, "slice": text}


# --------------------------------------------------------------------------------------------------------------
# Initialisation


def _init_value(scheme: str, shape: Sequence[int], nonlinearity: str, a: float, mode: str) -> float:
    if scheme in ("xavier_normal", "xavier_uniform"):
        gain = engine.calculate_gain(nonlinearity, a)
        if scheme == "xavier_normal":
            return engine.xavier_normal_std(shape, gain)
        return engine.xavier_uniform_bound(shape, gain)
    if scheme == "kaiming_normal":
        return engine.kaiming_normal_std(shape, a, mode, nonlinearity)  # type: ignore[arg-type]
    if scheme == "kaiming_uniform":
        return engine.kaiming_uniform_bound(shape, a, mode, nonlinearity)  # type: ignore[arg-type]
    raise engine.EngineError(
        N_(
            "scheme must be xavier_normal, xavier_uniform, kaiming_normal or kaiming_uniform, got "
            "{scheme!r}"
        ),
        scheme=scheme,
    )


def solve_init(params: Mapping[str, Any]) -> Solved:
    """Standard deviation or uniform bound of a torch.nn.init scheme."""
    scheme, shape = str(params["scheme"]), [int(v) for v in params["weight_shape"]]
    nonlinearity = str(params.get("nonlinearity", "relu"))
    a = float(params.get("a", 0.0))
    mode = str(params.get("mode", "fan_in"))
    expected = _init_value(scheme, shape, nonlinearity, a, mode)
    fan_in, fan_out = engine.fan_in_and_fan_out(shape)
    gain = engine.calculate_gain(nonlinearity, a)
    slope = f", {num(a)}" if nonlinearity == "leaky_relu" else ""
    if scheme.startswith("xavier"):
        call = f"nn.init.{scheme}_(w, gain=nn.init.calculate_gain('{nonlinearity}'{slope}))"
    else:
        a_arg = f"a={num(a)}, " if nonlinearity == "leaky_relu" else ""
        call = f"nn.init.{scheme}_(w, {a_arg}mode='{mode}', nonlinearity='{nonlinearity}')"
    uniform = scheme.endswith("uniform")
    layer = (
        f"nn.Linear({shape[1]}, {shape[0]})"
        if len(shape) == 2
        else f"nn.Conv2d({shape[1]}, {shape[0]}, kernel_size={shape[2]})"
    )
    what_zh = "均匀分布 $U(-b, b)$ 的边界 $b$" if uniform else "正态分布的标准差 $\\sigma$"
    what_en = (
        "the bound $b$ of the uniform $U(-b, b)$"
        if uniform
        else "the standard deviation $\\sigma$ of the normal"
    )
    prompt = bi(
        f"权重 `w` 形状为 {tuple(shape)}（`{layer}` 的权重），执行 `{call}`。求{what_zh}。",
        f"The weight `w` of shape {tuple(shape)} (that of `{layer}`) is initialised with `{call}`. What is {what_en}?",
    )
    steps = Steps()
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    steps.add(
        f"fan_in = 输入通道 × 感受野 = {shape[1]} × {receptive} = {fan_in}，fan_out = 输出通道 × 感受野 = {shape[0]} × {receptive} = {fan_out}。",
        f"fan_in = input channels × receptive field = {shape[1]} × {receptive} = {fan_in}; fan_out = output channels "
        f"× receptive field = {shape[0]} × {receptive} = {fan_out}.",
    )
    gains = {
        "relu": "\\sqrt{2}",
        "tanh": "5/3",
        "linear": "1",
        "leaky_relu": f"\\sqrt{{2/(1 + {num(a)}^2)}}",
        "sigmoid": "1",
        "selu": "3/4",
    }
    symbolic = gains.get(nonlinearity, num(gain))
    gain_text = steps.value(gain)
    value = gain_text if symbolic == num(gain) else f"{symbolic} = {gain_text}"
    steps.add(
        f"gain（{nonlinearity}）$= {value}$。",
        f"The gain for {nonlinearity} is ${value}$.",
    )
    if scheme.startswith("xavier"):
        std = steps.calc(
            lambda g, n=fan_in + fan_out: g * math.sqrt(2 / n), gain_text, places=5, label="sigma"
        )
        steps.math(
            f"\\sigma = \\text{{gain}}\\sqrt{{\\frac{{2}}{{\\text{{fan\\_in}} + \\text{{fan\\_out}}}}}} = "
            f"{gain_text}\\sqrt{{\\frac{{2}}{{{fan_in} + {fan_out}}}}} = {std}"
        )
        steps.add(
            "Xavier 让前向激活与反向梯度的方差都大致不变（按 fan_in 与 fan_out 的平均）。",
            "Xavier keeps the variance of both activations and gradients (averaging fan_in and fan_out).",
        )
    else:
        fan = fan_in if mode == "fan_in" else fan_out
        std = steps.calc(lambda g, n=fan: g / math.sqrt(n), gain_text, places=5, label="sigma")
        steps.math(
            f"\\sigma = \\frac{{\\text{{gain}}}}{{\\sqrt{{\\text{{{mode.replace('_', chr(92) + '_')}}}}}}} = \\frac{{{gain_text}}}{{\\sqrt{{{fan}}}}} = {std}"
        )
        steps.add(
            "Kaiming/He：ReLU 把一半的激活置零，所以方差要乘 2（gain = √2；leaky_relu 为 $\\sqrt{2/(1+a^2)}$）。"
            "fan_in 保持前向方差，fan_out 保持反向梯度方差。",
            "Kaiming/He: ReLU zeroes half the activations, so the variance is doubled (gain = √2; "
            "$\\sqrt{2/(1+a^2)}$ for leaky_relu). fan_in keeps the forward variance, fan_out the backward one.",
        )
    if uniform:
        answer = steps.calc(
            lambda v: math.sqrt(3) * v, std, places=5, label="b", expect=float(expected)
        )
        steps.math(f"b = \\sqrt{{3}}\\,\\sigma = \\sqrt{{3}}\\times {std} = {answer}")
        steps.add("（$U(-b, b)$ 的方差是 $b^2/3$。）", "(The variance of $U(-b, b)$ is $b^2/3$.)")
    else:
        answer = steps.calc(lambda v: v, std, places=5, label="sigma", expect=float(expected))
    steps.answer(answer)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "init_std",
    title=bi(
        "Xavier / Kaiming 初始化的标准差或均匀边界",
        "Standard deviation or uniform bound of Xavier / Kaiming initialisation",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec(
            "scheme",
            bi("初始化方法", "scheme"),
            choices=("xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform"),
        ),
        ParamSpec("layer", bi("层类型", "layer type"), choices=("linear", "conv")),
        ParamSpec(
            "nonlinearity",
            bi("非线性", "nonlinearity"),
            choices=("relu", "leaky_relu", "tanh", "linear"),
        ),
        ParamSpec(
            "mode", bi("Kaiming 的 fan 模式", "Kaiming's fan mode"), choices=("fan_in", "fan_out")
        ),
    ],
    solve=solve_init,
    rel_tol=0.01,
    notes=("notes::28",),
)
def draw_init(d: Draw) -> dict[str, Any]:
    scheme, nonlinearity = d.param("scheme"), d.param("nonlinearity")
    if scheme.startswith("kaiming") and nonlinearity == "tanh":
        raise Reject(N_("Kaiming initialisation is for rectifiers"))
    if d.param("layer") == "linear":
        shape = [
            d.choice((64, 128, 256, 512, 1000, 1024)),
            d.choice((64, 128, 256, 512, 784, 1024)),
        ]
    else:
        k = d.choice((1, 3, 5, 7))
        shape = [d.choice((16, 32, 64, 128, 256)), d.choice((3, 16, 32, 64, 128)), k, k]
    return {
        "scheme": scheme,
        "weight_shape": shape,
        "nonlinearity": nonlinearity,
        "a": d.choice((0.01, 0.1, 0.2)) if nonlinearity == "leaky_relu" else 0.0,
        "mode": d.param("mode") if scheme.startswith("kaiming") else "fan_in",
    }


# --------------------------------------------------------------------------------------------------------------
# Learning-rate scaling


def solve_lr(params: Mapping[str, Any]) -> Solved:
    """A learning rate scaled to a new batch size."""
    base_lr, base_batch = float(params["base_lr"]), int(params["base_batch"])
    new_batch, rule = int(params["new_batch"]), str(params.get("rule", "linear"))
    expected = engine.scale_lr(base_lr, base_batch, new_batch, rule)  # type: ignore[arg-type]
    rule_zh = "线性缩放规则（linear scaling rule）" if rule == "linear" else "平方根缩放规则"
    rule_en = "the linear scaling rule" if rule == "linear" else "square-root scaling"
    prompt = bi(
        f"学习率 {num(base_lr, 6)} 是在 batch size {base_batch} 下调好的。batch size 改为 {new_batch}，按{rule_zh}学习率应为多少？",
        f"A learning rate of {num(base_lr, 6)} was tuned for batch size {base_batch}. With batch size {new_batch}, "
        f"what should it be by {rule_en}?",
    )
    steps = Steps()
    ratio = steps.calc(lambda a, b: a / b, new_batch, base_batch, label="k")
    steps.add(f"$k = {new_batch} / {base_batch} = {ratio}$")
    if rule == "linear":
        answer = steps.calc(
            lambda k, lr=base_lr: k * lr, ratio, places=6, label="k lr", expect=float(expected)
        )
        steps.math(f"\\eta' = k\\,\\eta = {ratio}\\times{num(base_lr, 6)} = {answer}")
        steps.add(
            "batch 扩大 k 倍、每个 epoch 的更新步数少 k 倍；学习率乘 k 使每个样本对参数的影响不变（Goyal et al., 2017，配合 warmup）。",
            "A k times larger batch takes k times fewer steps per epoch; multiplying the rate by k keeps each "
            "sample's effect on the weights (Goyal et al., 2017, with warmup).",
        )
    else:
        answer = steps.calc(
            lambda k, lr=base_lr: math.sqrt(k) * lr,
            ratio,
            places=6,
            label="sqrt(k) lr",
            expect=float(expected),
        )
        steps.math(
            f"\\eta' = \\sqrt{{k}}\\,\\eta = \\sqrt{{{ratio}}}\\times{num(base_lr, 6)} = {answer}"
        )
        steps.add(
            "平方根缩放保持更新的方差不变（梯度噪声的方差与 batch size 成反比），Adam 类优化器常用。",
            "Square-root scaling keeps the variance of the update (gradient noise variance falls as 1/batch), "
            "common with Adam-style optimisers.",
        )
    steps.answer(answer)
    return Solved(
        prompt, float(expected), AnswerKind.NUMBER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "lr_scale",
    title=bi(
        "按 batch size 缩放学习率（线性 / 平方根）",
        "Scaling the learning rate with the batch size (linear / square root)",
    ),
    kinds=[AnswerKind.NUMBER],
    space=[
        ParamSpec("rule", bi("缩放规则", "scaling rule"), choices=("linear", "sqrt")),
        ParamSpec(
            "base_lr",
            bi("原学习率", "base learning rate"),
            choices=(0.1, 0.2, 0.05, 0.01, 0.001, 0.0003),
        ),
        ParamSpec(
            "base_batch", bi("原 batch size", "base batch size"), choices=(32, 64, 128, 256, 512)
        ),
        ParamSpec(
            "new_batch",
            bi("新 batch size", "new batch size"),
            choices=(16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192),
        ),
    ],
    solve=solve_lr,
    rel_tol=0.01,
    notes=("notes::25",),
)
def draw_lr(d: Draw) -> dict[str, Any]:
    base, new = d.param("base_batch"), d.param("new_batch")
    if base == new or not 1 / 8 <= new / base <= 32:
        raise Reject(N_("an unremarkable or extreme change of batch size"))
    return {
        "base_lr": d.param("base_lr"),
        "base_batch": base,
        "new_batch": new,
        "rule": d.param("rule"),
    }


# --------------------------------------------------------------------------------------------------------------
# Receptive field


def solve_rf(params: Mapping[str, Any]) -> Solved:
    """Receptive field (or effective stride) of a stack of layers."""
    layers = [tuple(int(v) for v in layer) for layer in params["layers"]]
    ask = params.get("ask", "size")
    result = engine.receptive_field(layers)  # type: ignore[arg-type]
    expected = result.size if ask == "size" else result.stride
    rows = []
    for i, layer in enumerate(layers, start=1):
        k, s = layer[0], layer[1]
        dil = layer[2] if len(layer) == 3 else 1
        rows.append([i, f"{k}×{k}", s, dil])
    zh_table = table(["层", "核", "步长", "空洞率"], rows)
    en_table = table(["layer", "kernel", "stride", "dilation"], rows)
    question_zh = (
        "最后一层的一个输出像素在输入上的感受野（沿一个方向）有多大？"
        if ask == "size"
        else "最后一层相邻两个输出像素在输入上相隔多少像素（有效步长）？"
    )
    question_en = (
        "How large is the receptive field (along one axis) of one output pixel of the last layer on the input?"
        if ask == "size"
        else "How many input pixels apart are two neighbouring output pixels of the last layer (the effective stride)?"
    )
    prompt = bi(
        f"依次堆叠以下卷积/池化层（padding 不影响感受野）：\n\n{zh_table}\n\n{question_zh}",
        f"These convolution/pooling layers are stacked in order (padding does not change the receptive field):\n\n"
        f"{en_table}\n\n{question_en}",
    )
    steps = Steps()
    steps.math(
        "r_l = r_{l-1} + d_l\\,(k_l - 1)\\,j_{l-1},\\qquad j_l = j_{l-1}\\,s_l,\\qquad r_0 = j_0 = 1"
    )
    steps.add(
        "$j$ 是当前层相邻像素在输入上的间距（累计步长），每多一层核就向外扩 $d(k-1)$ 个“当前间距”。",
        "$j$ is the spacing on the input between neighbouring pixels of the current layer (the cumulative "
        "stride); each layer widens the field by $d(k-1)$ of those spacings.",
    )
    r, j = steps.value(1), steps.value(1)
    lines = []
    for i, layer in enumerate(layers, start=1):
        k, s = layer[0], layer[1]
        dil = layer[2] if len(layer) == 3 else 1
        new_r = steps.calc(
            lambda r_, j_, d=dil, k_=k: r_ + d * (k_ - 1) * j_, r, j, places=0, label="r"
        )
        new_j = steps.calc(lambda j_, s_=s: j_ * s_, j, places=0, label="j")
        lines.append([i, f"{r} + {dil}·({k}−1)·{j} = {new_r}", f"{j}·{s} = {new_j}"])
        r, j = new_r, new_j
    steps.table(["层", "$r$", "$j$"], ["layer", "$r$", "$j$"], lines)
    steps.answer(r if ask == "size" else j)
    return Solved(
        prompt, int(expected), AnswerKind.INTEGER, steps.text(), checks=tuple(steps.checks())
    )


@register(
    "receptive_field",
    title=bi(
        "多层卷积/池化堆叠的感受野与有效步长",
        "Receptive field and effective stride of a stack of layers",
    ),
    kinds=[AnswerKind.INTEGER],
    space=[
        ParamSpec("layers", bi("层数", "number of layers"), min=2, max=4),
        ParamSpec("kernel", bi("可选核大小", "kernel sizes to pick from"), choices=(1, 2, 3, 5, 7)),
        ParamSpec("stride", bi("可选步长", "strides to pick from"), choices=(1, 2)),
        ParamSpec("dilation", bi("可选空洞率", "dilations to pick from"), choices=(1, 2)),
        ParamSpec(
            "ask",
            bi("问感受野还是有效步长", "ask the size or the effective stride"),
            choices=("size", "stride"),
        ),
    ],
    solve=solve_rf,
    notes=(),
)
def draw_rf(d: Draw) -> dict[str, Any]:
    layers = []
    for _ in range(d.param("layers")):
        k = d.param("kernel")
        dilation = d.param("dilation") if k > 1 else 1
        layers.append([k, d.param("stride"), dilation])
    ask = d.param("ask")
    if ask == "stride" and all(layer[1] == 1 for layer in layers):
        raise Reject(N_("an effective stride of 1 is not instructive"))
    if all(layer[0] == 1 for layer in layers):
        raise Reject(N_("1×1 layers only"))
    return {"layers": layers, "ask": ask}


# --------------------------------------------------------------------------------------------------------------
# Batch norm


def solve_bn(params: Mapping[str, Any]) -> Solved:
    """One training-mode batch-norm step: the output or the updated running statistics."""
    x = np.asarray(params["x"], dtype=np.float64)
    gamma, beta = params["gamma"], params["beta"]
    running_mean, running_var = params["running_mean"], params["running_var"]
    momentum, eps = float(params.get("momentum", 0.1)), float(params.get("eps", 1e-5))
    ask = params.get("ask", "output")
    result = engine.batch_norm_train(
        params["x"], gamma, beta, running_mean, running_var, momentum, eps
    )
    n, channels = x.shape[0], x.shape[1]
    if ask == "output":
        kind = AnswerKind.VECTOR if channels == 1 else AnswerKind.MATRIX
        expected: Any = result.y[:, 0].tolist() if channels == 1 else result.y.tolist()
        what_zh, what_en = (
            "输出 $y$" + ("（这一列）" if channels == 1 else "（与 x 同形状）"),
            "the output $y$" + (" (the column)" if channels == 1 else " (the shape of x)"),
        )
    elif ask in ("running_mean", "running_var"):
        kind = AnswerKind.VECTOR
        expected = getattr(result, ask).tolist()
        what_zh, what_en = f"更新后的 `{ask}`", f"the updated `{ask}`"
    else:
        raise engine.EngineError(
            N_("ask must be output, running_mean or running_var, got {ask!r}"), ask=ask
        )
    block = code("x =\n" + grid(x))
    setting = (
        f"γ = {vec(gamma)}，β = {vec(beta)}，running_mean = {vec(running_mean)}，running_var = {vec(running_var)}，"
        f"momentum = {num(momentum)}，eps = {num(eps, 6) if eps >= 1e-4 else f'{eps:g}'}"
    )
    setting_en = setting.replace("，", ", ")
    prompt = bi(
        f"`nn.BatchNorm1d({channels})` 在训练模式下处理一个 batch（每行一个样本，每列一个通道）：{setting}。求{what_zh}。\n\n{block}",
        f"`nn.BatchNorm1d({channels})` in training mode gets a batch (one sample per row, one channel per column) "
        f"with {setting_en}. What is {what_en}?\n\n{block}",
    )
    steps = Steps()
    steps.math(
        "\\mu = \\frac{1}{n}\\sum x_i,\\quad \\sigma^2 = \\frac{1}{n}\\sum (x_i - \\mu)^2,\\quad "
        "y_i = \\gamma\\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta"
    )
    answers: list[list[str]] = []
    for c in range(channels):
        column = [float(v) for v in x[:, c]]
        mean = steps.calc(_mean, *column, label="mean")
        var = steps.calc(
            lambda mu, col=column: sum((v - mu) ** 2 for v in col) / len(col), mean, label="var"
        )
        sd = steps.calc(lambda v, e=eps: math.sqrt(v + e), var, label="sqrt(var + eps)")
        steps.add(
            f"通道 {c}：$\\mu = ({' + '.join(num(v) for v in column)})/{n} = {mean}$，"
            f"$\\sigma^2 = {var}$（有偏，除以 n），$\\sqrt{{\\sigma^2 + \\epsilon}} = {sd}$。",
            f"Channel {c}: $\\mu = ({' + '.join(num(v) for v in column)})/{n} = {mean}$, "
            f"$\\sigma^2 = {var}$ (biased, divide by n), $\\sqrt{{\\sigma^2 + \\epsilon}} = {sd}$.",
        )
        if ask == "output":
            g, shift = float(gamma[c]), float(beta[c])
            # eps moves a y that should be 0 to -8e-07: it is shown as 0, not in scientific notation.
            ys = [
                steps.calc(
                    lambda mu, s, v=v, g=g, b=shift: g * (v - mu) / s + b,
                    mean,
                    sd,
                    label="y",
                    expect=float(result.y[i, c]),
                    tiny_as_zero=True,
                )
                for i, v in enumerate(column)
            ]
            offset = f" - {num(-shift)}" if shift < 0 else f" + {num(shift)}"
            steps.add(
                f"$y = {num(g)}\\cdot(x - {steps.signed(mean)})/{sd}{offset}$ → [{', '.join(ys)}]"
            )
            answers.append(ys)
        elif ask == "running_mean":
            new = steps.calc(
                lambda mu, rm=float(running_mean[c]): (1 - momentum) * rm + momentum * mu,
                mean,
                label="running_mean",
                expect=float(result.running_mean[c]),
            )
            steps.math(
                f"(1 - {num(momentum)})\\times{num(running_mean[c])} + {num(momentum)}\\times{mean} = {new}"
            )
            answers.append([new])
        else:
            unbiased = steps.calc(lambda v: v * n / (n - 1), var, label="unbiased var")
            steps.add(
                f"running_var 用无偏方差：$\\sigma^2 \\cdot \\frac{{n}}{{n-1}} = {var}\\times\\frac{{{n}}}{{{n - 1}}} = {unbiased}$。",
                f"running_var uses the unbiased variance: $\\sigma^2 \\cdot \\frac{{n}}{{n-1}} = {var}\\times"
                f"\\frac{{{n}}}{{{n - 1}}} = {unbiased}$.",
            )
            new = steps.calc(
                lambda u, rv=float(running_var[c]): (1 - momentum) * rv + momentum * u,
                unbiased,
                label="running_var",
                expect=float(result.running_var[c]),
            )
            steps.math(
                f"(1 - {num(momentum)})\\times{num(running_var[c])} + {num(momentum)}\\times{unbiased} = {new}"
            )
            answers.append([new])
    steps.add(
        "注意：归一化用有偏方差，running_var 却用无偏方差更新；推理时用 running 统计量。",
        "Note: normalisation uses the biased variance, but running_var is updated with the unbiased one; "
        "inference uses the running statistics.",
    )
    if ask == "output" and channels > 1:
        rows = ["[" + ", ".join(row) + "]" for row in zip(*answers, strict=True)]
        shown = "[" + ", ".join(rows) + "]"
    else:
        flat = answers[0] if ask == "output" else [a[0] for a in answers]
        shown = "[" + ", ".join(flat) + "]"
    steps.answer(shown)
    return Solved(prompt, expected, kind, steps.text(), checks=tuple(steps.checks()))


@register(
    "batch_norm",
    title=bi(
        "训练模式 BatchNorm：输出与 running 统计量",
        "Training-mode batch norm: the output and the running statistics",
    ),
    kinds=[AnswerKind.VECTOR, AnswerKind.MATRIX],
    space=[
        ParamSpec("batch", bi("每通道的值个数 n", "values per channel n"), min=2, max=4),
        ParamSpec("channels", bi("通道数", "channels"), min=1, max=2),
        ParamSpec(
            "ask",
            bi("问输出还是 running 统计量", "ask the output or a running statistic"),
            choices=("output", "running_mean", "running_var"),
        ),
        ParamSpec(
            "running",
            bi(
                "running 统计量初值：default 为 0 和 1",
                "initial running statistics: default is 0 and 1",
            ),
            choices=("default", "given"),
        ),
    ],
    solve=solve_bn,
    decimals=3,
)
def draw_bn(d: Draw) -> dict[str, Any]:
    n, channels = d.param("batch"), d.param("channels")
    x = [[d.integer(0, 8) for _ in range(channels)] for _ in range(n)]
    for c in range(channels):
        if len({row[c] for row in x}) == 1:
            raise Reject(N_("a constant channel"))
    if d.param("running") == "default":
        running_mean, running_var = [0.0] * channels, [1.0] * channels
    else:
        running_mean = [d.choice((0.0, 1.0, 2.0)) for _ in range(channels)]
        running_var = [d.choice((1.0, 2.0, 4.0)) for _ in range(channels)]
    return {
        "x": x,
        "gamma": [d.choice((1.0, 2.0, 0.5)) for _ in range(channels)],
        "beta": [d.choice((0.0, 1.0, -1.0)) for _ in range(channels)],
        "running_mean": running_mean,
        "running_var": running_var,
        "momentum": 0.1,
        "eps": 1e-5,
        "ask": d.param("ask"),
    }
