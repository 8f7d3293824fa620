"""Loss functions and their gradients, as PyTorch and torchvision define them, in float64 NumPy.

Cross-entropy (class indices or probabilities, class weights, ignore_index, label smoothing) and its gradient
with respect to the logits; binary cross-entropy with logits and the sigmoid focal loss; the multiclass SVM
(Weston–Watkins, CS231n) hinge loss and its gradient; L1, MSE, smooth L1, KL divergence and a soft Dice loss;
softmax, log-softmax and sigmoid. Everything is computed through log-sum-exp and log-sigmoid so that logits of
±1000 give finite, exact results. Golden tests against PyTorch are in `tests/test_engine_losses.py`.

Reductions follow PyTorch: "mean" and "sum" return a float, "none" an array with one loss per element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvquiz.engine._checks import (
    FloatArray,
    Reduction,
    as_int,
    check_reduction,
    finite_float,
    float_array,
    reduce,
    same_shape,
)
from cvquiz.engine.errors import N_, EngineError


def _finite(value: ArrayLike, name: str) -> FloatArray:
    array = float_array(value, name)
    if not np.all(np.isfinite(array)):
        raise EngineError(N_("{name} must be finite (no NaN or infinity)"), name=name)
    return array


def _log_softmax(x: FloatArray, axis: int) -> FloatArray:
    shifted = x - x.max(axis=axis, keepdims=True)
    result: FloatArray = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return result


def _log_sigmoid(x: FloatArray) -> FloatArray:
    result: FloatArray = np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))
    return result


def _sigmoid(x: FloatArray) -> FloatArray:
    # exp of a non-positive number never overflows.
    e = np.exp(-np.abs(x))
    result: FloatArray = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return result


def _axis(x: FloatArray, axis: object) -> int:
    index = as_int(axis, "axis")
    if not -x.ndim <= index < x.ndim:
        raise EngineError(
            N_("axis {index} is out of range for an array with {ndim} dimension(s)"),
            index=index,
            ndim=x.ndim,
        )
    return index


def softmax(logits: ArrayLike, axis: int = -1) -> FloatArray:
    """Softmax along an axis, computed stably (exp(x − max) / Σ exp(x − max)).

    Args:
        logits: real scores; finite.
        axis: the class axis (default: the last).

    Returns:
        Probabilities of the same shape, summing to 1 along `axis`.

    Raises:
        EngineError: non-finite or non-numeric logits, an empty or out-of-range axis.
    """
    x = _finite(logits, "logits")
    if x.ndim == 0 or x.size == 0:
        raise EngineError(N_("logits must be a non-empty array with at least one dimension"))
    result: FloatArray = np.exp(_log_softmax(x, _axis(x, axis)))
    return result


def log_softmax(logits: ArrayLike, axis: int = -1) -> FloatArray:
    """Log-softmax along an axis, x − max − log Σ exp(x − max), finite even for logits of ±1000.

    Args:
        logits: real scores; finite.
        axis: the class axis (default: the last).

    Returns:
        Log-probabilities of the same shape.

    Raises:
        EngineError: non-finite or non-numeric logits, an empty or out-of-range axis.
    """
    x = _finite(logits, "logits")
    if x.ndim == 0 or x.size == 0:
        raise EngineError(N_("logits must be a non-empty array with at least one dimension"))
    return _log_softmax(x, _axis(x, axis))


def sigmoid(x: ArrayLike) -> FloatArray:
    """Logistic sigmoid 1 / (1 + e^−x), without overflow for large |x|.

    Args:
        x: real numbers.

    Returns:
        Values in [0, 1] of the same shape.

    Raises:
        EngineError: non-numeric or NaN input.
    """
    array = float_array(x, "x")
    if np.any(np.isnan(array)):
        raise EngineError(N_("x must not contain NaN"))
    return _sigmoid(array)


# --- cross-entropy -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CrossEntropyInputs:
    """Logits flattened to (M, C) rows, with what is needed to restore the caller's shapes."""

    log_probs: FloatArray  # (M, C)
    indices: NDArray[np.int64] | None  # (M,) class indices, or None for probability targets
    probabilities: FloatArray | None  # (M, C), label smoothing already applied
    valid: NDArray[np.bool_]  # (M,) rows not equal to ignore_index
    weight: FloatArray  # (C,)
    weighted: bool
    smoothing: float
    logits_shape: tuple[int, ...]


