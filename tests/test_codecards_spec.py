"""Code cards in deck files: what the loader refuses (file:line:column), what ``cvquiz check`` finds (an unknown
judge, a signature mismatch, a model solution that fails its judge), and the JSON Schema agreeing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.codecards.spec import CodeCardError, check_card, code_spec, read_signature
from cvquiz.deckfile import load_deck_text
from cvquiz.errors import DeckProblems
from cvquiz.model import CardType

GOOD = """\
deck: mine
name: Mine
cards:
  - id: flip
    type: code
    question: {zh: 把各行倒过来。, en: Reverse the rows.}
    starter: |
      def reverse_rows(a):
          \"\"\"The rows of a, reversed.\"\"\"
    solution: |
      def reverse_rows(a):
          return a[::-1].copy()
    hints: [Use a slice., {zh: 用切片。, en: A slice.}]
    judge:
      reference: reverse_rows
      inputs: matrix
      params: {rows: {min: 1, max: 3}}
    tolerance: {rel: 0.001}
"""


def deck_with(card_yaml: str) -> str:
    return "deck: mine\nname: Mine\ncards:\n" + textwrap.indent(textwrap.dedent(card_yaml), "  ")


def problems(text: str) -> list[str]:
    try:
        load_deck_text(text, "d.yaml")
    except DeckProblems as error:
        return error.problems
    return []


def test_a_code_card_reads_back_with_every_field() -> None:
    card = load_deck_text(GOOD, "d.yaml").card("flip")
    assert card.type is CardType.CODE
    assert card.judge == {
        "reference": "reverse_rows",
        "inputs": "matrix",
        "params": {"rows": {"min": 1, "max": 3}},
    }
    assert [h.get("zh") for h in card.hints] == ["Use a slice.", "用切片。"]
    assert card.tolerance == {"rel": 0.001}
    again = type(card).from_data(card.to_data())
    assert again.to_data() == card.to_data()
    spec = code_spec(card)
    assert str(spec.function) == "reverse_rows(a)" and spec.rel_tol == 0.001
    assert check_card(card) == []


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        (
            "- id: c\n  type: code\n  question: q\n  solution: 'def f(a): pass'\n  judge: {reference: reverse_rows}\n",
            "d.yaml:4:5: card 'c': code card needs a 'starter'",
        ),
        (
            "- id: c\n  type: code\n  question: q\n  starter: 'def f(a): pass'\n  solution: x\n",
            "d.yaml:4:5: card 'c': code card needs a 'judge' (reference and inputs)",
        ),
        (
            "- id: c\n  type: code\n  question: q\n  starter: s\n  solution: x\n  judge: {refrence: reverse_rows}\n",
            "unknown field 'refrence' in judge (did you mean 'reference'?)",
        ),
        (
            "- id: c\n  type: code\n  question: q\n  starter: s\n  solution: x\n  judge: {reference: reverse_rows}\n  hints: [3]\n",
            "hints[0] must be text or a {zh, en} mapping",
        ),
        (
            "- id: c\n  question: q\n  answer: a\n  starter: 'def f(): pass'\n",
            "d.yaml:7:5: card 'c': 'starter' is only for code cards",
        ),
        (
            "- id: c\n  type: code\n  question: q\n  starter: s\n  solution: x\n  judge: {reference: reverse_rows}\n  generator: conv\n",
            "'generator' is only for compute cards",
        ),
        (
            "- id: c\n  type: code\n  starter: s\n  solution: x\n  judge: {reference: reverse_rows}\n",
            "missing field 'question'",
        ),
    ],
)
def test_the_loader_refuses_malformed_code_cards(card: str, expected: str) -> None:
    found = problems(deck_with(card))
    assert any(expected in p for p in found), found


def card_from(yaml_card: str):  # type: ignore[no-untyped-def]
    return load_deck_text(deck_with(yaml_card), "d.yaml").cards[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"reference": "revrse_rows"},
            "unknown judge reference 'revrse_rows' (did you mean 'reverse_rows'?)",
        ),
        ({"inputs": "matrx"}, "unknown judge inputs 'matrx' (did you mean 'matrix'?)"),
        (
            {"inputs": "box_pair"},
            "judge inputs box_pair make (box_a, box_b), but reference reverse_rows takes (a)",
        ),
        ({"params": {"rows": [99]}}, "judge.params.rows: 99 is not allowed"),
        ({"params": {"colums": [2]}}, "has no parameter 'colums' (did you mean 'cols'?)"),
    ],
)
def test_check_names_an_unknown_or_mismatched_judge(
    change: dict[str, object], expected: str
) -> None:
    judge = json.dumps({"reference": "reverse_rows", **change})
    card = card_from(
        "- id: c\n  type: code\n  question: q\n  starter: 'def reverse_rows(a): pass'\n"
        f"  solution: 'def reverse_rows(a): return a[::-1].copy()'\n  judge: {judge}\n"
    )
    found = check_card(card)
    assert any(expected in p for p in found), found


def test_check_names_a_signature_mismatch_in_the_starter_and_in_the_solution() -> None:
    card = card_from(
        "- id: c\n  type: code\n  question: q\n  starter: 'def reverse_rows(a, axis): pass'\n"
        "  solution: 'def reverse_rows(a): return a[::-1].copy()'\n  judge: {reference: reverse_rows}\n"
    )
    assert check_card(card) == [
        "the starter's reverse_rows takes (a, axis), but the judge calls it with (a)"
    ]
    card = card_from(
        "- id: c\n  type: code\n  question: q\n  starter: 'def reverse_rows(a): pass'\n"
        "  solution: 'def reverse_rows(b): return b[::-1].copy()'\n  judge: {reference: reverse_rows}\n"
    )
    assert check_card(card) == [
        "solution (zh): reverse_rows(b) differs from the starter's reverse_rows(a)",
        "solution (en): reverse_rows(b) differs from the starter's reverse_rows(a)",
    ]


def test_check_runs_the_model_solution_against_its_judge() -> None:
    card = card_from(
        "- id: c\n  type: code\n  question: q\n  starter: 'def reverse_rows(a): pass'\n"
        "  solution: 'def reverse_rows(a): return a[::-1]'\n  judge: {reference: reverse_rows}\n"
    )
    (problem,) = check_card(card)
    assert problem.startswith("the model solution (en) fails its judge: failed ")
    assert "returned a view of its argument a" in problem


def test_read_signature_reads_without_running() -> None:
    assert read_signature("import os\nos._exit(1)\ndef f(a, b=2):\n    pass\n").args == ("a", "b")
    with pytest.raises(CodeCardError, match="not valid Python"):
        read_signature("def f(:\n")
    with pytest.raises(CodeCardError, match="defines no function g"):
        read_signature("def f(): pass\n", "g")


def test_cvquiz_check_reports_code_card_problems_with_their_place(user_decks: Path) -> None:
    path = user_decks / "mine.yaml"
    path.write_text(GOOD.replace("return a[::-1].copy()", "return a"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4:5: card 'flip': the model solution (en) fails its judge" in result.output


def test_the_json_schema_agrees_on_code_cards() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(
        (Path(__file__).parent.parent / "cvquiz/deckfile/deck.schema.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(GOOD))) == []
    for broken in (
        GOOD.replace("    judge:\n      reference: reverse_rows\n", "    judge:\n"),
        GOOD.replace("    starter: |", "    generator: x\n    starter: |"),
        GOOD.replace("type: code", "type: basic\n    answer: a"),
    ):
        assert list(validator.iter_errors(yaml.safe_load(broken))), broken
