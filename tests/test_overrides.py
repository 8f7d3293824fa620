"""Editing a bundled card: the user's version in overrides/DECK.yaml replaces it under the same id (history kept),
survives a new version of the bundled deck, and --revert brings the bundled version back."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz import cards
from cvquiz.cards import overriding
from cvquiz.cli.app import app
from cvquiz.collection import Collection, SyncReport
from cvquiz.config import Settings
from cvquiz.deckfile.loader import load_deck
from cvquiz.errors import DeckError
from cvquiz.model import Rating, Text
from cvquiz.review_policy import record_review

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()

LOSSES = """\
deck: losses
name: Losses
tags: [losses]
cards:
  - id: ce
    question: {zh: 交叉熵是什么？, en: What is cross-entropy?}
    answer: -log p
    tags: [core]
  - id: focal
    question: Focal loss?
    answer: down-weights easy examples
"""


class World:
    def __init__(self, tmp: Path) -> None:
        self.user, self.bundled = tmp / "decks", tmp / "bundled"
        self.user.mkdir()
        self.bundled.mkdir()
        (self.bundled / "losses.yaml").write_text(LOSSES, encoding="utf-8")
        self.col = Collection.open(tmp / "c.sqlite")
        self.clock = NOW
        self.sync()

    def sync(self) -> SyncReport:
        self.clock += timedelta(seconds=1)
        return self.col.sync_decks(self.bundled, self.user, self.clock)

    def content(self, ref: str) -> dict[str, object]:
        """A card's fields as its deck file has them (text as written, not as `Text`)."""
        shown = cards.show(self.col, ref).content
        return {k: v.to_data() if isinstance(v, Text) else v for k, v in shown.items()}

    def pks(self, ref: str) -> tuple[int, ...]:
        return cards.resolve(self.col, ref).pks


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.col.close()


def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_your_version_replaces_the_bundled_card_and_keeps_its_history(world: World) -> None:
    pks = world.pks("losses/ce")
    record_review(world.col, pks[0], Rating.GOOD, NOW, Settings(fuzz=False))
    target = overriding.override_target(world.col, world.user, "losses/ce")
    path = Path(target.path)
    assert target.created and path == world.user / "overrides" / "losses.yaml"
    copy = load_deck(path)
    assert copy.overrides and copy.id == "losses" and [c.id for c in copy.cards] == ["ce"]
    assert copy.cards[0].tags == ("core",)  # the deck's own tags are not copied: sync adds them
    assert target.line == copy.cards[0].line
    edit_file(path, "answer: '-log p'", "answer: −log p_y (the true class's probability)")
    world.sync()
    shown = cards.show(world.col, "losses/ce")
    assert world.content("losses/ce")["answer"] == "−log p_y (the true class's probability)"
    assert shown.tags == ("core", "losses")
    assert (
        world.pks("losses/ce") == pks and len(shown.reviews) == 1
    )  # the same card, its history kept
    again = overriding.override_target(world.col, world.user, "ce")
    assert not again.created and again.path == str(path)


def test_a_new_bundled_version_leaves_your_version_in_place(world: World) -> None:
    path = Path(overriding.override_target(world.col, world.user, "losses/ce").path)
    edit_file(path, "answer: '-log p'", "answer: mine")
    world.sync()
    (world.bundled / "losses.yaml").write_text(
        LOSSES.replace("answer: -log p", "answer: upstream").replace(
            "Focal loss?", "What is focal loss?"
        ),
        encoding="utf-8",
    )
    world.sync()
    assert world.content("losses/ce")["answer"] == "mine"
    assert world.content("losses/focal")["question"] == "What is focal loss?"
    # a card the bundled deck drops stays, as you wrote it
    (world.bundled / "losses.yaml").write_text(LOSSES.split("  - id: ce")[0] + "  - id: focal\n"
                                               "    question: Focal loss?\n    answer: x\n", encoding="utf-8")  # fmt: skip
    world.sync()
    assert world.content("losses/ce")["answer"] == "mine"


