"""Batch norm in training mode against torch.nn.functional.batch_norm (golden file), plus invariants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, close, golden_cases
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvquiz.engine import EngineError, batch_norm_train, group_norm, layer_norm


def call(case: Case) -> dict[str, Any]:
    result = batch_norm_train(**case["kwargs"])
    return {"y": result.y, "running_mean": result.running_mean, "running_var": result.running_var}


def matches(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(close(actual[key], expected[key]) for key in ("y", "running_mean", "running_var"))


def test_matches_pytorch() -> None:
    check_cases(golden_cases("batchnorm.json", "batch_norm_train"), call, matches)


def test_running_variance_uses_the_unbiased_estimate() -> None:
    x = np.array([[1.0], [3.0]])  # mean 2, biased variance 1, unbiased 2
    result = batch_norm_train(x, [1.0], [0.0], [0.0], [1.0], momentum=1.0, eps=0.0)
    assert result.y.ravel().tolist() == [-1.0, 1.0]
    assert result.running_mean.tolist() == [2.0]
    assert result.running_var.tolist() == [2.0]
    y, mean, var = result  # unpacks like a tuple
    assert y is result.y and mean is result.running_mean and var is result.running_var


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [[1.0, 2.0]]}, "more than 1 value per channel"),
        ({"x": [1.0, 2.0]}, r"\(N, C\)"),
        ({"x": [[1.0, 2.0], [3.0, 4.0]], "gamma": [1.0]}, "one entry per channel"),
        ({"x": [[1.0, 2.0], [1.0, 4.0]], "eps": 0.0}, "zero variance"),
    ],
)
def test_errors_say_what_is_wrong(kwargs: dict[str, Any], message: str) -> None:
    defaults: dict[str, Any] = {
        "gamma": [1.0, 1.0],
        "beta": [0.0, 0.0],
        "running_mean": [0.0, 0.0],
        "running_var": [1.0, 1.0],
    }
    with pytest.raises(EngineError, match=message):
        batch_norm_train(**{**defaults, **kwargs})


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 6), st.integers(1, 3), st.integers(1, 3)),
        elements=st.floats(-100, 100),
    ),
    st.floats(0.5, 2.0),
    st.floats(-1.0, 1.0),
)
def test_output_has_the_target_mean_and_spread(x: Any, gamma: float, beta: float) -> None:
    c = x.shape[1]
    result = batch_norm_train(x, [gamma] * c, [beta] * c, [0.0] * c, [1.0] * c)
    assert np.allclose(result.y.mean(axis=(0, 2)), beta, atol=1e-9)
    var = x.var(axis=(0, 2))
    assert np.allclose(result.y.var(axis=(0, 2)), gamma**2 * var / (var + 1e-5), atol=1e-9)


# --------------------------------------------------------------------------------------------------------------
# Layer norm and group norm


def _norm_matches(actual: Any, expected: dict[str, Any]) -> bool:
    return all(close(getattr(actual, key), expected[key]) for key in ("y", "mean", "var"))


def test_layer_norm_matches_pytorch() -> None:
    check_cases(
        golden_cases("layergroupnorm.json", "layer_norm"),
        lambda c: layer_norm(**c["kwargs"]),
        _norm_matches,
    )


def test_group_norm_matches_pytorch() -> None:
    check_cases(
        golden_cases("layergroupnorm.json", "group_norm"),
        lambda c: group_norm(**c["kwargs"]),
        _norm_matches,
    )


def test_group_norm_with_one_group_is_layer_norm_over_c_h_w() -> None:
    x = np.arange(24.0).reshape(2, 3, 4) ** 1.5
    assert np.allclose(group_norm(x, 1).y, layer_norm(x, (3, 4)).y)
    # and with one channel per group it is instance norm
    per_channel = (x - x.mean(axis=2, keepdims=True)) / np.sqrt(x.var(axis=2, keepdims=True) + 1e-5)
    assert np.allclose(group_norm(x, 3).y, per_channel)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: layer_norm([[1.0, 2.0]], 3), "trailing dimensions"),
        (lambda: layer_norm([[1.0, 2.0]], 2, weight=[1.0]), "weight must have shape"),
        (lambda: group_norm([[1.0, 2.0, 3.0]], 2), "must divide"),
        (lambda: group_norm([1.0, 2.0], 1), r"\(N, C\)"),
    ],
)
def test_layer_and_group_norm_errors(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
