"""Initialisation gains, fans and scales against torch.nn.init (golden files), plus invariants."""

from __future__ import annotations

import math
from typing import Any

import pytest
from _engine_golden import check_cases, close, golden_cases
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.engine import (
    NONLINEARITIES,
    EngineError,
    calculate_gain,
    fan_in_and_fan_out,
    kaiming_normal_std,
    kaiming_uniform_bound,
    xavier_normal_std,
    xavier_uniform_bound,
)

SCALES = {
    "xavier_uniform_bound": xavier_uniform_bound,
    "xavier_normal_std": xavier_normal_std,
    "kaiming_uniform_bound": kaiming_uniform_bound,
    "kaiming_normal_std": kaiming_normal_std,
}


@pytest.mark.parametrize("name", sorted(SCALES))
def test_scales_match_what_torch_samples_with(name: str) -> None:
    function = SCALES[name]
    check_cases(golden_cases("init.json", name), lambda case: function(**case["kwargs"]), close)


def test_gains_match_torch() -> None:
    check_cases(
        golden_cases("init.json", "calculate_gain"),
        lambda case: calculate_gain(**case["kwargs"]),
        close,
    )


def test_fans_match_torch() -> None:
    check_cases(
        golden_cases("init.json", "fan_in_and_fan_out"),
        lambda case: list(fan_in_and_fan_out(**case["kwargs"])),
        lambda actual, expected: actual == expected,
    )


def test_every_known_nonlinearity_has_a_gain() -> None:
    gains = {name: calculate_gain(name) for name in NONLINEARITIES}
    assert gains["relu"] == math.sqrt(2.0)
    assert gains["tanh"] == 5.0 / 3
    assert gains["leaky_relu"] == pytest.approx(math.sqrt(2.0 / 1.0001))


def test_linear_layer_default_init_is_one_over_sqrt_fan_in() -> None:
    """nn.Linear(in, out) uses kaiming_uniform_(a=√5), i.e. U(−1/√in, 1/√in)."""
    assert kaiming_uniform_bound((10, 400), a=math.sqrt(5)) == pytest.approx(1 / 20)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fan_in_and_fan_out((5,)), "fewer than 2 dimensions"),
        (lambda: fan_in_and_fan_out((0, 3)), "no elements"),
        (lambda: kaiming_normal_std((3, 3), mode="fan_avg"), "fan_in' or 'fan_out"),  # type: ignore[arg-type]
        (lambda: calculate_gain("gelu"), "unsupported nonlinearity 'gelu'"),
        (lambda: calculate_gain("leaky_relu", True), "negative_slope"),  # type: ignore[arg-type]
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()


shapes = st.lists(st.integers(1, 64), min_size=2, max_size=5)


@given(shapes)
def test_uniform_bound_is_sqrt3_times_std(shape: list[int]) -> None:
    """U(−b, b) has standard deviation b/√3."""
    assert xavier_uniform_bound(shape) / math.sqrt(3) == pytest.approx(xavier_normal_std(shape))
    assert kaiming_uniform_bound(shape) / math.sqrt(3) == pytest.approx(kaiming_normal_std(shape))


@given(shapes, st.sampled_from(["fan_in", "fan_out"]))
def test_he_init_doubles_the_variance_for_relu(shape: list[int], mode: Any) -> None:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = kaiming_normal_std(shape, mode=mode, nonlinearity="relu")
    assert std * std * fan == pytest.approx(2.0)
