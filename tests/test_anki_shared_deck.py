"""A shared deck made with the real Anki becomes a cvquiz deck: cards, Markdown, math, media, ids, updates.

The package is built with Anki's own API (Basic, "Basic (and reversed card)", "Basic (optional reversed
card)", Cloze with a hint, a note type of its own, HTML formatting, MathJax, an image) and exported in the
current format; `cvquiz import anki FILE --deck mine/shared` runs through the command line. Expected card text
is written out by hand here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

anki_collection = pytest.importorskip("anki.collection")
from anki.generic_pb2 import Empty  # noqa: E402
from anki.import_export_pb2 import ExportAnkiPackageOptions, ExportLimit  # noqa: E402

from cvquiz.anki.shared_deck import html_to_markdown  # noqa: E402
from cvquiz.cli.app import app  # noqa: E402

pytestmark = pytest.mark.slow
runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@dataclass
class Shared:
    """The module's Anki collection and its first export."""

    tmp: Path
    anki: Any
    package: Path
    guids: dict[str, str]


def _export(anki: Any, path: Path) -> Path:
    anki.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
        limit=ExportLimit(whole_collection=Empty()),
    )
    return path


def _add(anki: Any, notetype: str, deck: int, tags: list[str], **fields: str) -> str:
    note = anki.new_note(anki.models.by_name(notetype))
    for name, value in fields.items():
        note[name.replace("_", " ")] = value
    note.tags = tags
    anki.add_note(note, deck)
    return str(note.guid)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    tmp = tmp_path_factory.mktemp("shared")
    (tmp / "anki").mkdir()
    anki = anki_collection.Collection(str(tmp / "anki" / "collection.anki2"))
    deck = anki.decks.id("CV Shared::Metrics")
    image = anki.media.write_data("iou diagram.png", PNG)
    guids = {
        "basic": _add(
            anki,
            "Basic",
            deck,
            ["cv::metrics", "shared"],
            Front=f'What is <b>IoU</b>?<div><img src="{image}"></div>',
            Back=r"<i>Intersection</i> over union: \(\frac{|A \cap B|}{|A \cup B|}\)",
        ),
        "reversed": _add(anki, "Basic (and reversed card)", deck, [], Front="stride", Back="step"),
        "optional": _add(
            anki,
            "Basic (optional reversed card)",
            deck,
            [],
            Front="pad",
            Back="zeros",
            Add_Reverse="",
        ),
        "cloze": _add(
            anki,
            "Cloze",
            deck,
            ["activations"],
            Text="{{c1::ReLU::activation}} is \\(\\max(0, x)\\); costs $0",
            Back_Extra="<ul><li>cheap</li><li>sparse</li></ul>",
        ),
        "display": _add(
            anki, "Basic", deck, [], Front="Softmax?", Back=r"\[\sigma(z)_i = e^{z_i} / Z\]"
        ),
    }
    own = anki.models.new("Vocab")
    for name in ("Term", "Meaning", "Example"):
        anki.models.add_field(own, anki.models.new_field(name))
    template = anki.models.new_template("Card 1")
    template["qfmt"], template["afmt"] = "{{Term}}", "{{Meaning}}"
    anki.models.add_template(own, template)
    anki.models.add(own)
    guids["own"] = _add(
        anki, "Vocab", deck, [], Term="NMS", Meaning="non-max suppression", Example="YOLO"
    )
    # study two cards in Anki
    anki.decks.select(deck)
    for _ in range(2):
        queued = anki.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = anki.get_card(queued.card.id)
        card.start_timer()
        anki.sched.answer_card(anki.sched.build_answer(card=card, states=queued.states, rating=2))
    package = _export(anki, tmp / "shared.apkg")
    yield Shared(tmp, anki, package, guids)
    anki.close()


def _import(*args: str) -> Any:
    result = runner.invoke(app, ["import", "anki", *args])
    assert result.exit_code == 0, result.output
    return result


