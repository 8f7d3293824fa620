"""conv2d, unfold, max pooling, depthwise-separable conv and the MLP backward pass against PyTorch (golden files).

The values come from tests/golden/make_golden_code.py (conv.json); invariants that tie the functions together
(conv2d is weights @ unfold, max pooling of a shifted input is shifted) are checked with Hypothesis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, close, golden_cases, with_tuples
from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz.engine import (
    EngineError,
    conv2d,
    correlate2d,
    depthwise_separable_conv2d,
    max_pool2d,
    mlp_backward,
    unfold,
)

PAIRS = ("stride", "padding", "dilation", "kernel_size")


def _kwargs(case: Case) -> dict[str, Any]:
    kw = with_tuples(dict(case["kwargs"]), PAIRS)
    if "x_shape" in kw:
        kw["x"] = np.asarray(kw["x"], dtype=np.float64).reshape(kw.pop("x_shape"))
    return kw


def same_array(actual: Any, expected: Any, shape: list[int] | None = None) -> bool:
    """`close`, and for an empty result (whose nested list has lost its shape) the same shape."""
    if shape is not None and np.asarray(actual).shape != tuple(shape):
        return False
    return np.asarray(actual).size == 0 or close(actual, expected)


def check_arrays(cases: list[Case], call: Any) -> None:
    shaped = [
        {**c, "expected": (c["expected"], c.get("shape"))} if "expected" in c else c for c in cases
    ]
    check_cases(shaped, call, lambda actual, expected: same_array(actual, *expected))


def test_conv2d_matches_torch() -> None:
    def call(case: Case) -> Any:
        kw = _kwargs(case)
        return conv2d(
            kw["x"],
            kw["weight"],
            kw["bias"],
            kw["stride"],
            kw["padding"],
            kw["dilation"],
            kw["groups"],
        )

    check_arrays(golden_cases("conv.json", "conv2d", minimum=100), call)


def test_unfold_matches_torch() -> None:
    check_arrays(
        golden_cases("conv.json", "unfold", minimum=60), lambda case: unfold(**_kwargs(case))
    )


def test_max_pool2d_matches_torch() -> None:
    check_arrays(
        golden_cases("conv.json", "max_pool2d", minimum=80),
        lambda case: max_pool2d(**_kwargs(case)),
    )


def test_depthwise_separable_conv2d_matches_torch() -> None:
    check_arrays(
        golden_cases("conv.json", "depthwise_separable_conv2d", minimum=40),
        lambda case: depthwise_separable_conv2d(**_kwargs(case)),
    )


def test_mlp_backward_matches_autograd() -> None:
    def matches(actual: Any, expected: Any) -> bool:
        return len(actual) == 4 and all(close(a, e) for a, e in zip(actual, expected, strict=True))

    cases = golden_cases("conv.json", "mlp_backward", minimum=40)
    # ReLU at exactly 0 passes no gradient: some cases have such pre-activations.
    assert any(all(v == 0 for v in np.ravel(c["kwargs"]["x"])) for c in cases)
    check_cases(cases, lambda case: tuple(mlp_backward(**case["kwargs"])), matches)


small = st.integers(min_value=1, max_value=5)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 2),
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=small,
    w=small,
    k=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_conv2d_is_weights_times_unfold(
    n: int, c: int, f: int, h: int, w: int, k: int, stride: int, padding: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x, weight = rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c, k, k))
    try:
        out = conv2d(x, weight, None, stride, padding)
    except EngineError:
        with pytest.raises(EngineError):
            unfold(x, k, stride, padding)
        return
    cols = unfold(x, k, stride, padding)
    assert np.allclose(out.reshape(n, f, out.shape[2] * out.shape[3]), weight.reshape(f, -1) @ cols)


@settings(max_examples=40, deadline=None)
@given(
    h=small,
    w=small,
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    padding=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_one_channel_conv2d_is_correlate2d_of_the_padded_image(
    h: int, w: int, kh: int, kw: int, padding: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    if kh > h + 2 * padding or kw > w + 2 * padding:
        return
    out = conv2d(image[None, None], kernel[None, None], None, 1, padding)[0, 0]
    assert np.allclose(out, correlate2d(np.pad(image, padding), kernel, "valid"))


def test_max_pool2d_padding_never_wins() -> None:
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    out = max_pool2d(x, 2, 2, 1)
    assert out.max() < 0
    assert out[0, 0, 0, 0] == -1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv2d(np.ones((1, 2, 3, 3)), np.ones((1, 3, 1, 1))), "but x has 2 channels"),
        (lambda: conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), "padded input"),
        (
            lambda: conv2d(np.ones((1, 1, 3, 3)), np.ones((2, 1, 1, 1)), np.ones(3)),
            "one entry per filter",
        ),
        (lambda: conv2d(np.ones((3, 3)), np.ones((1, 1, 1, 1))), "(N, C, H, W)"),
        (lambda: max_pool2d(np.ones((1, 1, 4, 4)), 2, 2, 2), "at most half"),
        (
            lambda: depthwise_separable_conv2d(
                np.ones((1, 2, 3, 3)), np.ones((3, 1, 1, 1)), np.ones((1, 2, 1, 1))
            ),
            "w_depthwise",
        ),
        (
            lambda: mlp_backward(
                np.ones((2, 3)), np.ones((3, 4)), np.ones(4), np.ones((4, 2)), np.ones(2), [0, 2]
            ),
            "[0, 2)",
        ),
    ],
)
def test_bad_arguments_are_refused_with_a_message(call: Any, message: str) -> None:
    with pytest.raises(
        EngineError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
    ):
        call()