def _rows(x: FloatArray) -> FloatArray:
    """(C,) -> (1, C); (N, C, d1, ...) -> (N·d1·..., C)."""
    if x.ndim == 1:
        return x[None, :]
    moved = np.moveaxis(x, 1, -1)
    return moved.reshape(-1, x.shape[1])


def _unrows(rows: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    if len(shape) == 1:
        first: FloatArray = rows[0]
        return first
    moved_shape = (shape[0], *shape[2:], shape[1])
    result: FloatArray = np.moveaxis(rows.reshape(moved_shape), -1, 1)
    return result


def _cross_entropy_inputs(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    label_smoothing: float,
) -> _CrossEntropyInputs:
    x = _finite(logits, "logits")
    if x.ndim == 0:
        raise EngineError(N_("logits must have a class dimension: (C,), (N, C) or (N, C, d1, ...)"))
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if classes == 0:
        raise EngineError(N_("logits must have at least one class"))
    ignore = as_int(ignore_index, "ignore_index")
    smoothing = finite_float(label_smoothing, "label_smoothing")
    if not 0.0 <= smoothing <= 1.0:
        raise EngineError(
            N_("label_smoothing must be between 0.0 and 1.0, got {smoothing}"), smoothing=smoothing
        )
    if weight is None:
        w = np.ones(classes, dtype=np.float64)
    else:
        w = _finite(weight, "weight")
        if w.shape != (classes,):
            raise EngineError(
                N_("weight must have one entry per class ({classes}), got shape {shape}"),
                classes=classes,
                shape=tuple(w.shape),
            )
    t = np.asarray(targets)
    log_probs = _log_softmax(_rows(x), axis=1)
    index_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    if t.dtype.kind == "f" and t.shape == x.shape:
        if ignore >= 0:
            raise EngineError(N_("ignore_index is not supported with probability targets"))
        probabilities = _rows(_finite(t, "targets"))
        if smoothing > 0.0:
            probabilities = probabilities * (1.0 - smoothing) + smoothing / classes
        return _CrossEntropyInputs(
            log_probs=log_probs,
            indices=None,
            probabilities=probabilities,
            valid=np.ones(log_probs.shape[0], dtype=bool),
            weight=w,
            weighted=weight is not None,
            smoothing=smoothing,
            logits_shape=x.shape,
        )
    if t.dtype.kind not in "iu" or t.shape != index_shape:
        raise EngineError(
            N_(
                "targets must be integer class indices of shape {index_shape} or float probabilities of "
                "shape {x_shape}, got a {dtype} array of shape {t_shape}"
            ),
            index_shape=index_shape,
            x_shape=tuple(x.shape),
            dtype=t.dtype,
            t_shape=tuple(t.shape),
        )
    indices = t.reshape(-1).astype(np.int64)
    valid = indices != ignore
    bad = valid & ((indices < 0) | (indices >= classes))
    if np.any(bad):
        raise EngineError(
            N_(
                "target {target} is out of bounds for {classes} classes (valid: 0..{last}, or "
                "ignore_index {ignore})"
            ),
            target=int(indices[bad][0]),
            classes=classes,
            last=classes - 1,
            ignore=ignore,
        )
    return _CrossEntropyInputs(
        log_probs=log_probs,
        indices=np.where(valid, indices, 0),
        probabilities=None,
        valid=valid,
        weight=w,
        weighted=weight is not None,
        smoothing=smoothing,
        logits_shape=x.shape,
    )


def _denominator(inputs: _CrossEntropyInputs) -> float:
    """What PyTorch divides the summed loss by for reduction="mean"."""
    if inputs.indices is None:
        return float(inputs.log_probs.shape[0])
    if inputs.weighted:
        return float((inputs.weight[inputs.indices] * inputs.valid).sum())
    return float(inputs.valid.sum())


def _per_row_loss(inputs: _CrossEntropyInputs) -> FloatArray:
    log_probs, w = inputs.log_probs, inputs.weight
    if inputs.probabilities is not None:
        result: FloatArray = -(log_probs * inputs.probabilities * w).sum(axis=1)
        return result
    assert inputs.indices is not None
    rows = np.arange(log_probs.shape[0])
    target_weight = w[inputs.indices] * inputs.valid
    nll = -log_probs[rows, inputs.indices] * target_weight
    smooth = -(log_probs * w).sum(axis=1) * inputs.valid
    classes = log_probs.shape[1]
    eps = inputs.smoothing
    combined: FloatArray = (1.0 - eps) * nll + (eps / classes) * smooth
    return combined


@overload
def cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
    reduction: Literal["mean", "sum"] = ...,
) -> float: ...
@overload
def cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
    *,
    reduction: Literal["none"],
) -> FloatArray: ...
@overload
def cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
    reduction: Reduction = ...,
) -> float | FloatArray: ...
def cross_entropy(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> float | FloatArray:
    """Cross-entropy of logits against class indices or class probabilities, as `F.cross_entropy`.

    With class indices y and label smoothing ε over C classes, each element's loss is
    (1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c); "mean" divides the sum by Σ w_y over the elements not
    equal to `ignore_index` (by their count without weights), giving NaN when nothing is left, as PyTorch.
    With probability targets t, the loss is −Σ_c w_c·t'_c·log p_c with t' = (1 − ε)t + ε/C, and "mean"
    divides by the number of elements.

    Args:
        logits: (C,), (N, C) or (N, C, d1, ...) raw scores; finite.
        targets: integer class indices of shape (), (N,) or (N, d1, ...), or float probabilities of the same
            shape as `logits`.
        weight: optional (C,) rescaling weight per class.
        ignore_index: class index whose elements contribute nothing (index targets only).
        label_smoothing: ε in [0, 1].
        reduction: "mean", "sum" or "none".

    Returns:
        The loss: a float, or for "none" an array of the targets' (index) shape.

    Raises:
        EngineError: non-finite logits, targets of the wrong shape or type, a target index out of range,
            a weight of the wrong length, ε outside [0, 1] (PyTorch accepts ε < 0 silently), an
            ignore_index ≥ 0 with probability targets, or an unknown reduction.
    """
    red = check_reduction(reduction)
    inputs = _cross_entropy_inputs(logits, targets, weight, ignore_index, label_smoothing)
    per_row = _per_row_loss(inputs)
    if red == "none":
        shape = inputs.logits_shape
        return per_row.reshape(() if len(shape) == 1 else (shape[0], *shape[2:]))
    if red == "sum":
        return float(per_row.sum())
    denominator = _denominator(inputs)
    return float(per_row.sum()) / denominator if denominator != 0.0 else math.nan


def cross_entropy_grad(
    logits: ArrayLike,
    targets: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    reduction: Literal["mean", "sum"] = "mean",
) -> FloatArray:
    """Gradient of `cross_entropy` (mean or sum) with respect to the logits, as autograd gives it.

    Without weights, ignored targets or smoothing this is (softmax(x) − onehot(y)) / B for the mean over B
    elements. In general, for a kept element with index target y it is
    (1 − ε)·w_y·(p − e_y) + (ε/C)·(Σ_c w_c · p − w), divided by the mean's denominator; ignored elements get
    zeros, and when the denominator is 0 the kept elements get NaN, as in PyTorch.

    Args:
        logits: (C,), (N, C) or (N, C, d1, ...) raw scores; finite.
        targets: class indices or probabilities, as for `cross_entropy`.
        weight: optional (C,) rescaling weight per class.
        ignore_index: class index whose elements contribute nothing.
        label_smoothing: ε in [0, 1].
        reduction: "mean" (the default) or "sum".

    Returns:
        An array of the logits' shape.

    Raises:
        EngineError: as `cross_entropy`, or a reduction other than "mean" and "sum".
    """
    if reduction not in ("mean", "sum"):
        raise EngineError(
            N_("reduction must be 'mean' or 'sum' for a gradient, got {reduction!r}"),
            reduction=reduction,
        )
    inputs = _cross_entropy_inputs(logits, targets, weight, ignore_index, label_smoothing)
    probs = np.exp(inputs.log_probs)
    w = inputs.weight
    if inputs.probabilities is not None:
        weighted_targets = inputs.probabilities * w
        grad = probs * weighted_targets.sum(axis=1, keepdims=True) - weighted_targets
    else:
        assert inputs.indices is not None
        rows = np.arange(probs.shape[0])
        classes = probs.shape[1]
        eps = inputs.smoothing
        onehot = np.zeros_like(probs)
        onehot[rows, inputs.indices] = 1.0
        target_weight = w[inputs.indices][:, None]
        grad = (1.0 - eps) * target_weight * (probs - onehot) + (eps / classes) * (
            w.sum() * probs - w
        )
        grad = grad * inputs.valid[:, None]
    if reduction == "mean":
        denominator = _denominator(inputs)
        if denominator == 0.0:
            grad = np.where(inputs.valid[:, None], math.nan, np.zeros_like(grad))
        else:
            grad = grad / denominator
    return _unrows(grad, inputs.logits_shape)


# --- binary losses -------------------------------------------------------------------------------------------


def _bce_elements(
    x: FloatArray, t: FloatArray, pos_weight: ArrayLike | None, weight: ArrayLike | None
) -> FloatArray:
    log_sig = _log_sigmoid(x)
    if pos_weight is not None:
        pw = _finite(pos_weight, "pos_weight")
        try:
            log_weight = np.broadcast_to((pw - 1.0) * t + 1.0, x.shape)
        except ValueError:
            raise EngineError(
                N_(
                    "pos_weight of shape {pw_shape} does not broadcast to the logits' shape {x_shape}"
                ),
                pw_shape=tuple(pw.shape),
                x_shape=tuple(x.shape),
            ) from None
        log_sig = log_sig * log_weight
    loss = (1.0 - t) * x - log_sig
    if weight is not None:
        wt = _finite(weight, "weight")
        try:
            loss = np.broadcast_to(loss * wt, x.shape)
        except ValueError:
            raise EngineError(
                N_("weight of shape {wt_shape} does not broadcast to the logits' shape {x_shape}"),
                wt_shape=tuple(wt.shape),
                x_shape=tuple(x.shape),
            ) from None
    result: FloatArray = np.array(loss, dtype=np.float64)
    return result


@overload
def bce_with_logits(
    logits: ArrayLike,
    targets: ArrayLike,
    pos_weight: ArrayLike | None = ...,
    reduction: Literal["mean", "sum"] = ...,
    *,
    weight: ArrayLike | None = ...,
) -> float: ...
@overload
def bce_with_logits(
    logits: ArrayLike,
    targets: ArrayLike,
    pos_weight: ArrayLike | None = ...,
    *,
    reduction: Literal["none"],
    weight: ArrayLike | None = ...,
) -> FloatArray: ...
@overload
def bce_with_logits(
    logits: ArrayLike,
    targets: ArrayLike,
    pos_weight: ArrayLike | None = ...,
    reduction: Reduction = ...,
    *,
    weight: ArrayLike | None = ...,
) -> float | FloatArray: ...
def bce_with_logits(
    logits: ArrayLike,
    targets: ArrayLike,
    pos_weight: ArrayLike | None = None,
    reduction: Reduction = "mean",
    *,
    weight: ArrayLike | None = None,
) -> float | FloatArray:
    """Binary cross-entropy on logits, as `F.binary_cross_entropy_with_logits`.

    Each element's loss is −w·[pw·t·log σ(x) + (1 − t)·log(1 − σ(x))], computed as
    (1 − t)·x − (1 + (pw − 1)·t)·log σ(x) with a stable log σ.

    Args:
        logits: raw scores of any shape; finite.
        targets: values in [0, 1] of the same shape.
        pos_weight: optional weight of positive examples, broadcast against the logits (usually one per
            class, along the last axis).
        reduction: "mean", "sum" or "none".
        weight: optional rescaling weight, broadcast against the logits.

    Returns:
        The loss: a float, or for "none" an array of the logits' shape.

    Raises:
        EngineError: non-finite inputs, shapes that differ or do not broadcast, or an unknown reduction.
    """
    red = check_reduction(reduction)
    x = _finite(logits, "logits")
    t = _finite(targets, "targets")
    same_shape(x, t, "logits", "targets")
    return reduce(_bce_elements(x, t, pos_weight, weight), red)


@overload
def sigmoid_focal_loss(
    logits: ArrayLike,
    targets: ArrayLike,
    alpha: float = ...,
    gamma: float = ...,
    reduction: Literal["mean", "sum"] = ...,
) -> float: ...
@overload
def sigmoid_focal_loss(
    logits: ArrayLike,
    targets: ArrayLike,
    alpha: float = ...,
    gamma: float = ...,
    *,
    reduction: Literal["none"],
) -> FloatArray: ...
@overload
def sigmoid_focal_loss(
    logits: ArrayLike,
    targets: ArrayLike,
    alpha: float = ...,
    gamma: float = ...,
    reduction: Reduction = ...,
) -> float | FloatArray: ...
def sigmoid_focal_loss(
    logits: ArrayLike,
    targets: ArrayLike,
    alpha: float = 0.25,
    gamma: float = 2.0,
    reduction: Reduction = "mean",
) -> float | FloatArray:
    """Focal loss of RetinaNet, as `torchvision.ops.sigmoid_focal_loss` defines it.

    loss = α_t · (1 − p_t)^γ · BCE(x, t), with p = σ(x), p_t = p·t + (1 − p)(1 − t) and
    α_t = α·t + (1 − α)(1 − t); α = −1 switches the α weighting off. Unlike torchvision, whose default
    reduction is "none", the default here is "mean".

    Args:
        logits: raw scores of any shape; finite.
        targets: values in [0, 1] (usually 0 or 1) of the same shape.
        alpha: weight of the positive class in [0, 1], or −1 for none.
        gamma: focusing exponent ≥ 0.
        reduction: "mean", "sum" or "none".

    Returns:
        The loss: a float, or for "none" an array of the logits' shape.

    Raises:
        EngineError: non-finite inputs, differing shapes, α outside [0, 1] other than −1 (as torchvision),
            γ < 0, or an unknown reduction.
    """
    red = check_reduction(reduction)
    a = finite_float(alpha, "alpha")
    if not 0.0 <= a <= 1.0 and a != -1.0:
        raise EngineError(N_("alpha must be in [0, 1], or -1 to switch it off, got {a}"), a=a)
    g = finite_float(gamma, "gamma")
    if g < 0:
        raise EngineError(N_("gamma must be non-negative, got {g}"), g=g)
    x = _finite(logits, "logits")
    t = _finite(targets, "targets")
    same_shape(x, t, "logits", "targets")
    p = _sigmoid(x)
    ce = _bce_elements(x, t, None, None)
    p_t = p * t + (1.0 - p) * (1.0 - t)
    loss = ce * (1.0 - p_t) ** g
    if a >= 0:
        loss = (a * t + (1.0 - a) * (1.0 - t)) * loss
    return reduce(loss, red)


# --- multiclass SVM ------------------------------------------------------------------------------------------


def _hinge_margins(
    scores: ArrayLike, targets: ArrayLike, margin: float
) -> tuple[FloatArray, NDArray[np.int64]]:
    s = _finite(scores, "scores")
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] < 2:
        raise EngineError(
            N_("scores must be an (N, C) array with N ≥ 1 and C ≥ 2 classes, got shape {shape}"),
            shape=tuple(s.shape),
        )
    delta = finite_float(margin, "margin")
    t = np.asarray(targets)
    if t.dtype.kind not in "iu" or t.shape != (s.shape[0],):
        raise EngineError(
            N_("targets must be {count} integer class indices, got {dtype} array of shape {shape}"),
            count=s.shape[0],
            dtype=t.dtype,
            shape=t.shape,
        )
    indices = t.astype(np.int64)
    bad = (indices < 0) | (indices >= s.shape[1])
    if np.any(bad):
        raise EngineError(
            N_("target {target} is out of bounds for {classes} classes"),
            target=int(indices[bad][0]),
            classes=s.shape[1],
        )
    rows = np.arange(s.shape[0])
    # Same order of operations as PyTorch's MultiMarginLoss, so ties at exactly 0 fall the same way.
    margins = delta - s[rows, indices][:, None] + s
    margins[rows, indices] = 0.0
    return margins, indices


