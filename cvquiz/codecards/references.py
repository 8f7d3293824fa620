"""The reference functions code cards are judged against: engine functions and small adapters over them.

A code card's ``judge.reference`` names one of these. Each says which arguments it takes (the submission's
signature must be the same), what it returns (an array, a number, a list of indices or a tuple of named
arrays), which input generator (`cvquiz.codecards.inputs`) feeds it by default, and the tolerance it is judged
with when the card gives none. The values themselves always come from `cvquiz.engine`, which the golden tests
hold to PyTorch, torchvision and SciPy.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from cvquiz import engine
from cvquiz.i18n import N_, _

__all__ = ["REFERENCES", "Output", "OutputKind", "Reference", "lookup_reference"]


class OutputKind(StrEnum):
    """What a reference function returns."""

    ARRAY = "array"
    """An ndarray of a fixed shape."""
    NUMBER = "number"
    """One real number (a Python or NumPy scalar, or a 0-d array)."""
    INDICES = "indices"
    """Integer indices in order (a list or a 1-D integer array), compared exactly."""
    ARRAYS = "arrays"
    """A tuple of ndarrays, each with a name (``dw1, db1, ...``)."""


@dataclass(frozen=True)
class Output:
    """The shape of a reference's result.

    An array result is compared with the dtype kind of the reference's own result: floats, except where the
    reference keeps its argument's (``reverse_rows`` of integers returns integers).

    Attributes:
        kind: array, number, indices or arrays.
        names: the names of a tuple's arrays (`OutputKind.ARRAYS` only).
    """

    kind: OutputKind
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A function a submission is compared with.

    Attributes:
        name: the name cards use (``judge.reference``).
        args: its arguments, in order; the submission takes the same.
        output: what it returns.
        inputs: the input generator used when the card names none.
        engine: the engine function it is, or wraps (for the docs).
        compute: the function itself, called with the arguments by name.
        fresh: the result must be a new array, sharing no memory with the arguments.
        rel_tol: relative tolerance when the card gives none.
        abs_tol: absolute tolerance when the card gives none.
    """

    name: str
    args: tuple[str, ...]
    output: Output
    inputs: str
    engine: str
    compute: Callable[..., Any]
    fresh: bool = False
    rel_tol: float = 1e-5
    abs_tol: float = 1e-8


ARRAY = Output(OutputKind.ARRAY)
NUMBER = Output(OutputKind.NUMBER)


def _im2col(x: Any, kh: int, kw: int, stride: int, padding: int) -> Any:
    cols = engine.unfold(x, (kh, kw), stride, padding)  # (N, C·KH·KW, L)
    return np.transpose(cols, (1, 0, 2)).reshape(cols.shape[1], -1)


def _nms(boxes: Any, scores: Any, iou_threshold: float) -> list[int]:
    return engine.nms(boxes, scores, iou_threshold)


def _reverse_rows(a: Any) -> Any:
    array = np.asarray(a)
    if array.ndim != 2:
        raise engine.EngineError(N_("a must be a 2-D array, got shape {shape}"), shape=array.shape)
    return array[::-1].copy()


