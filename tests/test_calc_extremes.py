"""``cvquiz calc`` on extreme values: large logits are worked the numerically stable way, and what no worked
solution can show is one error line, never a traceback.

The reference answers are the engine's (checked against PyTorch in the golden tests); a worked solution must end
on them and every step it prints must redo from the numbers as printed.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

from cvquiz import engine
from cvquiz.generators import GeneratorError, calculate
from cvquiz.generators import losses as loss_generators

LOGITS = [
    [10.0, 0.5],
    [30.0, -2.0],
    [100.0, -100.0],
    [-745.0, 1.0],
    [1000.0, 0.0],
    [-1000.0, 0.0],
    [60.0, 0.0, 1.0],
    [-800.0, 0.0, 1.0],
]


def worked(name: str, params: dict[str, Any]) -> Any:
    """The calculation, and its worked steps redone from the printed numbers."""
    from cvquiz.generators.core import lookup

    result = calculate(name, params)
    solved = lookup(name).solve(dict(params))
    assert [c for c in solved.checks if not c.holds()] == [], name
    return result


@pytest.mark.parametrize("logits", LOGITS, ids=str)
def test_softmax_and_cross_entropy_of_large_logits(logits: list[float]) -> None:
    z = np.asarray(logits)
    softmax = worked("softmax", {"logits": logits})
    assert np.allclose(softmax.expected, engine.softmax(z), rtol=0, atol=1e-12)
    for target in range(len(logits)):
        ce = worked("cross_entropy", {"logits": logits, "target": target})
        want = float(engine.cross_entropy(z, np.asarray(target)))
        assert math.isfinite(want) and ce.expected == pytest.approx(want, rel=1e-9)
        text = ce.solution.get("en")
        assert "subtract the maximum" in text or max(abs(z)) <= loss_generators.LARGE_LOGIT
    grad = worked("cross_entropy_grad", {"logits": logits, "target": 0})
    assert np.allclose(grad.expected, engine.cross_entropy_grad(z, np.asarray(0)), atol=1e-12)


@pytest.mark.parametrize("logits", LOGITS, ids=str)
def test_binary_losses_of_large_logits(logits: list[float]) -> None:
    for targets in ([0.0] * len(logits), [1.0] * len(logits)):
        bce = worked("bce", {"logits": logits, "targets": targets, "pos_weight": 2.0})
        want = float(engine.bce_with_logits(logits, targets, pos_weight=2.0, reduction="mean"))
        assert bce.expected == pytest.approx(want, rel=1e-9)
        focal = worked(
            "focal_loss", {"logits": logits, "targets": targets, "alpha": 0.25, "gamma": 2.0}
        )
        want = float(engine.sigmoid_focal_loss(logits, targets, 0.25, 2.0, "mean"))
        assert focal.expected == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_bce_of_a_confident_wrong_logit_is_shown_the_stable_way() -> None:
    result = calculate("bce", {"logits": [10.0], "targets": [0.0]})
    assert result.expected == pytest.approx(10.000045398899218, rel=1e-12)  # ln(1 + e^10)
    assert "ln(1 + e^{10})" in result.solution.get("en")


def test_values_no_worked_solution_can_show_are_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    from cvquiz.generators.core import REGISTRY

    def overflowing(params: Any) -> Any:
        return math.exp(10_000)

    monkeypatch.setitem(REGISTRY, "softmax", replace(REGISTRY["softmax"], solve=overflowing))
    with pytest.raises(GeneratorError) as raised:
        calculate("softmax", {"logits": [1.0, 2.0]})
    assert (
        str(raised.value) == "these values are too large or too small to work through step by step"
    )


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
@pytest.mark.parametrize(
    "args",
    [
        ["bce", "--logits", "10", "-t", "0"],
        ["softmax", "--logits", "1000,0"],
        ["ce", "--logits", "-800,0", "-t", "0"],
        ["focal", "--logits", "1000", "-t", "0"],
    ],
    ids=" ".join,
)
def test_the_installed_calc_answers_large_logits(
    args: list[str], cvquiz_env: dict[str, str]
) -> None:
    done = subprocess.run(
        ["cvquiz", "calc", *args, "--json"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["answer"] is not None


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
@pytest.mark.parametrize(
    "args",
    [
        ["hinge", "--scores", "1e308,1e308,-1e308", "--target", "0"],  # the margins overflow
        ["smooth-l1", "--pred", "1e308", "--target", "-1e308"],  # the difference overflows
    ],
    ids=" ".join,
)
def test_values_beyond_floats_are_one_error_line(
    args: list[str], cvquiz_env: dict[str, str]
) -> None:
    done = subprocess.run(["cvquiz", "calc", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()  # no warning before it, no traceback
    assert (
        line.startswith("Error: ") and "too large or too small to work through step by step" in line
    )
    json_done = subprocess.run(
        ["cvquiz", "calc", *args, "--json"], capture_output=True, text=True, timeout=60
    )
    assert json_done.returncode == done.returncode
    assert "too large or too small" in json.loads(json_done.stderr)["error"]["message"]


def test_a_ratio_of_zero_counts_follows_scikit_learn_and_an_undefined_answer_says_so() -> None:
    recall = calculate("precision_recall_f1", {"tp": 0, "fp": 0, "fn": 5, "ask": "recall"})
    f1 = calculate("precision_recall_f1", {"tp": 0, "fp": 0, "fn": 5, "ask": "f1"})
    assert (recall.expected, f1.expected) == (
        0.0,
        0.0,
    )  # precision 0/0 counts as 0 (zero_division=0)
    assert "zero_division=0" in recall.solution.get("en")
    with pytest.raises(GeneratorError) as raised:  # two empty boxes: IoU is 0/0
        calculate("box_iou", {"box_a": [0, 0, 0, 0], "box_b": [0, 0, 0, 0]})
    assert str(raised.value) == "the answer is undefined for these values (a division by zero)"


def test_a_negative_overlap_is_shown_before_it_is_clamped() -> None:
    solution = calculate("box_iou", {"box_a": [0, 0, 4, 4], "box_b": [5, 5, 6, 6]}).solution
    # min(4, 6) - max(0, 5) is -1, which counts as 0: the step says both, not "= 0"
    assert r"\max(0, 5) = -1 \to 0$" in solution.get("en")
    assert r"\max(0, 5) = -1 \to 0$" in solution.get("zh")
