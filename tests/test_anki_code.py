"""Code cards exported to Anki and to Anki's text format: the task and starter code on the front, the model
solution on the back, highlighted and escaped."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cvquiz.anki.code import code_back, code_front, highlight
from cvquiz.anki.exporter import AnkiExportOptions, export_anki, note_guid
from cvquiz.anki.text_export import export_text
from cvquiz.collection import Collection
from cvquiz.config import Settings
from cvquiz.deckfile import load_deck_text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = '''\
deck: mine
name: Mine::Code
cards:
  - id: less
    type: code
    question:
      zh: 写出 `smaller(a, b)`。
      en: Write `smaller(a, b)`.
    starter: |
      def smaller(a, b):
          """The smaller of a and b, as in <min>."""
    solution:
      zh: |
        def smaller(a, b):
            return a if a < b else b  # 较小的那个
      en: |
        def smaller(a, b):
            return a if a < b else b  # the smaller one
    hints: [Compare a < b.]
    judge: {reference: reverse_rows}
    explanation: Ties go to b.
'''


def card():  # type: ignore[no-untyped-def]
    return load_deck_text(DECK, "d.yaml").card("less")


def test_code_is_highlighted_and_escaped() -> None:
    html = highlight("if a < b and '<script>':\n    pass\n")
    assert "<pre" in html and "<span style=" in html
    assert "&lt;" in html and "<script>" not in html


def test_the_front_has_the_task_and_the_starter_and_the_back_the_solution() -> None:
    front, back = code_front(card(), "en"), code_back(card(), "en")
    assert "Write <code>smaller(a, b)</code>." in front
    assert "&lt;min&gt;" in front and "<pre" in front
    assert "the smaller one" in back and "较小的那个" not in back
    assert "Compare a &lt; b." in back
    both = code_back(card(), "both")
    assert 'lang="zh"' in both and "较小的那个" in both and "the smaller one" in both


@pytest.fixture
def col(tmp_path: Path, empty_bundled: Path) -> Collection:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK, encoding="utf-8")
    collection = Collection.open(tmp_path / "c.sqlite")
    collection.sync_decks(empty_bundled, user, NOW)
    return collection


def test_a_code_card_becomes_a_basic_note_in_the_package(col: Collection, tmp_path: Path) -> None:
    package = tmp_path / "out.apkg"
    result = export_anki(col, package, NOW, Settings(), AnkiExportOptions(lang="en"))
    assert (result.notes, result.cards) == (1, 1)
    with zipfile.ZipFile(package) as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        guid, fields = db.execute("SELECT guid, flds FROM notes").fetchone()
    front, back, explanation, _source = fields.split("\x1f")
    assert guid == note_guid("mine", "less")
    assert "Write <code>smaller(a, b)</code>." in front and "<pre" in front
    assert "the smaller one" in back and "&lt;" in back
    assert explanation == "Ties go to b."


def test_a_code_card_becomes_one_row_of_the_text_export(col: Collection, tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    export_text(col, out, AnkiExportOptions(lang="zh"))
    rows = [
        r
        for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")), delimiter="\t")
        if r and not r[0].startswith("#")
    ]
    ((front, back, _tags, guid),) = rows
    assert guid == note_guid("mine", "less")
    assert "写出" in front and "<pre" in front
    assert "较小的那个" in back and "Ties go to b." in back
