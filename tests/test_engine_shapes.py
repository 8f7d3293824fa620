"""Layer shapes, parameter counts and MACs against PyTorch (golden files), plus invariants."""

from __future__ import annotations

from typing import Any

import pytest
from _engine_golden import check_cases, golden_cases, with_tuples
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.engine import (
    EngineError,
    conv2d_macs,
    conv2d_output_shape,
    conv2d_params,
    conv_output_size,
    conv_transpose2d_output_shape,
    fc_params,
    pool2d_output_shape,
    separable_conv2d_params,
)

PAIRS = ("input_shape", "kernel_size", "stride", "padding", "output_padding", "dilation")
FUNCTIONS = {
    "conv2d_output_shape": conv2d_output_shape,
    "conv_transpose2d_output_shape": conv_transpose2d_output_shape,
    "pool2d_output_shape": pool2d_output_shape,
    "conv2d_params": conv2d_params,
    "separable_conv2d_params": separable_conv2d_params,
    "fc_params": fc_params,
    "conv2d_macs": conv2d_macs,
    "conv_output_size": conv_output_size,
}


def exactly(actual: Any, expected: Any) -> bool:
    return (list(actual) if isinstance(actual, tuple) else actual) == expected and all(
        type(v) is int for v in (actual if isinstance(actual, tuple) else (actual,))
    )


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_matches_pytorch(name: str) -> None:
    function = FUNCTIONS[name]
    check_cases(
        golden_cases("shapes.json", name),
        lambda case: function(**with_tuples(case["kwargs"], PAIRS)),
        exactly,
    )


def test_golden_pooling_covers_the_ceil_mode_correction() -> None:
    """The golden file must contain windows that ceil_mode drops because they would start in the padding."""
    cases = [c for c in golden_cases("shapes.json", "pool2d_output_shape") if "expected" in c]
    dropped = 0
    for case in cases:
        kw = case["kwargs"]
        if (
            not kw["ceil_mode"]
            or not isinstance(kw["kernel_size"], int)
            or kw["stride"] not in (None, 2, 3)
        ):
            continue
        h, k, p = kw["input_shape"][2], kw["kernel_size"], kw["padding"]
        s = kw["stride"] or k
        d = kw.get("dilation", 1)
        rounded_up = -(-(h + 2 * p - d * (k - 1) - 1) // s) + 1
        dropped += case["expected"][2] == rounded_up - 1
    assert dropped >= 5


def test_kernel_too_large_message_shows_the_arithmetic() -> None:
    with pytest.raises(
        EngineError, match=r"kernel height 7 with dilation 2 spans 13 > padded input height 12"
    ):
        conv2d_output_shape((1, 3, 8, 8), 4, 7, dilation=2, padding=2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: conv2d_output_shape((1, 4, 8, 8), 4, 3, groups=3),
            "in_channels 4 is not divisible by groups 3",
        ),
        (lambda: conv2d_output_shape((1, 4, 8, 8), 4, 3, stride=2, padding="same"), "strided"),
        (lambda: conv2d_output_shape((1, 4, 8), 4, 3), "4 entries"),
        (lambda: conv2d_output_shape((1, 4, 8, 8), 4, 3, padding="full"), "'same' or 'valid'"),
        (lambda: conv2d_output_shape((1, 4, 8, 8), 4, 3.0), "kernel_size must be an integer"),  # type: ignore[arg-type]
        (lambda: conv2d_output_shape((1, 4, 8, 8), 4, (3, 3, 3)), "pair"),  # type: ignore[arg-type]
        (
            lambda: conv_transpose2d_output_shape((1, 4, 8, 8), 4, 3, stride=2, output_padding=2),
            "smaller than",
        ),
        (
            lambda: conv_transpose2d_output_shape((1, 4, 1, 1), 4, 2, padding=1),
            "output height would be 0",
        ),
        (lambda: pool2d_output_shape((1, 1, 8, 8), 3, padding=2), "at most half the kernel"),
        (lambda: pool2d_output_shape((1, 1, 4, 4), 5), "output height would be 0"),
        (lambda: fc_params(0, 3), "in_features must be a positive integer"),
        (lambda: conv2d_params(4, 4, 3, bias=1), "bias must be True or False"),  # type: ignore[arg-type]
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()


def test_worked_examples() -> None:
    # ResNet stem: 224 -> 112 -> 56.
    assert conv2d_output_shape((1, 3, 224, 224), 64, 7, 2, 3) == (1, 64, 112, 112)
    assert pool2d_output_shape((1, 64, 112, 112), 3, 2, 1) == (1, 64, 56, 56)
    assert conv2d_params(3, 64, 7, bias=False) == 9408
    # MobileNet block 32 -> 64 with 3x3: 32·9 + 32·64 without biases.
    assert separable_conv2d_params(32, 64, 3, bias=False) == 32 * 9 + 32 * 64
    assert fc_params(512, 1000) == 513_000
    assert conv2d_macs((1, 3, 224, 224), 64, 7, 2, 3) == 112 * 112 * 64 * 3 * 7 * 7
    assert conv_output_size(32, 5, stride=1, padding=2) == 32


sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)


