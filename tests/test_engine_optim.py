"""SGD, Adam and AdamW steps against torch.optim (golden file), plus hand-checked cases."""

from __future__ import annotations

import math
from typing import Any

import pytest
from _engine_golden import Case, check_cases, close, golden_cases

from cvquiz.engine import EngineError, adam_steps, sgd_steps


def _sgd(case: Case) -> list[dict[str, Any]]:
    kw = dict(case["kwargs"])
    states = sgd_steps(kw.pop("param"), kw.pop("grads"), **kw)
    return [{"param": s.param, "momentum_buffer": s.momentum_buffer} for s in states]


def _sgd_matches(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    return len(actual) == len(expected) and all(
        close(a["param"], e["param"])
        and (e["momentum_buffer"] is None or close(a["momentum_buffer"], e["momentum_buffer"]))
        for a, e in zip(actual, expected, strict=True)
    )


def _adam(decoupled: bool) -> Any:
    def call(case: Case) -> list[dict[str, Any]]:
        kw = dict(case["kwargs"])
        kw["betas"] = tuple(kw["betas"])
        states = adam_steps(kw.pop("param"), kw.pop("grads"), decoupled=decoupled, **kw)
        return [
            {"param": s.param, "exp_avg": s.exp_avg, "exp_avg_sq": s.exp_avg_sq} for s in states
        ]

    return call


def _adam_matches(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    return len(actual) == len(expected) and all(
        all(close(a[k], e[k]) for k in ("param", "exp_avg", "exp_avg_sq"))
        for a, e in zip(actual, expected, strict=True)
    )


def test_sgd_matches_torch() -> None:
    check_cases(golden_cases("optim.json", "sgd"), _sgd, _sgd_matches)


def test_adam_matches_torch() -> None:
    check_cases(golden_cases("optim.json", "adam"), _adam(False), _adam_matches)


def test_adamw_matches_torch() -> None:
    check_cases(golden_cases("optim.json", "adamw"), _adam(True), _adam_matches)


def test_by_hand() -> None:
    # momentum 0.9: b1 = g1 = 1, p1 = 1 - 0.1; b2 = 0.9 + 2 = 2.9, p2 = 0.9 - 0.29
    states = sgd_steps([1.0], [[1.0], [2.0]], lr=0.1, momentum=0.9)
    assert math.isclose(states[1].param[0], 0.61)
    nesterov = sgd_steps([1.0], [[1.0]], lr=0.1, momentum=0.9, nesterov=True)
    assert math.isclose(nesterov[0].param[0], 1 - 0.1 * 1.9)
    # Adam's first step moves by about lr whatever the gradient's size
    assert math.isclose(adam_steps([0.0], [[250.0]], lr=0.1)[0].param[0], -0.1, rel_tol=1e-9)
    # AdamW decays the weight directly: (1 - 0.1·0.5)·2 before the Adam step
    w = adam_steps([2.0], [[0.0]], lr=0.1, weight_decay=0.5, decoupled=True, eps=1.0)
    assert math.isclose(w[0].param[0], 1.9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sgd_steps([1.0], [], lr=0.1), "at least one gradient"),
        (lambda: sgd_steps([1.0], [[1.0, 2.0]], lr=0.1), "shape"),
        (lambda: sgd_steps([1.0], [[1.0]], lr=0.1, nesterov=True), "Nesterov"),
        (lambda: adam_steps([1.0], [[1.0]], betas=(1.0, 0.9)), "betas"),
        (lambda: adam_steps([1.0], [[1.0]], lr=-1), "lr"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
