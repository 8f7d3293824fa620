"""``cvquiz import`` of CSV files as people have them: any separator, header rows, and many rows."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.anki.importer import NotesFormatError, column_names, parse_notes, separator_named
from cvquiz.cli.app import app
from cvquiz.deckfile.loader import load_deck

runner = CliRunner()


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_the_separator_is_sniffed(separator: str) -> None:
    rows = [["question", "answer", "tags"], ["What is IoU, briefly?", "Overlap; over union", "det"]]
    rows += [[f"Question {n}?", f"Answer {n}", "x y"] for n in range(5)]
    text = "\n".join(separator.join(f'"{f}"' if separator in f else f for f in r) for r in rows)
    parsed = parse_notes(text + "\n", "cards.txt")
    assert parsed.separator == separator and parsed.format == "csv"
    assert parsed.rows[0].data == {
        "type": "basic",
        "question": "What is IoU, briefly?",
        "answer": "Overlap; over union",
        "tags": ["det"],
    }
    assert len(parsed.rows) == 6


def test_a_chinese_header_row_is_recognised() -> None:
    parsed = parse_notes("问题;答案;标签\n什么是 NMS？;非极大值抑制;检测\n", "cards.csv")
    assert parsed.rows[0].data == {
        "type": "basic",
        "question": "什么是 NMS？",
        "answer": "非极大值抑制",
        "tags": ["检测"],
    }


def test_columns_override_the_header_and_name_headerless_files() -> None:
    headerless = "a1|q1|t\na2|q2|t\n"
    parsed = parse_notes(
        headerless, "x.txt", separator="|", columns=column_names("answer,question,tags")
    )
    assert [r.data["question"] for r in parsed.rows] == ["q1", "q2"]
    with_header = "Term,Definition,Notes\nIoU,overlap,ignore me\n"
    parsed = parse_notes(with_header, "x.csv", columns=column_names("question,answer,skip"))
    # 'Term,Definition' names no column cvquiz knows: it is a card, as the columns say.
    assert [r.data["question"] for r in parsed.rows] == ["Term", "IoU"]
    repeated = "question,answer\nq,a\n"
    parsed = parse_notes(repeated, "x.csv", columns=column_names("question,answer"))
    assert [r.data["question"] for r in parsed.rows] == ["q"]  # the header row is not a card


def test_bad_separator_and_columns_are_clear_errors() -> None:
    assert separator_named("tab") == "\t" and separator_named("\\t") == "\t"
    assert separator_named(";") == ";" and separator_named("Semicolon") == ";"
    # named as the option is, not as a file header ("#separator:ab" was what it said)
    with pytest.raises(NotesFormatError, match=r"^--separator '--': use tab, comma"):
        separator_named("--")
    with pytest.raises(NotesFormatError, match="unknown column 'colour'"):
        column_names("question,colour")
    with pytest.raises(NotesFormatError, match="'question' is named twice"):
        column_names("question,Front")  # an alias of the same column
    with pytest.raises(NotesFormatError, match="question"):
        column_names("answer,tags")


def test_import_with_separator_and_columns_options(user_decks: Path, tmp_path: Path) -> None:
    source = tmp_path / "cards.txt"
    source.write_text("A one|Q one\nA two|Q two\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "import",
            str(source),
            "--deck",
            "my/piped",
            "--separator",
            "|",
            "--columns",
            "answer,question",
        ],
    )
    assert result.exit_code == 0, result.output
    deck = load_deck(user_decks / "my" / "piped.yaml")
    assert [(c.question.en, c.answer.en if c.answer else None) for c in deck.cards] == [
        ("Q one", "A one"),
        ("Q two", "A two"),
    ]
    result = runner.invoke(app, ["import", str(source), "--deck", "my/x", "--columns", "colour"])
    assert result.exit_code == 1 and "unknown column 'colour'" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["import", str(empty), "--deck", "my/empty"])
    assert result.exit_code == 0, result.output
    assert "Nothing to import: " in result.stderr and "holds no notes" in result.stderr
    assert not (user_decks / "my" / "empty.yaml").exists()


def test_no_progress_bar_when_stderr_is_not_a_terminal(user_decks: Path, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(
        "question,answer\n" + "".join(f"Question {n}?,Answer {n}\n" for n in range(3000)), "utf-8"
    )
    result = runner.invoke(app, ["import", str(source), "--deck", "my/many"])
    assert result.exit_code == 0, result.output
    assert "Checking cards" not in result.stderr and "\x1b[" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("Added 3000 cards to my/many")


@pytest.mark.slow
def test_import_of_100k_rows(user_decks: Path, tmp_path: Path, cvquiz_env: dict[str, str]) -> None:
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer", "tags"])
        for n in range(100_000):
            writer.writerow(
                [
                    f'第 {n} 题: what is {n} squared, "exactly"?',
                    f"{n * n}\nsee row {n}",
                    f"big g{n % 7}",
                ]
            )
    result = runner.invoke(app, ["import", str(source), "--deck", "big/import", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 100_000 and report["skipped"] == 0 and report["created"]
    deck = load_deck(user_decks / "big" / "import.yaml")
    assert len(deck.cards) == 100_000
    for n in (0, 1, 4_999, 77_777, 99_999):
        card = deck.cards[n]
        assert card.question.en == f'第 {n} 题: what is {n} squared, "exactly"?'
        assert card.answer is not None and card.answer.en == f"{n * n}\nsee row {n}"
        assert card.tags == ("big", f"g{n % 7}")
        assert report["added"][n]["line"] == card.line
    with sqlite3.connect(cvquiz_env["CVQUIZ_COLLECTION"]) as conn:
        (synced,) = conn.execute(
            "SELECT COUNT(*) FROM cards WHERE deck_id = 'big/import' AND active = 1"
        ).fetchone()
        (scheduled,) = conn.execute(
            "SELECT COUNT(*) FROM schedule s JOIN cards c ON c.pk = s.card_pk WHERE c.deck_id = 'big/import'"
        ).fetchone()
    assert synced == scheduled == 100_000
    again = runner.invoke(app, ["import", str(source), "--deck", "big/import", "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] == 100_000


@pytest.mark.slow
def test_a_progress_bar_on_a_terminal(user_decks: Path, tmp_path: Path) -> None:
    import os
    import shutil

    import pexpect

    if shutil.which("cvquiz") is None:
        pytest.skip("cvquiz is not installed on PATH")
    source = tmp_path / "many.csv"
    source.write_text(
        "question,answer\n" + "".join(f"Question {n}?,Answer {n}\n" for n in range(40_000)), "utf-8"
    )
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        "cvquiz",
        ["import", str(source), "--deck", "my/many"],
        env=env,
        encoding="utf-8",
        dimensions=(24, 80),
        timeout=300,
    )
    child.expect(
        r"(Checking cards|Writing the deck|Syncing cards)"
    )  # the bar's stage, as it is drawn
    child.expect("Added 40000 cards to my/many")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
