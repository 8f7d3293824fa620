"""cvquiz.mistakes: each kind of wrong answer is named only when the engine's own numbers explain it."""

from __future__ import annotations

import math
from typing import Any

import pytest

from cvquiz.generators import calculate, generate
from cvquiz.mistakes import classify
from cvquiz.model import Card, CardType


def card(generator: str, **params: Any) -> Card:
    return Card(id="x", type=CardType.COMPUTE, generator=generator, params=params)


def first_seed(c: Card, ok: Any) -> int:
    for seed in range(200):
        if ok(generate(c, seed)):
            return seed
    raise AssertionError("no seed found")


def test_switched_settings_are_named() -> None:
    pool = card("pool_output_shape", ceil_mode=[False], pool=["max"])
    seed = first_seed(
        pool,
        lambda i: calculate(i.generator, {**i.params, "ceil_mode": True}).expected != i.expected,
    )
    inst = generate(pool, seed)
    ceil = calculate(inst.generator, {**inst.params, "ceil_mode": True}).expected
    found = classify(pool, seed, str(ceil))
    assert (found.code, found.label.en) == ("ceil_mode=true", "ceil instead of floor")

    conv = card("conv_params", bias=[True])
    inst = generate(conv, 0)
    without = calculate(inst.generator, {**inst.params, "bias": False}).expected
    assert classify(conv, 0, str(without)).label.en == "forgot the bias"

    bce = card("bce", reduction=["mean"])
    inst = generate(bce, 1)
    summed = calculate(inst.generator, {**inst.params, "reduction": "sum"}).expected
    found = classify(bce, 1, f"{summed:.6f}")
    assert found.code == "reduction=sum"
    assert "reduction = sum" in found.label.en


def test_slips_in_shapes() -> None:
    conv = card("conv2d_output_shape")
    inst = generate(conv, 3)
    n, c, h, w = inst.expected
    assert classify(conv, 3, f"({n}, {c}, {h - 1}, {w - 1})").code == "plus_one"
    assert classify(conv, 3, f"({n}, {c}, {h + 1}, {w})").code == "off_by_one"
    assert len({n, c, h, w}) == 4
    assert classify(conv, 3, str((w, h, c, n))).code == "order"
    assert classify(conv, 3, f"({n}, {c}, {h + 7}, {w + 9})").code == "other"


def test_slips_in_numbers() -> None:
    ce = card("cross_entropy")
    value = generate(ce, 2).expected
    assert value > 0
    assert classify(ce, 2, f"{value / math.log(2):.6f}").code == "log2"
    assert classify(ce, 2, f"{value / math.log(10):.6f}").code == "log10"
    assert classify(ce, 2, f"{-value:.6f}").code == "sign"
    assert classify(ce, 2, f"{100 * value:.4f}").code == "percent"
    assert classify(ce, 2, f"{value * 1.03:.6f}").code == "near_miss"
    assert classify(ce, 2, f"{value * 3 + 1:.6f}").code == "other"


@pytest.mark.parametrize(
    ("seed", "text", "code"),
    [
        (0, None, "no_answer"),
        (0, "  ", "no_answer"),
        (None, "1", "unreadable"),
        (0, "cat", "unreadable"),
    ],
)
def test_missing_or_unreadable_answers(seed: int | None, text: str | None, code: str) -> None:
    assert classify(card("conv2d_output_shape"), seed, text).code == code


def test_a_removed_generator_is_unreadable_not_a_crash() -> None:
    assert classify(card("no_such_generator"), 0, "1").code == "unreadable"
