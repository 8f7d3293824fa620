"""Losses and gradients against PyTorch / torchvision (golden files), plus invariants and worked examples."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, close, golden_cases
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvquiz.engine import (
    EngineError,
    bce_with_logits,
    cross_entropy,
    cross_entropy_grad,
    dice_loss,
    kl_div,
    l1_loss,
    log_softmax,
    mse_loss,
    multiclass_hinge_grad,
    multiclass_hinge_loss,
    sigmoid,
    sigmoid_focal_loss,
    smooth_l1_loss,
    softmax,
)

FUNCTIONS = {
    "cross_entropy": cross_entropy,
    "bce_with_logits": bce_with_logits,
    "sigmoid_focal_loss": sigmoid_focal_loss,
    "multiclass_hinge_loss": multiclass_hinge_loss,
    "l1_loss": l1_loss,
    "mse_loss": mse_loss,
    "smooth_l1_loss": smooth_l1_loss,
    "kl_div": kl_div,
    "softmax": softmax,
    "log_softmax": log_softmax,
}
ARRAYS = ("logits", "targets", "weight", "pos_weight", "scores", "pred", "target", "log_input")


def arguments(case: Case) -> dict[str, Any]:
    """JSON lists become arrays (integer lists stay integer: class indices)."""
    return {k: np.asarray(v) if k in ARRAYS else v for k, v in case["kwargs"].items()}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_matches_pytorch(name: str) -> None:
    function = FUNCTIONS[name]
    check_cases(golden_cases("losses.json", name), lambda case: function(**arguments(case)), close)


def test_cross_entropy_grad_matches_autograd() -> None:
    cases = [
        c for c in golden_cases("losses.json", "cross_entropy") if "grad" in c or "raises" in c
    ]
    assert sum("grad" in c for c in cases) >= 200

    def call(case: Case) -> Any:
        return cross_entropy_grad(**arguments(case))

    check_cases(cases, call, close, key="grad")


def test_hinge_grad_matches_autograd() -> None:
    check_cases(
        golden_cases("losses.json", "multiclass_hinge_loss"),
        lambda case: multiclass_hinge_grad(**arguments(case)),
        close,
        key="grad",
    )


def test_golden_cross_entropy_covers_the_edge_cases() -> None:
    cases = golden_cases("losses.json", "cross_entropy")
    kwargs = [c["kwargs"] for c in cases]
    assert sum(np.max(np.abs(k["logits"])) >= 1000 for k in kwargs) >= 20
    assert sum("weight" in k for k in kwargs) >= 100
    assert sum(k.get("label_smoothing", 0) > 0 for k in kwargs) >= 100
    assert sum(-100 in np.ravel(k["targets"]).tolist() for k in kwargs) >= 20
    assert (
        sum(isinstance(c.get("expected"), float) and math.isnan(c["expected"]) for c in cases) >= 2
    )


def test_plain_gradient_is_softmax_minus_onehot_over_batch() -> None:
    logits = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    expected = (softmax(logits) - np.eye(3)[[0, 2]]) / 2
    assert np.allclose(cross_entropy_grad(logits, [0, 2]), expected, rtol=1e-12, atol=0)


def test_huge_logits_stay_finite() -> None:
    assert cross_entropy([[1000.0, -1000.0, 0.0]], [1]) == 2000.0
    assert cross_entropy([[1000.0, -1000.0, 0.0]], [0]) == 0.0
    assert bce_with_logits([1000.0, -1000.0], [0.0, 1.0], reduction="sum") == 2000.0
    assert np.all(np.isfinite(cross_entropy_grad([[1000.0, -1000.0, 0.0]], [1])))


def test_worked_examples() -> None:
    # Three equally likely classes: -log(1/3).
    assert cross_entropy([[0.0, 0.0, 0.0]], [2]) == pytest.approx(math.log(3))
    # CS231n's example: scores of the cat image, correct class 0, loss 2.9.
    assert multiclass_hinge_loss([[3.2, 5.1, -1.7]], [0]) == pytest.approx(2.9)
    assert multiclass_hinge_grad([[3.2, 5.1, -1.7]], [0]).tolist() == [[-1.0, 1.0, 0.0]]
    assert smooth_l1_loss([0.0, 0.0], [0.5, 3.0], reduction="none").tolist() == [0.125, 2.5]
    assert dice_loss([1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], smooth=0.0) == pytest.approx(0.5)
    assert dice_loss([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert dice_loss([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert sigmoid([0.0, 1000.0, -1000.0]).tolist() == [0.5, 1.0, 0.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cross_entropy([[1.0, 2.0]], [2]), "target 2 is out of bounds for 2 classes"),
        (lambda: cross_entropy([[1.0, 2.0]], [0.0]), "integer class indices"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], label_smoothing=-0.1), "between 0.0 and 1.0"),
        (lambda: cross_entropy([[1.0, math.inf]], [0]), "finite"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], reduction="avg"), "reduction"),  # type: ignore[call-overload]
        (lambda: cross_entropy_grad([[1.0, 2.0]], [0], reduction="none"), "'mean' or 'sum'"),  # type: ignore[arg-type]
        (lambda: multiclass_hinge_loss([1.0, 2.0], [0]), r"\(N, C\)"),
        (lambda: sigmoid_focal_loss([1.0], [1.0], gamma=-1.0), "gamma"),
        (lambda: kl_div([[0.0]], [[-0.5]]), "non-negative"),
        (lambda: mse_loss([1.0, 2.0], [1.0]), "same"),
        (lambda: dice_loss([0.0], [0.0], smooth=0.0), "undefined"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()


batch = st.tuples(st.integers(1, 5), st.integers(2, 6))
logit_values = st.floats(-50, 50, allow_nan=False)


@st.composite
def classification(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n, c = draw(batch)
    logits = draw(arrays(np.float64, (n, c), elements=logit_values))
    targets = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return logits, targets


weights = st.none() | st.lists(st.floats(0.1, 3.0), min_size=6, max_size=6)


@given(classification(), weights, st.floats(0.0, 1.0))
def test_cross_entropy_is_non_negative(problem: Any, weight: Any, smoothing: float) -> None:
    logits, targets = problem
    w = None if weight is None else np.array(weight[: logits.shape[1]])
    assert cross_entropy(logits, targets, weight=w, label_smoothing=smoothing) >= 0.0


@given(classification(), weights, st.floats(0.0, 1.0))
def test_gradient_rows_sum_to_zero(problem: Any, weight: Any, smoothing: float) -> None:
    """Shifting all logits of a row does not change softmax, so each gradient row sums to 0."""
    logits, targets = problem
    w = None if weight is None else np.array(weight[: logits.shape[1]])
    grad = cross_entropy_grad(logits, targets, weight=w, label_smoothing=smoothing)
    assert np.allclose(grad.sum(axis=1), 0.0, atol=1e-12)


@given(classification(), weights, st.floats(0.0, 1.0))
def test_gradient_matches_finite_differences(problem: Any, weight: Any, smoothing: float) -> None:
    logits, targets = problem
    w = None if weight is None else np.array(weight[: logits.shape[1]])
    grad = cross_entropy_grad(logits, targets, weight=w, label_smoothing=smoothing)
    h = 1e-6
    for index in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += h
        down[index] -= h
        numeric = (
            cross_entropy(up, targets, weight=w, label_smoothing=smoothing)
            - cross_entropy(down, targets, weight=w, label_smoothing=smoothing)
        ) / (2 * h)
        assert numeric == pytest.approx(grad[index], abs=1e-5)


@given(classification())
def test_hinge_grad_matches_finite_differences(problem: Any) -> None:
    scores, targets = problem
    rows = np.arange(len(targets))
    margins = scores - scores[rows, targets][:, None] + 1.0
    margins[rows, targets] = 1.0
    assume(np.all(np.abs(margins) > 1e-4))  # away from the kinks the loss is differentiable
    grad = multiclass_hinge_grad(scores, targets)
    h = 1e-6
    for index in np.ndindex(scores.shape):
        up, down = scores.copy(), scores.copy()
        up[index] += h
        down[index] -= h
        numeric = (multiclass_hinge_loss(up, targets) - multiclass_hinge_loss(down, targets)) / (
            2 * h
        )
        assert numeric == pytest.approx(grad[index], abs=1e-6)


@given(
    arrays(np.float64, st.integers(1, 8), elements=logit_values),
    arrays(np.float64, 8, elements=st.floats(0.0, 1.0)),
)
def test_bce_is_symmetric(logits: Any, soft_targets: Any) -> None:
    """Swapping the classes (x → −x, t → 1 − t) leaves the loss unchanged."""
    targets = soft_targets[: logits.size]
    assert bce_with_logits(logits, targets) == pytest.approx(bce_with_logits(-logits, 1 - targets))


@given(arrays(np.float64, st.integers(1, 8), elements=logit_values))
def test_focal_loss_without_focusing_is_bce(logits: Any) -> None:
    targets = (np.arange(logits.size) % 2).astype(float)
    assert sigmoid_focal_loss(logits, targets, alpha=-1.0, gamma=0.0) == pytest.approx(
        bce_with_logits(logits, targets)
    )


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=logit_values))
def test_softmax_rows_are_distributions(logits: Any) -> None:
    probs = softmax(logits)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.allclose(
        np.log(np.maximum(probs, 1e-300)), np.maximum(log_softmax(logits), math.log(1e-300))
    )
    assert kl_div(log_softmax(logits), probs) == pytest.approx(0.0, abs=1e-9)


@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-10, 10)),
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-10, 10)),
)
def test_smooth_l1_lies_between_its_limits(pred: Any, target: Any) -> None:
    n = min(pred.size, target.size)
    pred, target = pred[:n], target[:n]
    assert smooth_l1_loss(pred, target, beta=0.0) == pytest.approx(l1_loss(pred, target))
    assert smooth_l1_loss(pred, target, beta=1e9) == pytest.approx(
        mse_loss(pred, target) / 2e9, abs=1e-15
    )
    assert smooth_l1_loss(pred, target) <= l1_loss(pred, target) + 1e-12
