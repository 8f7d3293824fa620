"""The inputs code cards are judged on: seeded draws from parameter spaces, and fixed edge cases.

An input generator has a parameter space of small sizes and options (`cvquiz.generators.core.ParamSpec`, the
same machinery as the compute generators, narrowed by a card's ``judge.params`` the same way). A case is drawn
in two steps: ``draw`` picks the structural parameters (sizes, stride, padding, mode...) from the space with a
seeded `Draw`, and ``build`` turns them into the arguments from a second seed, either as random values with two
decimals or, for a readable counterexample, as small integers (``simple``). The judge shrinks a failing case by
drawing smaller parameters with the same value seed (`shrink_candidates`).

The fixed edge cases of each generator (empty inputs where they are valid, one element, ties, logits of ±1e4,
touching and disjoint boxes, padding larger than the kernel, stride larger than the kernel...) are data, in
``edge_cases.json`` beside this module, so that ``tests/golden/make_golden_code.py`` can run PyTorch,
torchvision and SciPy on exactly the same arguments without importing cvquiz.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from cvquiz.generators.core import Axis, Draw, ParamSpec, Reject, narrow
from cvquiz.i18n import N_, _
from cvquiz.model import Text

__all__ = [
    "EDGE_CASES_FILE",
    "INPUTS",
    "EdgeCase",
    "InputGenerator",
    "UnknownInputsError",
    "Values",
    "lookup_inputs",
]

EDGE_CASES_FILE = Path(__file__).resolve().parent / "edge_cases.json"
MAX_DRAWS = 60
"""Draws tried (from seeds derived from the case's) before a parameter space counts as empty."""


class Values:
    """The values of one case's arrays, from a seed: random with two decimals, or small integers.

    Attributes:
        rng: the NumPy generator.
        simple: small integers (−2..2) instead of random values, for a readable counterexample.
    """

    def __init__(self, seed: int, simple: bool = False) -> None:
        self.rng = np.random.default_rng(seed)
        self.simple = simple

    def floats(self, *shape: int, scale: float = 1.0, step: float = 0.01) -> np.ndarray[Any, Any]:
        """A float64 array of ``shape``: normal values times ``scale`` rounded to ``step`` (or −2..2)."""
        if self.simple:
            return self.rng.integers(-2, 3, size=shape).astype(np.float64)
        raw = self.rng.standard_normal(shape) * scale
        return np.round(raw / step) * step

    def ints(self, low: int, high: int, *shape: int) -> np.ndarray[Any, Any]:
        """An int64 array of values in low..high (both included)."""
        return self.rng.integers(low, high + 1, size=shape).astype(np.int64)

    def coordinates(self, count: int, low: int = 0, high: int = 10) -> np.ndarray[Any, Any]:
        """``count`` (x1, y1, x2, y2) boxes with whole-number corners in low..high and positive sizes."""
        corners = self.rng.integers(low, high, size=(count, 2))
        sizes = self.rng.integers(1, max(2, (high - low) // 2 + 1), size=(count, 2))
        return np.concatenate([corners, corners + sizes], axis=1).astype(np.float64)


@dataclass(frozen=True)
class EdgeCase:
    """A fixed case of an input generator.

    Attributes:
        label: what makes it an edge case.
        args: the arguments, by name.
    """

    label: Text
    args: Mapping[str, Any]


@dataclass(frozen=True)
class InputGenerator:
    """A generator of a reference function's arguments.

    Attributes:
        name: the name cards use (``judge.inputs``).
        args: the arguments it makes, in order.
        space: its parameter space (what ``judge.params`` narrows).
        draw: picks the structural parameters from a narrowed space.
        build: makes the arguments from parameters and `Values`.
        count: how many cases it draws for a card.
    """

    name: str
    args: tuple[str, ...]
    space: Mapping[str, ParamSpec]
    draw: Callable[[Draw], dict[str, Any]]
    build: Callable[[Mapping[str, Any], Values], dict[str, Any]]
    count: int = 24

    def narrowed(self, params: Mapping[str, Any]) -> tuple[dict[str, Axis], list[str]]:
        """This generator's space narrowed by a card's ``judge.params``, and the problems found."""
        return narrow(self, params)

    def draw_params(self, space: Mapping[str, Axis], seed: int) -> dict[str, Any]:
        """Draw structural parameters from ``space``, retrying with derived seeds when a draw is refused.

        Raises:
            Reject: no valid draw in `MAX_DRAWS` tries (the narrowed space holds no valid case).
        """
        last: Reject | None = None
        for attempt in range(MAX_DRAWS):
            rng = np.random.default_rng([seed, attempt] if attempt else seed)
            try:
                return self.draw(Draw(rng, space))
            except Reject as error:
                last = error
        raise Reject(
            N_("input generator {name}: no valid case in these params ({problem})"),
            name=self.name,
            problem=last,
        )

    def shrink_candidates(
        self, params: Mapping[str, Any], space: Mapping[str, Axis]
    ) -> Iterator[dict[str, Any]]:
        """Parameters one step simpler than ``params``: each in turn set to a smaller allowed value.

        Smaller values come smallest first, so the first one that still fails is as small as it gets.
        """
        for name, value in params.items():
            axis = space.get(name)
            if axis is None or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            allowed = axis.choices if axis.choices is not None else range(axis.low, axis.high + 1)
            for smaller in sorted(v for v in allowed if _is_number(v) and v < value):
                yield {**params, name: smaller}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spec(name: str, en: str, zh: str, low: int, high: int) -> ParamSpec:
    return ParamSpec(name, Text(zh=zh, en=en), min=low, max=high)


def _choices(name: str, en: str, zh: str, *choices: Any) -> ParamSpec:
    return ParamSpec(name, Text(zh=zh, en=en), choices=choices)


def _size(draw: Draw, name: str) -> int:
    value = draw.param(name)
    assert isinstance(value, int)
    return value


def _fits(size: int, kernel: int, padding: int) -> None:
    if kernel > size + 2 * padding:
        raise Reject(
            N_("kernel {kernel} larger than the padded input {size} + 2×{padding}"),
            kernel=kernel,
            size=size,
            padding=padding,
        )


# --- convolution -------------------------------------------------------------------------------------------------


def _draw_image_kernel_mode(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("h", "w", "kh", "kw", "mode")}
    if p["mode"] == "valid" and (p["kh"] > p["h"] or p["kw"] > p["w"]):
        raise Reject(N_("a valid-mode kernel must fit in the image"))
    return p


def _build_image_kernel_mode(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "image": v.floats(p["h"], p["w"]),
        "kernel": v.floats(p["kh"], p["kw"]),
        "mode": p["mode"],
    }


def _draw_conv2d(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("n", "c", "f", "h", "w", "kh", "kw", "stride", "padding", "bias")}
    _fits(p["h"], p["kh"], p["padding"])
    _fits(p["w"], p["kw"], p["padding"])
    return p


def _build_conv2d(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["c"], p["h"], p["w"]),
        "w": v.floats(p["f"], p["c"], p["kh"], p["kw"]),
        "b": v.floats(p["f"]) if p["bias"] else None,
        "stride": p["stride"],
        "padding": p["padding"],
    }


def _draw_im2col(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("n", "c", "h", "w", "kh", "kw", "stride", "padding")}
    _fits(p["h"], p["kh"], p["padding"])
    _fits(p["w"], p["kw"], p["padding"])
    return p


def _build_im2col(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["c"], p["h"], p["w"]),
        "kh": p["kh"],
        "kw": p["kw"],
        "stride": p["stride"],
        "padding": p["padding"],
    }


def _draw_max_pool2d(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("n", "c", "h", "w", "kernel_size", "stride", "padding")}
    if p["padding"] > p["kernel_size"] // 2:
        raise Reject(N_("max pooling padding is at most half the window"))
    _fits(p["h"], p["kernel_size"], p["padding"])
    _fits(p["w"], p["kernel_size"], p["padding"])
    return p


def _build_max_pool2d(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["c"], p["h"], p["w"]),
        "kernel_size": p["kernel_size"],
        "stride": p["stride"],
        "padding": p["padding"],
    }


