"""Multi-head attention shapes, parameters and FLOPs against nn.MultiheadAttention and FlopCounterMode."""

from __future__ import annotations

from typing import Any

import pytest
from _engine_golden import Case, check_cases, golden_cases

from cvquiz.engine import EngineError, attention_cost


def call(case: Case) -> dict[str, Any]:
    cost = attention_cost(**case["kwargs"])
    return {
        "output_shape": list(cost.output_shape),
        "scores_shape": list(cost.scores_shape),
        "params": cost.params,
        "flops": cost.flops,
        "attention_flops": cost.attention_flops,
        "projection_flops": cost.projection_flops,
    }


def test_matches_pytorch() -> None:
    check_cases(golden_cases("attention.json", "attention_cost"), call, lambda a, e: a == e)


def test_the_attention_matrix_is_quadratic_in_the_tokens() -> None:
    one, two = attention_cost(196, 768, 12), attention_cost(392, 768, 12)
    assert two.attention_flops == 4 * one.attention_flops
    assert two.projection_flops == 2 * one.projection_flops
    assert one.scores_shape == (1, 12, 196, 196) and one.qkv_shape == (1, 12, 196, 64)


def test_heads_must_divide_the_width() -> None:
    with pytest.raises(EngineError, match="must divide"):
        attention_cost(4, 10, 3)
