"""The deck check's problems keep their parts (line, column, card, message) in either language."""

from __future__ import annotations

import pytest

from cvquiz import i18n
from cvquiz.deckcheck import Problem, check_text

DECK = """\
deck: mine/x
name: X
cards:
  - id: a
    question: {zh: 问, en: Q}
    anwser: {zh: 答, en: A}
"""


@pytest.mark.parametrize(
    ("lang", "prefix", "message"),
    [
        ("en", "card 'a': ", "missing field 'answer'"),
        ("zh", "卡片 'a'：", "缺少字段 'answer'"),
    ],
)
def test_a_card_problem_names_its_card_in_either_language(
    lang: str, prefix: str, message: str
) -> None:
    i18n.set_language(lang)
    checked, deck = check_text(DECK, "x.yaml")
    assert deck is None
    assert checked.problems[0] == Problem(4, 5, "a", message)
    assert checked.lines()[0] == f"x.yaml:4:5: {prefix}{message}"