def _cards(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cards"]}


def _by_guid(cards: dict[str, dict[str, Any]], guid: str) -> dict[str, Any]:
    from cvquiz.cards import key_tag

    tag = key_tag(f"anki:{guid}")
    (card,) = [c for i, c in cards.items() if i.endswith("-" + tag)]
    return card


def test_shared_deck_becomes_a_checked_deck(shared: Shared, user_decks: Path) -> None:
    result = _import(str(shared.package), "--deck", "mine/shared", "--with-progress")
    path = user_decks / "mine" / "shared.yaml"
    assert "Added 6 cards to deck mine/shared" in result.stderr
    assert "'Vocab': mapped by its first two fields" in result.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["deck"], data["name"]) == ("mine/shared", "CV Shared::Metrics")
    cards = _cards(path)
    basic = _by_guid(cards, shared.guids["basic"])
    assert basic["type"] == "basic"
    assert basic["question"] == "What is **IoU**?\n![](media/shared/iou%20diagram.png)"
    assert basic["answer"] == r"*Intersection* over union: $\frac{|A \cap B|}{|A \cup B|}$"
    assert basic["tags"] == ["cv::metrics", "shared"]
    assert _by_guid(cards, shared.guids["reversed"])["type"] == "reversed"
    assert _by_guid(cards, shared.guids["optional"])["type"] == "basic"
    cloze = _by_guid(cards, shared.guids["cloze"])
    assert cloze["type"] == "cloze"
    assert cloze["question"] == r"{{c1::ReLU::activation}} is $\max(0, x)$; costs \$0"
    assert cloze["answer"] == "- cheap\n- sparse"
    assert _by_guid(cards, shared.guids["display"])["answer"] == r"$$\sigma(z)_i = e^{z_i} / Z$$"
    own = _by_guid(cards, shared.guids["own"])
    assert (own["question"], own["answer"], own["explanation"]) == (
        "NMS",
        "non-max suppression",
        "YOLO",
    )
    assert (user_decks / "mine" / "media" / "shared" / "iou diagram.png").read_bytes() == PNG
    check = runner.invoke(app, ["check", str(path)])
    assert check.exit_code == 0, check.output


def test_progress_comes_along(shared: Shared, user_decks: Path, cvquiz_env: dict[str, str]) -> None:
    _import(str(shared.package), "--deck", "mine/shared", "--with-progress")
    import sqlite3

    conn = sqlite3.connect(cvquiz_env["CVQUIZ_COLLECTION"])
    rows = conn.execute(
        """SELECT c.card_id, s.state FROM reviews r JOIN cards c ON c.pk = r.card_pk
           JOIN schedule s ON s.card_pk = c.pk WHERE c.deck_id = 'mine/shared'"""
    ).fetchall()
    conn.close()
    assert len(rows) == 2 and all(state != 0 for _, state in rows)


def test_cards_render_in_the_terminal(shared: Shared, user_decks: Path) -> None:
    import io

    from rich.console import Console

    from cvquiz.cli.render import card_markdown

    _import(str(shared.package), "--deck", "mine/shared")
    cards = _cards(user_decks / "mine" / "shared.yaml")
    console = Console(file=io.StringIO(), width=80)
    console.print(card_markdown(_by_guid(cards, shared.guids["basic"])["question"]))
    console.print(card_markdown(_by_guid(cards, shared.guids["basic"])["answer"]))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "What is IoU?" in text and "[image: iou diagram.png]" in text
    assert "Intersection over union: |A ∩ B|" in text