def multiclass_hinge_loss(scores: ArrayLike, targets: ArrayLike, margin: float = 1.0) -> float:
    """Multiclass SVM loss of Weston and Watkins (the CS231n form), averaged over the batch.

    L = (1/N) Σ_i Σ_{j ≠ y_i} max(0, s_ij − s_iy_i + Δ), without regularisation. PyTorch's
    `nn.MultiMarginLoss` (p=1) computes the same sum divided by the number of classes C as well.

    Args:
        scores: (N, C) class scores; finite.
        targets: (N,) integer class indices.
        margin: Δ.

    Returns:
        The mean loss.

    Raises:
        EngineError: scores not (N, C) with C ≥ 2, non-finite values, or targets of the wrong shape or range.
    """
    margins, _ = _hinge_margins(scores, targets, margin)
    return float(np.maximum(margins, 0.0).sum() / margins.shape[0])


def multiclass_hinge_grad(scores: ArrayLike, targets: ArrayLike, margin: float = 1.0) -> FloatArray:
    """Gradient of `multiclass_hinge_loss` with respect to the scores.

    Each class j ≠ y with a positive margin gets +1/N, and the true class gets −(number of such classes)/N;
    a margin of exactly 0 counts as inactive, as in PyTorch.

    Args:
        scores: (N, C) class scores; finite.
        targets: (N,) integer class indices.
        margin: Δ.

    Returns:
        An (N, C) array.

    Raises:
        EngineError: as `multiclass_hinge_loss`.
    """
    margins, indices = _hinge_margins(scores, targets, margin)
    active = (margins > 0.0).astype(np.float64)
    rows = np.arange(margins.shape[0])
    active[rows, indices] = -active.sum(axis=1)
    result: FloatArray = active / margins.shape[0]
    return result