@given(sizes, kernels, strides, st.integers(0, 4), dilations)
def test_transposed_conv_restores_the_size(h: int, k: int, s: int, p: int, d: int) -> None:
    """ConvTranspose2d with output_padding = the remainder the conv dropped gives back the input size."""
    span = d * (k - 1) + 1
    if h + 2 * p < span:
        return
    out = conv2d_output_shape((1, 2, h, h), 2, k, s, p, d)[2]
    remainder = (h + 2 * p - span) % s
    restored = conv_transpose2d_output_shape((1, 2, out, out), 2, k, s, p, remainder, d)
    assert restored[2:] == (h, h)


@given(sizes, kernels, dilations)
def test_same_padding_keeps_the_size(h: int, k: int, d: int) -> None:
    assert conv2d_output_shape((2, 3, h, h + 1), 5, k, padding="same", dilation=d) == (
        2,
        5,
        h,
        h + 1,
    )


@given(sizes, kernels, strides, dilations)
def test_ceil_mode_adds_at_most_one(h: int, k: int, s: int, d: int) -> None:
    p = k // 2
    try:
        floor = pool2d_output_shape((1, 1, h, h), k, s, p, d)[2]
    except EngineError:
        return
    ceil = pool2d_output_shape((1, 1, h, h), k, s, p, d, ceil_mode=True)[2]
    assert floor <= ceil <= floor + 1
    # The last window starts inside the input or its left padding.
    assert (ceil - 1) * s < h + p


@given(st.sampled_from([1, 2, 4, 8]), st.integers(1, 8), kernels, st.booleans())
def test_groups_split_the_parameters(groups: int, per_group: int, k: int, bias: bool) -> None:
    c = groups * per_group
    grouped = conv2d_params(c, c, k, groups=groups, bias=bias)
    assert grouped * groups == conv2d_params(c, c, k, bias=bias) + (groups - 1) * c * bias


@given(st.integers(1, 64), st.integers(1, 64), st.integers(1, 7))
def test_separable_costs_one_over_n_plus_one_over_k_squared(c_in: int, c_out: int, k: int) -> None:
    """MobileNet's ratio: separable / standard = 1/N + 1/k² (without biases)."""
    separable = separable_conv2d_params(c_in, c_out, k, bias=False)
    standard = conv2d_params(c_in, c_out, k, bias=False)
    assert separable * c_out * k * k == standard * (k * k + c_out)


@given(sizes, kernels, strides, st.integers(0, 3), dilations)
def test_one_dimensional_formula_agrees_with_conv2d(h: int, k: int, s: int, p: int, d: int) -> None:
    try:
        expected = conv2d_output_shape((1, 1, h, 1), 1, (k, 1), (s, 1), (p, 0), (d, 1))[2]
    except EngineError:
        with pytest.raises(EngineError):
            conv_output_size(h, k, s, p, d)
        return
    assert conv_output_size(h, k, s, p, d) == expected
