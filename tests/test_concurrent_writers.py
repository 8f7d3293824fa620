"""Several cvquiz processes at once, through the installed ``cvquiz``: tag changes, adds, backups.

``tag add``/``tag remove`` (and the undo of one) read a deck file, change its cards' tags and write it back; they
hold the decks folder's write lock for that, as ``add``, ``import`` and ``edit`` do, so no process writes over
a card or a tag another one has just written.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cvquiz.deckfile.loader import load_deck
from tests._faults import cvquiz_command, run


def _start(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [cvquiz_command(), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_tags_and_cards_written_at_once_are_all_kept(user_decks: Path) -> None:
    for number in range(5):
        done = run([cvquiz_command(), "add", "--deck", "mine/t", "-q", f"card {number}", "-a", "a"])
        assert done.returncode == 0, done.stderr
    processes = []
    for number in range(4):
        processes.append(_start("tag", "add", f"tag{number}", "deck:mine/t", "--yes"))
        processes.append(_start("add", "--deck", "mine/t", "-q", f"late {number}", "-a", "a"))
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    deck = load_deck(user_decks / "mine" / "t.yaml")
    questions = {card.question.en: card for card in deck.cards if card.question is not None}
    assert {f"late {n}" for n in range(4)} <= set(questions)  # no card written over
    for number in range(5):  # every tag on every card that was there when the tags were added
        assert set(questions[f"card {number}"].tags) == {f"tag{n}" for n in range(4)}
    found = run([cvquiz_command(), "search", "tag:tag0", "--json"])
    assert found.returncode == 0, found.stderr


def test_backups_made_in_the_same_second_by_several_cvquiz_all_succeed(
    user_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They shared one temporary name: one failed with 'disk input/output error' on the other's file."""
    assert run([cvquiz_command(), "decks"]).returncode == 0  # the collection exists
    monkeypatch.setenv("CVQUIZ_NOW", "2026-03-02T09:00:00+00:00")  # one second for all
    processes = [_start("backups", "--now") for _ in range(6)]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0 and "Warning" not in err, err
    folder = Path(os.environ["CVQUIZ_COLLECTION"]).parent / "backups"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary left