def test_copying_a_bundled_card_waits_for_another_cvquiz_writing_the_decks_folder(
    world: World, tmp_path: Path
) -> None:
    """Two edits of cards of one bundled deck at once both keep their copy: the second copies into the file the
    first wrote, because each holds the decks folder's lock from reading the file to writing it."""
    import threading

    import yaml

    from cvquiz.deckfile.lock import decks_folder_lock

    overrides_file = world.user / "overrides" / "losses.yaml"
    done: list[str] = []

    def edit_in_another_process() -> None:  # its own connection, as another cvquiz would have
        with Collection.open(tmp_path / "c.sqlite") as col:
            done.append(overriding.override_target(col, world.user, "losses/focal").path)

    with decks_folder_lock(world.user):  # another cvquiz is writing
        other = threading.Thread(target=edit_in_another_process)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive() and not overrides_file.exists()  # it waits
        # meanwhile, this cvquiz writes its own copy of another card of the deck
        overrides_file.parent.mkdir(parents=True, exist_ok=True)
        overrides_file.write_text(
            "overrides: losses\ncards:\n  - id: ce\n    question: mine\n    answer: mine\n",
            encoding="utf-8",
        )
    other.join(timeout=30)
    assert done == [str(overrides_file)]
    ids = [card["id"] for card in yaml.safe_load(overrides_file.read_text())["cards"]]
    assert ids == ["ce", "focal"]  # the waiting copy was added to what the other wrote, not over it


def test_revert_brings_the_bundled_version_back(world: World) -> None:
    pks = world.pks("losses/ce")
    first = Path(overriding.override_target(world.col, world.user, "losses/ce").path)
    overriding.override_target(world.col, world.user, "losses/focal")
    edit_file(first, "answer: '-log p'", "answer: mine")
    edit_file(first, "answer: down-weights easy examples", "answer: also mine")
    world.sync()
    done = overriding.revert(world.col, world.user, "losses/ce")
    assert not done.removed_file
    world.sync()
    assert world.content("losses/ce")["answer"] == "-log p"
    assert world.content("losses/focal")["answer"] == "also mine"
    assert world.pks("losses/ce") == pks
    done = overriding.revert(world.col, world.user, "losses/focal")
    assert done.removed_file and not first.exists()
    world.sync()
    assert world.content("losses/focal")["answer"] == "down-weights easy examples"
    with pytest.raises(DeckError, match="no version of yours"):
        overriding.revert(world.col, world.user, "losses/focal")


def test_overrides_of_a_deck_that_is_not_bundled_are_a_problem(world: World) -> None:
    (world.user / "mine.yaml").write_text("deck: mine\nname: Mine\ncards: []\n", encoding="utf-8")
    (world.user / "odd.yaml").write_text(
        "overrides: mine\ncards:\n  - id: a\n    question: q\n    answer: a\n", encoding="utf-8"
    )
    report = world.sync()  # the file is skipped with a warning; every other deck syncs
    assert [(b.path, b.kept) for b in report.broken] == [(str(world.user / "odd.yaml"), None)]
    assert "overrides 'mine', which is not a bundled deck" in report.broken[0].problem


def test_your_own_cards_are_edited_where_they_are(world: World) -> None:
    (world.user / "mine.yaml").write_text(
        "deck: mine\nname: Mine\ncards:\n  - id: a\n    question: q\n    answer: a\n",
        encoding="utf-8",
    )
    world.sync()
    with pytest.raises(DeckError, match="is in your own deck"):
        overriding.override_target(world.col, world.user, "mine/a")


def test_edit_and_revert_commands(
    cvquiz_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvquiz.cli.context import Env

    monkeypatch.setattr(Env, "stdin_is_tty", property(lambda self: True))  # the editor needs one
    script = (
        tmp_path / "editor.py"
    )  # an editor that gives the card at the given line a question of its own
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            """
            import sys
            line, path = int(sys.argv[-2].lstrip("+")), sys.argv[-1]
            lines = open(path, encoding="utf-8").read().split("\\n")
            assert lines[line - 1] == "  - id: ce-setup", lines[line - 1]
            mine = ["  - id: ce-setup", "    question: My question", "    answer: My answer", ""]
            open(path, "w", encoding="utf-8").write("\\n".join(lines[: line - 1] + mine))
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    ref = "losses/ce-setup"
    before = json.loads(runner.invoke(app, ["show", ref, "--json"]).stdout)
    result = runner.invoke(app, ["edit", ref])
    assert result.exit_code == 0, result.output
    assert "Copied losses/ce-setup into" in result.stderr
    overrides_file = Path(cvquiz_env["CVQUIZ_DECKS"]) / "overrides" / "losses.yaml"
    shown = json.loads(runner.invoke(app, ["show", ref, "--json"]).stdout)
    assert shown["content"]["question"] == {"zh": "My question", "en": "My question"}
    assert shown["content"]["answer"] == {"zh": "My answer", "en": "My answer"}
    assert shown["tags"] == [
        "losses"
    ]  # the deck's tags still apply; the card's own went with the edit
    result = runner.invoke(app, ["edit", ref, "--revert"])
    assert result.exit_code == 0 and "Reverted losses/ce-setup" in result.stdout
    assert not overrides_file.exists()
    shown = json.loads(runner.invoke(app, ["show", ref, "--json"]).stdout)
    assert shown["content"] == before["content"]
