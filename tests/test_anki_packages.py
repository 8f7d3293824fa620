"""``cvquiz import anki FILE --deck mine/NAME`` with packages genanki builds: the shared-deck edge cases.

A note whose HTML nests too deep for the Markdown converter, two notes sharing a GUID, and a package that holds
only cvquiz's own notes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import genanki
import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app

runner = CliRunner()


def _package(path: Path, notes: list[tuple[str, str, str]]) -> Path:
    """A package of Basic notes (question, answer, GUID) in one deck."""
    deck = genanki.Deck(2059400110, "Shared::Edge")
    for question, answer, guid in notes:
        deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[question, answer], guid=guid))
    genanki.Package(deck).write_to_file(str(path))
    return path


def _import(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", "anki", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


NESTED = "<div>" * 500 + "deep" + "</div>" * 500


def test_a_note_nested_too_deep_is_left_out_by_name(tmp_path: Path, user_decks: Path) -> None:
    package = _package(tmp_path / "nest.apkg", [(NESTED, "back", "nest-guid"), ("q", "a", "ok")])
    code, err = _import(str(package), "--deck", "mine/nest", "--dry-run")
    assert code == 0, err
    assert "Would add 1 card to deck mine/nest" in err
    assert "Skipped note nest-guid: its HTML is nested too deeply to convert" in err
    assert not (user_decks / "mine" / "nest.yaml").exists()


def test_installed_command_leaves_out_a_nested_note_without_a_traceback(
    tmp_path: Path, user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    exe = shutil.which("cvquiz")
    if exe is None:  # pragma: no cover - installed in every test environment
        pytest.skip("cvquiz is not installed")
    package = _package(tmp_path / "nest.apkg", [(NESTED, "back", "nest-guid"), ("q", "a", "ok")])
    proc = subprocess.run(
        [exe, "import", "anki", str(package), "--deck", "mine/nest"],
        env={**os.environ, **cvquiz_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "nest-guid" in proc.stderr
    assert (user_decks / "mine" / "nest.yaml").read_text(encoding="utf-8").count("- id:") == 1


def test_a_repeated_guid_keeps_the_first_note_and_a_reimport_changes_nothing(
    tmp_path: Path, user_decks: Path
) -> None:
    package = _package(
        tmp_path / "dup.apkg",
        [("first q", "first a", "dup-guid"), ("second q", "second a", "dup-guid"), ("o", "a", "o")],
    )
    code, err = _import(str(package), "--deck", "mine/dup")
    assert code == 0, err
    assert "Added 2 cards to deck mine/dup" in err
    assert "Skipped note dup-guid: an earlier note of the package has the same GUID" in err
    deck = (user_decks / "mine" / "dup.yaml").read_text(encoding="utf-8")
    assert "first q" in deck and "second q" not in deck
    code, err = _import(str(package), "--deck", "mine/dup")
    assert code == 0, err
    assert "Added 0 cards to deck mine/dup" in err and "0 updated, 2 unchanged" in err
    assert "Kept" not in err
    assert (user_decks / "mine" / "dup.yaml").read_text(encoding="utf-8") == deck


def test_a_deck_of_both_duplicates_from_before_is_left_as_it_is(
    tmp_path: Path, user_decks: Path
) -> None:
    """A deck an earlier cvquiz made of both notes: the first note is its first card, unchanged."""
    package = _package(
        tmp_path / "dup.apkg",
        [("first q", "first a", "dup-guid"), ("second q", "second a", "dup-guid")],
    )
    code, err = _import(str(package), "--deck", "mine/dup")
    assert code == 0, err
    path = user_decks / "mine" / "dup.yaml"
    first = path.read_text(encoding="utf-8")
    card = first[first.index("  - id: first-q") :]
    path.write_text(first + "\n" + card.replace("first", "second"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    code, err = _import(str(package), "--deck", "mine/dup")
    assert code == 0, err
    assert "0 updated, 1 unchanged" in err and "Kept" not in err
    assert path.read_text(encoding="utf-8") == before


def test_a_package_of_only_cvquiz_notes_makes_no_deck_file(
    tmp_path: Path, user_decks: Path
) -> None:
    package = tmp_path / "pool.apkg"
    result = runner.invoke(app, ["export", "anki", "--deck", "pooling", "-o", str(package)])
    assert result.exit_code == 0, result.output
    code, err = _import(str(package), "--deck", "mine/ak")
    assert code == 0, err
    assert (
        "Nothing to add to deck mine/ak: every note of the package was exported by cvquiz." in err
    )
    assert "Added" not in err
    assert not (user_decks / "mine" / "ak.yaml").exists()