def test_reimport_adds_nothing_and_a_newer_version_updates_in_place(
    shared: Shared, user_decks: Path, cvquiz_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(str(shared.package), "--deck", "mine/shared")
    path = user_decks / "mine" / "shared.yaml"
    first = path.read_text(encoding="utf-8")
    again = _import(str(shared.package), "--deck", "mine/shared")
    assert "Added 0 cards" in again.stderr and "0 updated, 6 unchanged" in again.stderr
    assert path.read_text(encoding="utf-8") == first
    # the deck's author fixes a note and shares the deck again
    nid = shared.anki.db.scalar("SELECT id FROM notes WHERE guid = ?", shared.guids["reversed"])
    note = shared.anki.get_note(nid)
    note["Back"] = "the step of the kernel"
    shared.anki.update_note(note)
    newer = _export(shared.anki, shared.tmp / "shared-v2.apkg")
    later = datetime.fromtimestamp(note.mod, UTC) - timedelta(days=1)
    monkeypatch.setenv("CVQUIZ_NOW", later.isoformat())  # the first import happened before the fix
    updated = _import(str(newer), "--deck", "mine/shared")
    assert "Added 0 cards" in updated.stderr and "1 updated, 5 unchanged" in updated.stderr
    cards = _cards(path)
    assert _by_guid(cards, shared.guids["reversed"])["answer"] == "the step of the kernel"
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(first.splitlines())


def test_a_card_edited_since_the_import_is_kept(
    shared: Shared, user_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(str(shared.package), "--deck", "mine/shared")
    path = user_decks / "mine" / "shared.yaml"
    text = path.read_text(encoding="utf-8").replace("answer: zeros", "answer: zero padding")
    path.write_text(text, encoding="utf-8")
    nid = shared.anki.db.scalar("SELECT id FROM notes WHERE guid = ?", shared.guids["optional"])
    note = shared.anki.get_note(nid)
    note["Back"] = "zeros around the border"
    shared.anki.update_note(note)
    newer = _export(shared.anki, shared.tmp / "shared-v3.apkg")
    edited = datetime.fromtimestamp(note.mod, UTC) + timedelta(days=1)
    monkeypatch.setenv("CVQUIZ_NOW", edited.isoformat())  # the deck file was edited after the note
    result = _import(str(newer), "--deck", "mine/shared")
    pad = _by_guid(_cards(path), shared.guids["optional"])
    assert re.search(r"Kept \d+ cards? you changed since the last import", result.stderr)
    assert pad["id"] in result.stderr.split("since the last import:")[1]
    assert _by_guid(_cards(path), shared.guids["optional"])["answer"] == "zero padding"


def test_the_deck_goes_back_to_anki_with_its_image(shared: Shared, user_decks: Path) -> None:
    _import(str(shared.package), "--deck", "mine/shared")
    out = user_decks.parent / "back.apkg"
    result = runner.invoke(app, ["export", "anki", "-d", "mine/shared", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert zf.read("media") == b'{"0": "iou diagram.png"}'
        assert zf.read("0") == PNG
    (user_decks.parent / "fresh").mkdir()
    fresh = anki_collection.Collection(str(user_decks.parent / "fresh" / "collection.anki2"))
    try:
        fresh.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(
                package_path=str(out), options=anki_collection.ImportAnkiPackageOptions()
            )
        )
        fronts = [fresh.get_note(n)["Front"] for n in fresh.find_notes("IoU")]
        assert fronts == ['What is <strong>IoU</strong>?<br>\n<img src="iou diagram.png" alt="">']
        assert Path(fresh.media.dir(), "iou diagram.png").read_bytes() == PNG
        assert fresh._backend.check_database() == []
    finally:
        fresh.close()


def test_installed_command_converts_a_shared_deck(
    shared: Shared, tmp_path: Path, cvquiz_env: dict[str, str]
) -> None:
    exe = shutil.which("cvquiz")
    if exe is None:  # pragma: no cover - installed in every test environment
        pytest.skip("cvquiz is not installed")
    proc = subprocess.run(
        [exe, "--lang", "zh", "import", str(shared.package), "--deck", "mine/cli", "--dry-run"],
        env={**os.environ, **cvquiz_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "将向牌组 mine/cli" in proc.stderr
    assert not (Path(cvquiz_env["CVQUIZ_DECKS"]) / "mine" / "cli.yaml").exists()


def test_a_package_of_only_foreign_notes_needs_a_deck(shared: Shared) -> None:
    result = runner.invoke(app, ["import", "anki", str(shared.package)])
    assert result.exit_code == 2
    assert "none of its 6 notes was exported by cvquiz" in result.stderr
    assert "--deck mine/NAME" in result.stderr


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("line one<br>line two", "line one\nline two"),
        ("<div>a</div><div><b>b</b></div>", "a\n**b**"),
        ("a_b * c &amp; d", r"a\_b \* c & d"),
        (r"\(a &lt; b\)", "$a < b$"),
        (r"\( x_1 \)", "$x_1$"),
        (r"[$]y^2[/$] and [$$]z[/$$]", "$y^2$ and $$z$$"),
        ("x<sup>2</sup>", "x^2^"),
        ("<code>$PATH</code>", "`$PATH`"),
        ("<table><tr><th>a</th></tr><tr><td>1</td></tr></table>", "| a |\n| --- |\n| 1 |"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html)[0] == markdown


def test_a_converted_deck_is_named_when_the_deck_is_left_out(
    shared: Shared, user_decks: Path
) -> None:
    _import(str(shared.package), "--deck", "mine/shared")
    result = runner.invoke(app, ["import", str(shared.package)])
    assert result.exit_code == 2
    assert "its notes are your deck mine/shared" in result.stderr
    assert "--deck mine/shared --with-progress" in result.stderr


def test_with_progress_needs_a_package_and_a_deck(shared: Shared, user_decks: Path) -> None:
    result = runner.invoke(app, ["import", "anki", str(shared.package), "--with-progress"])
    assert result.exit_code == 2 and "name the deck with --deck" in result.stderr
    notes = user_decks / "notes.txt"
    notes.write_text("front\tback\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--deck", "mine/t", "--with-progress"])
    assert result.exit_code == 2 and "--with-progress is for Anki packages" in result.stderr
    assert not (user_decks / "mine" / "t.yaml").exists()