def _draw_depthwise(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("n", "c", "f", "h", "w", "k")}
    _fits(p["h"], p["k"], 0)
    _fits(p["w"], p["k"], 0)
    return p


def _build_depthwise(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["c"], p["h"], p["w"]),
        "w_depthwise": v.floats(p["c"], 1, p["k"], p["k"]),
        "w_pointwise": v.floats(p["f"], p["c"], 1, 1),
    }


# --- losses ------------------------------------------------------------------------------------------------------


def _draw_logits(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "c", "scale")}


def _build_logits(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "logits": v.floats(p["n"], p["c"], scale=p["scale"]),
        "targets": v.ints(0, p["c"] - 1, p["n"]),
    }


def _draw_hinge(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "c", "margin")}


def _build_hinge(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    # Multiples of 1/8 add and subtract exactly, so a margin of exactly 0 is 0 in any order of operations.
    return {
        "scores": v.floats(p["n"], p["c"], step=0.125),
        "targets": v.ints(0, p["c"] - 1, p["n"]),
        "margin": float(p["margin"]),
    }


def _draw_focal(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "c", "alpha", "gamma", "scale")}


def _build_focal(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "logits": v.floats(p["n"], p["c"], scale=p["scale"]),
        "targets": v.ints(0, 1, p["n"], p["c"]).astype(np.float64),
        "alpha": float(p["alpha"]),
        "gamma": float(p["gamma"]),
    }


