"""Affine and symmetric 8-bit quantization against MinMaxObserver and torch.quantize_per_tensor."""

from __future__ import annotations

from typing import Any

import pytest
from _engine_golden import Case, check_cases, golden_cases

from cvquiz.engine import EngineError, QParams, dequantize, qparams, quantize


def test_qparams_match_min_max_observer() -> None:
    check_cases(
        golden_cases("quant.json", "qparams"),
        lambda c: qparams(**c["kwargs"]),
        lambda a, e: a.scale == e[0] and a.zero_point == e[1],  # float32 values: exactly
    )


def _quantize(case: Case) -> dict[str, Any]:
    q = quantize(**case["kwargs"])
    kw = case["kwargs"]
    return {"q": q, "dequantized": dequantize(q, kw["scale"], kw["zero_point"])}


def test_quantize_matches_torch_bit_for_bit() -> None:
    check_cases(golden_cases("quant.json", "quantize"), _quantize, lambda a, e: a == e)


def test_zero_is_exact_and_the_range_is_covered() -> None:
    params = qparams(-1.0, 3.0, "quint8")
    assert params == QParams(scale=pytest.approx(4 / 255), zero_point=64)
    assert quantize(0.0, *params) == params.zero_point
    assert quantize(-1.0, *params) == 0 and quantize(3.0, *params) == 255
    assert quantize(100.0, *params) == 255  # clamped
    symmetric = qparams(-1.0, 3.0, "qint8", symmetric=True)
    assert symmetric.zero_point == 0 and symmetric.scale == pytest.approx(3 / 127.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: qparams(2.0, 1.0), "must be <="),
        (lambda: qparams(0.0, 1.0, "int4"), "dtype"),  # type: ignore[arg-type]
        (lambda: quantize(1.0, 0.0, 0), "scale must be positive"),
        (lambda: quantize(1.0, 0.1, 300), "outside"),
    ],
)
def test_errors_say_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        call()
