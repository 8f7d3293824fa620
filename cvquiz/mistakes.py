"""What kind of wrong answer a compute-card answer was, as far as the reference engine can tell.

The review log keeps the seed of every compute problem and what was typed, so a past problem can be drawn
again exactly (`cvquiz.generators.generate`) and the typed answer compared with answers the engine computes
for *nearby* problems: the same problem with one setting switched (``ceil_mode``, ``bias``, ``reduction``,
full/same/valid, ...), the expected shape less one in some dimension (the forgotten ``+1`` of the output-size
formula), the same dimensions in another order, a loss taken with log base 2 or 10, the wrong sign, a percent
typed for a fraction, or a near miss. Whatever none of these explains is ``other``: the classifier never
guesses beyond what the engine can check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvquiz.model import Text

if TYPE_CHECKING:
    from cvquiz.generators import Instance
    from cvquiz.model import Card

__all__ = ["NEAR_MISS", "Mistake", "classify"]

NEAR_MISS = 0.05
"""A number within this relative distance of the expected one (but outside the card's tolerance) is a near
miss: rounded too early or too coarsely."""


@dataclass(frozen=True)
class Mistake:
    """One kind of wrong answer.

    Attributes:
        code: a stable code: ``plus_one``, ``off_by_one``, ``order``, ``log2``, ``log10``, ``sign``,
            ``percent``, ``near_miss``, ``no_answer``, ``unreadable``, ``other``, or ``NAME=VALUE`` when the
            answer fits the problem with the setting NAME switched to VALUE (``ceil_mode=true``).
        label: what it means, for people.
    """

    code: str
    label: Text


NO_ANSWER = Mistake("no_answer", Text(zh="没有作答", en="no answer given"))
UNREADABLE = Mistake("unreadable", Text(zh="答案无法读取", en="answer could not be read"))
OTHER = Mistake("other", Text(zh="其他", en="other"))
PLUS_ONE = Mistake("plus_one", Text(zh="漏了公式里的 +1", en="forgot the +1"))
OFF_BY_ONE = Mistake("off_by_one", Text(zh="差 1", en="off by one"))
ORDER = Mistake("order", Text(zh="维度顺序错了", en="dimensions in the wrong order"))
LOG2 = Mistake("log2", Text(zh="用了 log₂ 而不是 ln", en="used log base 2 instead of ln"))
LOG10 = Mistake("log10", Text(zh="用了 log₁₀ 而不是 ln", en="used log base 10 instead of ln"))
SIGN = Mistake("sign", Text(zh="符号反了", en="wrong sign"))
PERCENT = Mistake("percent", Text(zh="写成了百分数", en="a percent instead of a fraction"))
NEAR = Mistake(
    "near_miss", Text(zh="接近但超出误差（过早或过粗地取整）", en="close: rounded too early")
)

_SHAPE_TOPIC = "shapes"
_LOSS_TOPIC = "losses"


def classify(card: Card, seed: int | None, answer: str | None) -> Mistake:
    """Classify a wrong answer to a compute card.

    Args:
        card: the compute card (its ``generator`` and ``params``).
        seed: the seed the problem was drawn from (from the review log).
        answer: what was typed, or None.

    Returns:
        The kind of mistake; `OTHER` when the engine cannot tell, `UNREADABLE` when the problem or the answer
        can no longer be read (a changed card, a removed generator).
    """
    from cvquiz.answers import AnswerKind, parse_answer
    from cvquiz.errors import CvquizError
    from cvquiz.generators import generate

    if answer is None or not answer.strip():
        return NO_ANSWER
    if seed is None:
        return UNREADABLE
    try:
        instance = generate(card, seed)
        typed = parse_answer(answer, instance.kind).value
    except (CvquizError, ValueError):
        return UNREADABLE
    switched = _switched_setting(instance, answer)
    if switched is not None:
        return switched
    from cvquiz.generators.core import lookup

    topic = lookup(instance.generator).topic
    if instance.kind in (AnswerKind.SHAPE, AnswerKind.INTEGER, AnswerKind.VECTOR):
        found = _integer_slip(typed, instance.expected, topic)
        if found is not None:
            return found
    if instance.kind in (AnswerKind.NUMBER, AnswerKind.VECTOR, AnswerKind.MATRIX):
        found = _number_slip(typed, instance.expected, topic)
        if found is not None:
            return found
    return OTHER


def _switched_setting(instance: Instance, answer: str) -> Mistake | None:
    """Return the setting that, switched, makes the typed answer right (None when none does)."""
    from dataclasses import replace

    from cvquiz.errors import CvquizError
    from cvquiz.generators import calculate, judge_instance
    from cvquiz.generators.core import lookup

    space = lookup(instance.generator).space
    for name, value in instance.params.items():
        for other in _alternatives(name, value, space):
            try:
                alt = calculate(instance.generator, {**instance.params, name: other})
            except (CvquizError, ValueError, TypeError, KeyError):
                continue
            if alt.kind != instance.kind or alt.expected == instance.expected:
                continue
            try:
                if judge_instance(replace(instance, expected=alt.expected), answer).correct:
                    return _setting_mistake(name, value, other)
            except CvquizError:
                continue
    return None


def _alternatives(name: str, value: Any, space: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, str) and name in space and space[name].choices is not None:
        return [c for c in space[name].choices if isinstance(c, str) and c != value]
    return []


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _setting_mistake(name: str, value: Any, other: Any) -> Mistake:
    code = f"{name}={_show(other)}"
    if name == "ceil_mode":
        if other:
            return Mistake(code, Text(zh="用了向上取整而不是向下取整", en="ceil instead of floor"))
        return Mistake(code, Text(zh="用了向下取整而不是向上取整", en="floor instead of ceil"))
    if name == "bias":
        if other:
            return Mistake(code, Text(zh="多算了偏置", en="counted a bias there is none of"))
        return Mistake(code, Text(zh="漏算了偏置", en="forgot the bias"))
    return Mistake(
        code,
        Text(
            zh=f"按 {name} = {_show(other)} 作答（题目是 {_show(value)}）",
            en=f"answered for {name} = {_show(other)} (it was {_show(value)})",
        ),
    )


def _flat(value: Any) -> list[Any] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        out: list[Any] = []
        for item in value:
            inner = _flat(item)
            if inner is None:
                return None
            out.extend(inner)
        return out
    return None


def _integer_slip(typed: Any, expected: Any, topic: str) -> Mistake | None:
    got, want = _flat(typed), _flat(expected)
    if got is None or want is None or len(got) != len(want):
        return None
    if not all(isinstance(x, int) for x in want) or not all(
        isinstance(x, int | float) and float(x).is_integer() for x in got
    ):
        return None
    diff = [int(g) - w for g, w in zip(got, want, strict=True)]
    wrong = [d for d in diff if d]
    if not wrong:
        return None
    if len(want) > 1 and sorted(int(g) for g in got) == sorted(want):
        return ORDER
    if all(d == -1 for d in wrong):
        return PLUS_ONE if topic == _SHAPE_TOPIC else OFF_BY_ONE
    if all(abs(d) == 1 for d in wrong):
        return OFF_BY_ONE
    return None


def _close(got: float, want: float, rel: float = 1e-3) -> bool:
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-9)


def _number_slip(typed: Any, expected: Any, topic: str) -> Mistake | None:
    got, want = _flat(typed), _flat(expected)
    if got is None or want is None or len(got) != len(want) or not got:
        return None
    pairs = [(float(g), float(w)) for g, w in zip(got, want, strict=True)]
    nonzero = [(g, w) for g, w in pairs if w != 0]
    if topic == _LOSS_TOPIC and nonzero:
        for factor, mistake in ((math.log(2), LOG2), (math.log(10), LOG10)):
            if all(_close(g, w / factor, 2e-3) for g, w in nonzero):
                return mistake
    if nonzero and all(_close(g, -w) for g, w in pairs):
        return SIGN
    if nonzero and all(_close(g, 100 * w) for g, w in pairs):
        return PERCENT
    if all(math.isclose(g, w, rel_tol=NEAR_MISS, abs_tol=1e-9) for g, w in pairs):
        return NEAR
    return None