# --- detection ---------------------------------------------------------------------------------------------------


def _draw_box_pair(d: Draw) -> dict[str, Any]:
    return {"extent": d.param("extent")}


def _build_box_pair(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    boxes = v.coordinates(2, 0, p["extent"])
    return {"box_a": boxes[0], "box_b": boxes[1]}


def _draw_box_sets(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "m", "extent")}


def _build_box_sets(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "boxes_a": v.coordinates(p["n"], 0, p["extent"]),
        "boxes_b": v.coordinates(p["m"], 0, p["extent"]),
    }


def _draw_nms(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "extent", "iou_threshold")}


def _build_nms(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    # Distinct scores: torchvision leaves the order of equal scores unspecified.
    scores = (v.rng.permutation(100)[: p["n"]] + 1) / 100.0
    return {
        "boxes": v.coordinates(p["n"], 0, p["extent"]),
        "scores": scores.astype(np.float64),
        "iou_threshold": float(p["iou_threshold"]),
    }


def _draw_pr(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("detections", "positives")}
    return p


def _build_pr(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    count, positives = p["detections"], p["positives"]
    hits = np.zeros(count)
    hits[v.rng.permutation(count)[: min(positives, int(v.rng.integers(0, count + 1)))]] = 1.0
    tp = np.cumsum(hits)
    return {"recall": tp / positives, "precision": tp / np.arange(1, count + 1)}


# --- the rest ----------------------------------------------------------------------------------------------------


def _draw_batchnorm(d: Draw) -> dict[str, Any]:
    p = {k: d.param(k) for k in ("n", "c", "h", "w", "eps")}
    if p["n"] * p["h"] * p["w"] < 2:
        raise Reject(N_("batch norm needs two values per channel"))
    return p


def _build_batchnorm(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["c"], p["h"], p["w"], scale=2.0),
        "gamma": v.floats(p["c"]),
        "beta": v.floats(p["c"]),
        "eps": float(p["eps"]),
    }


def _draw_mlp(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("n", "d", "h", "c")}


def _build_mlp(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    return {
        "x": v.floats(p["n"], p["d"]),
        "w1": v.floats(p["d"], p["h"]),
        "b1": v.floats(p["h"]),
        "w2": v.floats(p["h"], p["c"]),
        "b2": v.floats(p["c"]),
        "y": v.ints(0, p["c"] - 1, p["n"]),
    }


def _draw_matrix(d: Draw) -> dict[str, Any]:
    return {k: d.param(k) for k in ("rows", "cols", "dtype")}


def _build_matrix(p: Mapping[str, Any], v: Values) -> dict[str, Any]:
    if p["dtype"] == "int":
        return {"a": v.ints(-9, 9, p["rows"], p["cols"])}
    return {"a": v.floats(p["rows"], p["cols"])}


_N = _spec("n", "batch size N", "批大小 N", 1, 2)
_C = _spec("c", "channels C", "通道数 C", 1, 3)
_F = _spec("f", "filters F", "卷积核个数 F", 1, 3)
_H = _spec("h", "height H", "高 H", 1, 7)
_W = _spec("w", "width W", "宽 W", 1, 7)
_STRIDE = _spec("stride", "stride", "步幅", 1, 3)
_PADDING = _spec("padding", "padding", "填充", 0, 2)
_EXTENT = _spec("extent", "largest coordinate", "坐标上限", 2, 12)

_GENERATORS = (
    InputGenerator(
        "image_kernel_mode",
        ("image", "kernel", "mode"),
        {
            s.name: s
            for s in (
                _spec("h", "image height", "图像高", 1, 6),
                _spec("w", "image width", "图像宽", 1, 6),
                _spec("kh", "kernel height", "卷积核高", 1, 4),
                _spec("kw", "kernel width", "卷积核宽", 1, 4),
                _choices("mode", "mode", "模式", "full", "same", "valid"),
            )
        },
        _draw_image_kernel_mode,
        _build_image_kernel_mode,
    ),
    InputGenerator(
        "conv2d",
        ("x", "w", "b", "stride", "padding"),
        {
            s.name: s
            for s in (
                _N,
                _C,
                _F,
                _H,
                _W,
                _spec("kh", "kernel height", "卷积核高", 1, 4),
                _spec("kw", "kernel width", "卷积核宽", 1, 4),
                _STRIDE,
                _PADDING,
                _choices("bias", "with a bias", "是否有偏置", True, False),
            )
        },
        _draw_conv2d,
        _build_conv2d,
    ),
    InputGenerator(
        "im2col",
        ("x", "kh", "kw", "stride", "padding"),
        {
            s.name: s
            for s in (
                _N,
                _C,
                _spec("h", "height H", "高 H", 1, 6),
                _spec("w", "width W", "宽 W", 1, 6),
                _spec("kh", "kernel height", "卷积核高", 1, 3),
                _spec("kw", "kernel width", "卷积核宽", 1, 3),
                _STRIDE,
                _PADDING,
            )
        },
        _draw_im2col,
        _build_im2col,
    ),
    InputGenerator(
        "max_pool2d",
        ("x", "kernel_size", "stride", "padding"),
        {
            s.name: s
            for s in (
                _N,
                _spec("c", "channels C", "通道数 C", 1, 2),
                _H,
                _W,
                _spec("kernel_size", "window size", "窗口大小", 1, 4),
                _STRIDE,
                _PADDING,
            )
        },
        _draw_max_pool2d,
        _build_max_pool2d,
    ),
    InputGenerator(
        "depthwise_separable",
        ("x", "w_depthwise", "w_pointwise"),
        {
            s.name: s
            for s in (
                _N,
                _C,
                _F,
                _spec("h", "height H", "高 H", 1, 6),
                _spec("w", "width W", "宽 W", 1, 6),
                _spec("k", "depthwise kernel size", "逐通道卷积核大小", 1, 3),
            )
        },
        _draw_depthwise,
        _build_depthwise,
    ),
    InputGenerator(
        "logits_targets",
        ("logits", "targets"),
        {
            s.name: s
            for s in (
                _spec("n", "batch size N", "批大小 N", 1, 4),
                _spec("c", "classes C", "类别数 C", 2, 5),
                _choices("scale", "size of the logits", "logits 的量级", 1, 10, 100),
            )
        },
        _draw_logits,
        _build_logits,
    ),
    InputGenerator(
        "scores_targets_margin",
        ("scores", "targets", "margin"),
        {
            s.name: s
            for s in (
                _spec("n", "batch size N", "批大小 N", 1, 4),
                _spec("c", "classes C", "类别数 C", 2, 5),
                _choices("margin", "margin Δ", "间隔 Δ", 0.0, 0.5, 1.0, 2.0),
            )
        },
        _draw_hinge,
        _build_hinge,
    ),
    InputGenerator(
        "box_pair",
        ("box_a", "box_b"),
        {_EXTENT.name: _EXTENT},
        _draw_box_pair,
        _build_box_pair,
    ),
    InputGenerator(
        "box_sets",
        ("boxes_a", "boxes_b"),
        {
            s.name: s
            for s in (
                _spec("n", "boxes in the first set", "第一组框数", 0, 4),
                _spec("m", "boxes in the second set", "第二组框数", 0, 4),
                _EXTENT,
            )
        },
        _draw_box_sets,
        _build_box_sets,
    ),
    InputGenerator(
        "boxes_scores_threshold",
        ("boxes", "scores", "iou_threshold"),
        {
            s.name: s
            for s in (
                _spec("n", "boxes", "框数", 0, 8),
                _EXTENT,
                _choices("iou_threshold", "IoU threshold", "IoU 阈值", 0.3, 0.5, 0.7),
            )
        },
        _draw_nms,
        _build_nms,
    ),
    InputGenerator(
        "pr_curve",
        ("recall", "precision"),
        {
            s.name: s
            for s in (
                _spec("detections", "ranked detections", "排序后的检测数", 1, 10),
                _spec("positives", "ground-truth objects", "真实目标数", 1, 6),
            )
        },
        _draw_pr,
        _build_pr,
    ),
    InputGenerator(
        "batchnorm",
        ("x", "gamma", "beta", "eps"),
        {
            s.name: s
            for s in (
                _spec("n", "batch size N", "批大小 N", 1, 4),
                _C,
                _spec("h", "height H", "高 H", 1, 3),
                _spec("w", "width W", "宽 W", 1, 3),
                _choices("eps", "eps", "eps", 1e-5, 1e-3, 0.1),
            )
        },
        _draw_batchnorm,
        _build_batchnorm,
    ),
    InputGenerator(
        "mlp",
        ("x", "w1", "b1", "w2", "b2", "y"),
        {
            s.name: s
            for s in (
                _spec("n", "batch size N", "批大小 N", 1, 4),
                _spec("d", "input features D", "输入特征数 D", 1, 4),
                _spec("h", "hidden units H", "隐藏单元数 H", 1, 5),
                _spec("c", "classes C", "类别数 C", 2, 4),
            )
        },
        _draw_mlp,
        _build_mlp,
    ),
    InputGenerator(
        "matrix",
        ("a",),
        {
            s.name: s
            for s in (
                _spec("rows", "rows", "行数", 1, 6),
                _spec("cols", "columns", "列数", 1, 5),
                _choices("dtype", "element type", "元素类型", "float", "int"),
            )
        },
        _draw_matrix,
        _build_matrix,
    ),
    InputGenerator(
        "focal",
        ("logits", "targets", "alpha", "gamma"),
        {
            s.name: s
            for s in (
                _spec("n", "rows N", "行数 N", 1, 4),
                _spec("c", "columns C", "列数 C", 1, 3),
                _choices("alpha", "alpha", "alpha", 0.25, 0.5, 0.75),
                _choices("gamma", "gamma", "gamma", 0.0, 1.0, 2.0, 3.0),
                _choices("scale", "size of the logits", "logits 的量级", 1, 10),
            )
        },
        _draw_focal,
        _build_focal,
    ),
)


def _coerce(kind: str, value: Any, shape: list[int] | None) -> Any:
    if kind == "text":
        return str(value)
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if value is None and kind.endswith("?"):
        return None
    dtype = {"float": np.float64, "float?": np.float64, "int": np.int64}.get(kind)
    array = np.asarray(value, dtype=dtype)
    if array.dtype.kind == "i":
        array = array.astype(np.int64)
    return array.reshape(shape) if shape is not None else array


@cache
def _edge_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EDGE_CASES_FILE.read_text(encoding="utf-8"))["inputs"]
    return data


def edge_cases(name: str) -> tuple[EdgeCase, ...]:
    """The fixed edge cases of the input generator ``name`` (none for an unknown name)."""
    entry = _edge_data().get(name)
    if entry is None:
        return ()
    kinds: dict[str, str] = entry["args"]
    return tuple(
        EdgeCase(
            Text.from_data(case["label"]),
            {
                arg: _coerce(kinds[arg], case["args"][arg], case.get("shapes", {}).get(arg))
                for arg in kinds
            },
        )
        for case in entry["cases"]
    )


INPUTS: Mapping[str, InputGenerator] = {g.name: g for g in _GENERATORS}
"""Every input generator, by the name cards use."""


class UnknownInputsError(LookupError):
    """A judge names no known input generator; the message suggests the closest."""


def lookup_inputs(name: object) -> InputGenerator:
    """Return the input generator called ``name``.

    Raises:
        UnknownInputsError: no such generator (the message suggests the closest name).
    """
    if isinstance(name, str) and name in INPUTS:
        return INPUTS[name]
    close = difflib.get_close_matches(str(name), list(INPUTS), n=1, cutoff=0.6)
    if close:
        raise UnknownInputsError(
            _("unknown judge inputs {name!r} (did you mean {close!r}?)").format(
                name=name, close=close[0]
            )
        )
    raise UnknownInputsError(
        _("unknown judge inputs {name!r} (known: {known})").format(
            name=name, known=", ".join(INPUTS)
        )
    )