# --- regression and distribution losses ----------------------------------------------------------------------


def _pair_of_arrays(pred: ArrayLike, target: ArrayLike) -> tuple[FloatArray, FloatArray]:
    p = _finite(pred, "pred")
    t = _finite(target, "target")
    same_shape(p, t, "pred", "target")
    return p, t


@overload
def l1_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Literal["mean", "sum"] = ...
) -> float: ...
@overload
def l1_loss(pred: ArrayLike, target: ArrayLike, reduction: Literal["none"]) -> FloatArray: ...
@overload
def l1_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Reduction = ...
) -> float | FloatArray: ...
def l1_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Reduction = "mean"
) -> float | FloatArray:
    """Absolute error |pred − target|, as `F.l1_loss`.

    Args:
        pred: predictions; finite.
        target: targets of the same shape.
        reduction: "mean", "sum" or "none".

    Returns:
        The loss: a float, or for "none" an array of the inputs' shape.

    Raises:
        EngineError: non-finite inputs, differing shapes, or an unknown reduction.
    """
    red = check_reduction(reduction)
    p, t = _pair_of_arrays(pred, target)
    return reduce(np.abs(p - t), red)


@overload
def mse_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Literal["mean", "sum"] = ...
) -> float: ...
@overload
def mse_loss(pred: ArrayLike, target: ArrayLike, reduction: Literal["none"]) -> FloatArray: ...
@overload
def mse_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Reduction = ...
) -> float | FloatArray: ...
def mse_loss(
    pred: ArrayLike, target: ArrayLike, reduction: Reduction = "mean"
) -> float | FloatArray:
    """Squared error (pred − target)², as `F.mse_loss`.

    Args:
        pred: predictions; finite.
        target: targets of the same shape.
        reduction: "mean", "sum" or "none".

    Returns:
        The loss: a float, or for "none" an array of the inputs' shape.

    Raises:
        EngineError: non-finite inputs, differing shapes, or an unknown reduction.
    """
    red = check_reduction(reduction)
    p, t = _pair_of_arrays(pred, target)
    return reduce((p - t) ** 2, red)


