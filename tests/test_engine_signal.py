"""2-D convolution and correlation against SciPy and a one-channel PyTorch conv2d (golden files)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _engine_golden import Case, check_cases, close, golden_cases
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvquiz.engine import (
    EngineError,
    conv2d_output_shape,
    conv_mode_output_size,
    convolve2d,
    correlate2d,
)

MODES = ("full", "same", "valid")


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_matches_scipy(name: str) -> None:
    function = {"convolve2d": convolve2d, "correlate2d": correlate2d}[name]
    check_cases(golden_cases("signal.json", name), lambda case: function(**case["kwargs"]), close)


def test_mode_sizes_match_scipy() -> None:
    check_cases(
        golden_cases("signal.json", "conv_mode_output_size"),
        lambda case: conv_mode_output_size(**case["kwargs"]),
        lambda actual, expected: actual == expected,
    )


def test_a_conv_layer_computes_cross_correlation() -> None:
    """torch's conv2d with padding p equals correlate2d of the zero-padded image in the valid mode."""

    def call(case: Case) -> Any:
        kw = case["kwargs"]
        image, kernel, p = np.asarray(kw["image"]), np.asarray(kw["kernel"]), kw["padding"]
        # Where torch refused, the engine's shape calculation must refuse too.
        conv2d_output_shape((1, 1, *image.shape), 1, kernel.shape, padding=p)
        return correlate2d(np.pad(image, p), kernel, "valid")

    cases = golden_cases("signal.json", "torch_conv2d_single_channel", minimum=30)
    check_cases(cases, call, close)
    # And it is not convolution: flipping matters for some asymmetric kernel in the file.
    assert any(
        not close(
            convolve2d(
                np.pad(c["kwargs"]["image"], c["kwargs"]["padding"]), c["kwargs"]["kernel"], "valid"
            ),
            c["expected"],
        )
        for c in cases
        if "expected" in c
    )


def test_worked_example_from_the_notes() -> None:
    image = np.arange(1, 10, dtype=float).reshape(3, 3)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])
    assert correlate2d(image, kernel, "valid").tolist() == [[-4.0, -4.0], [-4.0, -4.0]]
    assert convolve2d(image, kernel, "valid").tolist() == [[4.0, 4.0], [4.0, 4.0]]
    assert convolve2d(image, kernel, "full").shape == (4, 4)
    assert convolve2d(image, kernel, "same").shape == (3, 3)


@pytest.mark.parametrize(
    ("image", "kernel", "mode", "message"),
    [
        ([1.0, 2.0], [[1.0]], "full", "2-D"),
        ([[1.0]], [[]], "full", "empty"),
        ([[1.0, 2.0]], [[1.0], [2.0]], "valid", "at least as large"),
        ([[1.0]], [[1.0]], "circular", "mode must be"),
        ([["a"]], [[1.0]], "full", "real numbers"),
        ([[1j]], [[1.0]], "full", "real numbers"),
    ],
)
def test_bad_arguments(image: Any, kernel: Any, mode: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        convolve2d(image, kernel, mode)


small = st.integers(1, 5).flatmap(lambda r: st.integers(1, 5).map(lambda c: (r, c)))
values = st.integers(-5, 5).map(float)
matrices = small.flatmap(lambda shape: arrays(np.float64, shape, elements=values))


@given(matrices, matrices)
def test_correlation_is_convolution_with_the_flipped_kernel(image: Any, kernel: Any) -> None:
    assert np.array_equal(correlate2d(image, kernel), convolve2d(image, kernel[::-1, ::-1]))


@given(matrices, matrices)
def test_full_convolution_commutes(image: Any, kernel: Any) -> None:
    assert np.array_equal(convolve2d(image, kernel), convolve2d(kernel, image))


@given(matrices, matrices, st.sampled_from(MODES))
def test_output_sizes_follow_the_mode_formula(image: Any, kernel: Any, mode: Any) -> None:
    try:
        out = correlate2d(image, kernel, mode)
    except EngineError:
        assert mode == "valid"
        return
    assert out.shape == tuple(
        conv_mode_output_size(n, k, mode) for n, k in zip(image.shape, kernel.shape, strict=True)
    )


@given(matrices)
def test_a_unit_kernel_is_the_identity(image: Any) -> None:
    for mode in MODES:
        assert np.array_equal(correlate2d(image, [[1.0]], mode), image)
        assert np.array_equal(convolve2d(image, [[1.0]], mode), image)