def _batchnorm_forward(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
    channels = np.shape(x)[1]
    zeros, ones = np.zeros(channels), np.ones(channels)
    return engine.batch_norm_train(x, gamma, beta, zeros, ones, eps=eps).y


def _mlp_backward(x: Any, w1: Any, b1: Any, w2: Any, b2: Any, y: Any) -> tuple[Any, ...]:
    return tuple(engine.mlp_backward(x, w1, b1, w2, b2, y))


_ALL = (
    Reference(
        "convolve2d",
        ("image", "kernel", "mode"),
        ARRAY,
        "image_kernel_mode",
        "cvquiz.engine.convolve2d",
        engine.convolve2d,
    ),
    Reference(
        "conv2d",
        ("x", "w", "b", "stride", "padding"),
        ARRAY,
        "conv2d",
        "cvquiz.engine.conv2d",
        lambda x, w, b, stride, padding: engine.conv2d(x, w, b, stride, padding),
    ),
    Reference(
        "im2col",
        ("x", "kh", "kw", "stride", "padding"),
        ARRAY,
        "im2col",
        "cvquiz.engine.unfold",
        _im2col,
    ),
    Reference(
        "max_pool2d",
        ("x", "kernel_size", "stride", "padding"),
        ARRAY,
        "max_pool2d",
        "cvquiz.engine.max_pool2d",
        lambda x, kernel_size, stride, padding: engine.max_pool2d(x, kernel_size, stride, padding),
    ),
    Reference(
        "depthwise_separable_conv",
        ("x", "w_depthwise", "w_pointwise"),
        ARRAY,
        "depthwise_separable",
        "cvquiz.engine.depthwise_separable_conv2d",
        engine.depthwise_separable_conv2d,
    ),
    Reference(
        "softmax_cross_entropy",
        ("logits", "targets"),
        NUMBER,
        "logits_targets",
        "cvquiz.engine.cross_entropy",
        lambda logits, targets: engine.cross_entropy(logits, targets),
    ),
    Reference(
        "softmax_cross_entropy_grad",
        ("logits", "targets"),
        ARRAY,
        "logits_targets",
        "cvquiz.engine.cross_entropy_grad",
        lambda logits, targets: engine.cross_entropy_grad(logits, targets),
    ),
    Reference(
        "svm_hinge_loss",
        ("scores", "targets", "margin"),
        NUMBER,
        "scores_targets_margin",
        "cvquiz.engine.multiclass_hinge_loss",
        engine.multiclass_hinge_loss,
    ),
    Reference(
        "svm_hinge_grad",
        ("scores", "targets", "margin"),
        ARRAY,
        "scores_targets_margin",
        "cvquiz.engine.multiclass_hinge_grad",
        engine.multiclass_hinge_grad,
    ),
    Reference(
        "iou", ("box_a", "box_b"), NUMBER, "box_pair", "cvquiz.engine.box_iou", engine.box_iou
    ),
    Reference(
        "box_iou",
        ("boxes_a", "boxes_b"),
        ARRAY,
        "box_sets",
        "cvquiz.engine.box_iou_matrix",
        engine.box_iou_matrix,
    ),
    Reference(
        "nms",
        ("boxes", "scores", "iou_threshold"),
        Output(OutputKind.INDICES),
        "boxes_scores_threshold",
        "cvquiz.engine.nms",
        _nms,
    ),
    Reference(
        "voc_ap",
        ("recall", "precision"),
        NUMBER,
        "pr_curve",
        "cvquiz.engine.average_precision_from_pr",
        lambda recall, precision: engine.average_precision_from_pr(recall, precision, "all-point"),
    ),
    Reference(
        "batchnorm_forward",
        ("x", "gamma", "beta", "eps"),
        ARRAY,
        "batchnorm",
        "cvquiz.engine.batch_norm_train",
        _batchnorm_forward,
    ),
    Reference(
        "mlp_backward",
        ("x", "w1", "b1", "w2", "b2", "y"),
        Output(OutputKind.ARRAYS, names=("dw1", "db1", "dw2", "db2")),
        "mlp",
        "cvquiz.engine.mlp_backward",
        _mlp_backward,
    ),
    Reference(
        "reverse_rows",
        ("a",),
        ARRAY,
        "matrix",
        "a[::-1].copy()",
        _reverse_rows,
        fresh=True,
        rel_tol=0.0,
        abs_tol=0.0,
    ),
    Reference(
        "sigmoid_focal_loss",
        ("logits", "targets", "alpha", "gamma"),
        NUMBER,
        "focal",
        "cvquiz.engine.sigmoid_focal_loss",
        lambda logits, targets, alpha, gamma: engine.sigmoid_focal_loss(
            logits, targets, alpha, gamma
        ),
    ),
)

REFERENCES: Mapping[str, Reference] = {r.name: r for r in _ALL}
"""Every reference function, by the name cards use."""


class UnknownReferenceError(LookupError):
    """A judge names no known reference function; the message suggests the closest."""


def lookup_reference(name: object) -> Reference:
    """Return the reference function called ``name``.

    Raises:
        UnknownReferenceError: no such reference (the message suggests the closest name).
    """
    if isinstance(name, str) and name in REFERENCES:
        return REFERENCES[name]
    close = difflib.get_close_matches(str(name), list(REFERENCES), n=1, cutoff=0.6)
    if close:
        raise UnknownReferenceError(
            _("unknown judge reference {name!r} (did you mean {close!r}?)").format(
                name=name, close=close[0]
            )
        )
    raise UnknownReferenceError(
        _("unknown judge reference {name!r} (known: {known})").format(
            name=name, known=", ".join(REFERENCES)
        )
    )