@overload
def smooth_l1_loss(
    pred: ArrayLike,
    target: ArrayLike,
    beta: float = ...,
    reduction: Literal["mean", "sum"] = ...,
) -> float: ...
@overload
def smooth_l1_loss(
    pred: ArrayLike, target: ArrayLike, beta: float = ..., *, reduction: Literal["none"]
) -> FloatArray: ...
@overload
def smooth_l1_loss(
    pred: ArrayLike, target: ArrayLike, beta: float = ..., reduction: Reduction = ...
) -> float | FloatArray: ...
def smooth_l1_loss(
    pred: ArrayLike, target: ArrayLike, beta: float = 1.0, reduction: Reduction = "mean"
) -> float | FloatArray:
    """Smooth L1 (Huber divided by β), as `F.smooth_l1_loss`: 0.5·d²/β if |d| < β, else |d| − 0.5·β.

    Args:
        pred: predictions; finite.
        target: targets of the same shape.
        beta: where the quadratic part ends; β = 0 gives the L1 loss.
        reduction: "mean", "sum" or "none".

    Returns:
        The loss: a float, or for "none" an array of the inputs' shape.

    Raises:
        EngineError: non-finite inputs, differing shapes, β < 0 (as PyTorch), or an unknown reduction.
    """
    red = check_reduction(reduction)
    b = finite_float(beta, "beta")
    if b < 0:
        raise EngineError(N_("beta must be non-negative, got {b}"), b=b)
    p, t = _pair_of_arrays(pred, target)
    d = np.abs(p - t)
    if b == 0.0:
        return reduce(d, red)
    quadratic = 0.5 * d * d / b
    return reduce(np.where(d < b, quadratic, d - 0.5 * b), red)


KlReduction = Literal["batchmean", "mean", "sum", "none"]


@overload
def kl_div(
    log_input: ArrayLike,
    target: ArrayLike,
    reduction: Literal["batchmean", "mean", "sum"] = ...,
    log_target: bool = ...,
) -> float: ...
@overload
def kl_div(
    log_input: ArrayLike, target: ArrayLike, reduction: Literal["none"], log_target: bool = ...
) -> FloatArray: ...
@overload
def kl_div(
    log_input: ArrayLike,
    target: ArrayLike,
    reduction: KlReduction = ...,
    log_target: bool = ...,
) -> float | FloatArray: ...
def kl_div(
    log_input: ArrayLike,
    target: ArrayLike,
    reduction: KlReduction = "batchmean",
    log_target: bool = False,
) -> float | FloatArray:
    """KL divergence KL(target ‖ input) with the input given as log-probabilities, as `F.kl_div`.

    Each element is t·(log t − x) (0 where t = 0); with `log_target` the target is given as log t.
    "batchmean" divides the sum by the batch size (the first dimension), which is the true KL divergence per
    sample; "mean" divides by the number of elements, as PyTorch does.

    Args:
        log_input: log-probabilities x; finite.
        target: probabilities t ≥ 0 (or log-probabilities with `log_target`) of the same shape.
        reduction: "batchmean" (default here and the mathematically right one), "mean", "sum" or "none".
        log_target: whether `target` holds log-probabilities.

    Returns:
        The divergence: a float, or for "none" an array of the inputs' shape.

    Raises:
        EngineError: non-finite inputs, differing shapes, negative target probabilities, a 0-d input with
            "batchmean", or an unknown reduction.
    """
    if reduction not in ("batchmean", "mean", "sum", "none"):
        raise EngineError(
            N_("reduction must be one of 'batchmean', 'mean', 'sum', 'none', got {reduction!r}"),
            reduction=reduction,
        )
    x = _finite(log_input, "log_input")
    if log_target:
        log_t = float_array(target, "target")
        if np.any(np.isnan(log_t)) or np.any(log_t == np.inf):
            raise EngineError(N_("target log-probabilities must not be NaN or +infinity"))
        same_shape(x, log_t, "log_input", "target")
        elements = np.where(log_t == -np.inf, 0.0, np.exp(log_t) * (log_t - x))
    else:
        t = _finite(target, "target")
        same_shape(x, t, "log_input", "target")
        if np.any(t < 0):
            raise EngineError(N_("target probabilities must be non-negative"))
        positive = t > 0
        elements = np.where(positive, t * np.log(np.where(positive, t, 1.0)), 0.0) - t * x
    if reduction == "batchmean":
        if x.ndim == 0 or x.shape[0] == 0:
            raise EngineError(N_("reduction 'batchmean' needs a batch dimension of size ≥ 1"))
        return float(elements.sum() / x.shape[0])
    return reduce(elements, reduction)


def dice_loss(pred: ArrayLike, target: ArrayLike, smooth: float = 1.0) -> float:
    """Soft Dice loss over all elements: 1 − (2·Σ p·t + s) / (Σ p + Σ t + s).

    Args:
        pred: predicted probabilities (e.g. after a sigmoid); finite.
        target: ground-truth mask (0/1 or soft) of the same shape.
        smooth: s ≥ 0, added to both numerator and denominator so that two empty masks give 0 loss.

    Returns:
        The loss, 0 for a perfect prediction of a non-empty mask.

    Raises:
        EngineError: non-finite inputs, differing shapes, s < 0, or an all-zero denominator with s = 0.
    """
    s = finite_float(smooth, "smooth")
    if s < 0:
        raise EngineError(N_("smooth must be non-negative, got {s}"), s=s)
    p, t = _pair_of_arrays(pred, target)
    denominator = float(p.sum() + t.sum()) + s
    if denominator == 0.0:
        raise EngineError(N_("Dice is undefined for two empty masks with smooth=0; use smooth > 0"))
    return 1.0 - (2.0 * float((p * t).sum()) + s) / denominator
