"""The export's note cache and bulk writer: a re-export renders only what changed and writes what genanki writes.

The writer is held against genanki's own ``Package.write_to_db`` (the reference: the library itself, table by
table); the cache against the package a first export wrote (byte for byte) and against the entries that
really changed (counted by watching the renderer). A read-only collection exports without caching:
tests/test_cli_collection_faults.py holds its file unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import genanki
import pytest

from cvquiz.anki import exporter, notetypes
from cvquiz.anki.apkg_writer import PackageNote, card_ords, write_collection
from cvquiz.anki.exporter import AnkiExportOptions, export_anki, note_guid
from cvquiz.collection import Collection
from cvquiz.config import Settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = """
deck: small
name: Small::Cache
cards:
  - {id: a, question: "alpha **question**", answer: alpha, tags: [one]}
  - {id: b, question: beta question, answer: "$x_i * 2$"}
  - {id: c, type: reversed, question: gamma question, answer: gamma}
  - {id: d, type: cloze, question: "{{c1::delta}} and {{c3::epsilon}}"}
  - id: e
    type: compute
    generator: conv2d_output_shape
    params: {stride: [1], dilation: [1], groups: [1], padding: [0, 1], square: [true]}
"""


# --- the writer ----------------------------------------------------------------------------------------------


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("col", "notes", "cards", "revlog", "graves")
    }


def test_the_writer_writes_what_genanki_writes() -> None:
    models = {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}
    basic, reversed_, cloze, compute = (
        models[nt.id]
        for nt in (notetypes.BASIC, notetypes.REVERSED, notetypes.CLOZE, notetypes.COMPUTE)
    )
    specs: list[tuple[int, str, list[tuple[Any, tuple[str, ...], tuple[str, ...]]]]] = [
        (1 << 40, "A::one", [(basic, ("front", "back", "", ""), ("t1", "t::2"))]),
        (
            1 << 41,
            "B",
            [
                (reversed_, ("front", "back", "x", ""), ()),
                (reversed_, ("front only", "", "", ""), ("t1",)),
                (cloze, ("{{c1::a}} {{c3::b}} {{c2::c}}", "", "", ""), ()),
                (compute, ("prompt", "42", "why", "gen", "7"), ("c",)),
                (basic, ("second deck's basic", "b", "", ""), ()),
            ],
        ),
    ]
    timestamp = NOW.timestamp()
    # genanki's way: one Note object per note, written by the library
    reference = sqlite3.connect(":memory:")
    decks = []
    due = 0
    for deck_id, name, notes in specs:
        deck = genanki.Deck(deck_id, name, "desc")
        for model, fields, tags in notes:
            guid = f"g{due}"
            deck.add_note(
                genanki.Note(model=model, fields=list(fields), guid=guid, tags=tags, due=due)
            )
            due += 1
        decks.append(deck)
    genanki.Package(decks).write_to_db(
        reference.cursor(), timestamp, iter(range(int(timestamp * 1000), 1 << 62))
    )
    reference.execute("UPDATE notes SET mod = 1234")
    # ours
    ours = sqlite3.connect(":memory:")
    batches = []
    due = 0
    for deck_id, name, notes in specs:
        batch = []
        for model, fields, tags in notes:
            ords = card_ords(model, fields)
            batch.append(PackageNote(model, fields, f"g{due}", tags, ords, 1234, due))
            due += 1
        batches.append((genanki.Deck(deck_id, name, "desc"), batch))
    write_collection(ours, batches, timestamp)
    expected, got = _tables(reference), _tables(ours)
    assert got == expected
    assert len(got["cards"]) == 1 + 2 + 1 + 3 + 1 + 1


def test_card_ords_are_genankis() -> None:
    cloze = notetypes.CLOZE.model()
    assert card_ords(cloze, ("{{c2::a}} {{c5::b}}", "", "", "")) == (1, 4)
    reversed_ = notetypes.REVERSED.model()
    assert card_ords(reversed_, ("q", "a", "", "")) == (0, 1)
    assert card_ords(reversed_, ("q", "", "", "")) == (0,)


def test_card_ords_keep_genankis_warning_about_stray_angle_brackets() -> None:
    with pytest.warns(UserWarning, match="invalid HTML tags"):
        card_ords(notetypes.BASIC.model(), ("if a < b > c", "d", "", ""))


# --- the cache -----------------------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Collection, Path]]:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "small.yaml").write_text(DECK, encoding="utf-8")
    (tmp_path / "bundled").mkdir()
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(tmp_path / "bundled", user, NOW - timedelta(days=1))
    yield col, user
    col.close()


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple[int, ...]]]:
    """Every (deck, card, instances) the exporter renders, in order."""
    calls: list[tuple[str, str, tuple[int, ...]]] = []
    real = exporter._render

    def spy(deck_id: str, card: Any, lang: str, indices: Any, models: Any) -> Any:
        calls.append((deck_id, card.id, tuple(indices)))
        return real(deck_id, card, lang, indices, models)

    monkeypatch.setattr(exporter, "_render", spy)
    return calls


def _export(col: Collection, out: Path, **options: Any) -> bytes:
    export_anki(col, out, NOW, Settings(), AnkiExportOptions(**options))
    return out.read_bytes()


def _cached_rows(col: Collection) -> list[tuple[str, str, str, int]]:
    return col.conn.execute(
        "SELECT deck_id, card_id, lang, instance FROM anki_note_cache ORDER BY 1, 2, 3, 4"
    ).fetchall()


def test_a_re_export_renders_nothing_and_writes_the_same_bytes(
    small: tuple[Collection, Path],
    tmp_path: Path,
    rendered: list[tuple[str, str, tuple[int, ...]]],
) -> None:
    col, _ = small
    first = _export(col, tmp_path / "1.apkg", instances=2)
    assert sorted(rendered) == [
        ("small", "a", (0,)),
        ("small", "b", (0,)),
        ("small", "c", (0,)),
        ("small", "d", (0,)),
        ("small", "e", (0,)),
        ("small", "e", (1,)),
    ]
    rendered.clear()
    again = _export(col, tmp_path / "2.apkg", instances=2)
    assert rendered == []
    assert again == first


def test_an_edited_card_alone_is_rendered_again(
    small: tuple[Collection, Path],
    tmp_path: Path,
    rendered: list[tuple[str, str, tuple[int, ...]]],
) -> None:
    col, user = small
    _export(col, tmp_path / "1.apkg")
    (user / "small.yaml").write_text(
        DECK.replace("answer: alpha,", "answer: ALPHA,"), encoding="utf-8"
    )
    col.sync_decks(tmp_path / "bundled", user, NOW)
    rendered.clear()
    package = tmp_path / "2.apkg"
    _export(col, package)
    assert rendered == [("small", "a", (0,))]
    # the package holds the new text: the same as a collection without a cache writes
    col.conn.execute("DELETE FROM anki_note_cache")
    assert _export(col, tmp_path / "3.apkg") == package.read_bytes()
    assert note_guid("small", "a") in _notes(package)
    assert _notes(package)[note_guid("small", "a")][1] == "ALPHA"


def _notes(package: Path) -> dict[str, list[str]]:
    import zipfile

    data = zipfile.ZipFile(package).read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    return {guid: flds.split("\x1f") for guid, flds in conn.execute("SELECT guid, flds FROM notes")}


def test_each_language_and_instance_is_cached_on_its_own(
    small: tuple[Collection, Path],
    tmp_path: Path,
    rendered: list[tuple[str, str, tuple[int, ...]]],
) -> None:
    col, _ = small
    _export(col, tmp_path / "en.apkg", lang="en", instances=2)
    first = list(rendered)
    rendered.clear()
    _export(col, tmp_path / "zh.apkg", lang="zh", instances=2)
    assert sorted(rendered) == sorted(first)  # another language: everything anew
    rendered.clear()
    _export(col, tmp_path / "en3.apkg", lang="en", instances=3)
    assert rendered == [("small", "e", (2,))]  # only the compute card's new instance
    assert ("small", "e", "en", 2) in _cached_rows(col)


def test_another_renderer_renders_everything_again(
    small: tuple[Collection, Path],
    tmp_path: Path,
    rendered: list[tuple[str, str, tuple[int, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    col, _ = small
    _export(col, tmp_path / "1.apkg")
    first = list(rendered)
    rendered.clear()
    monkeypatch.setattr(exporter, "renderer_fingerprint", lambda: "another renderer")
    _export(col, tmp_path / "2.apkg")
    assert sorted(rendered) == sorted(first)
    assert {card for _, card, _ in rendered} == {"a", "b", "c", "d", "e"}


def test_cards_gone_from_the_decks_leave_the_cache(
    small: tuple[Collection, Path], tmp_path: Path
) -> None:
    col, user = small
    _export(col, tmp_path / "1.apkg", instances=1)
    assert {row[1] for row in _cached_rows(col)} == {"a", "b", "c", "d", "e"}
    lines = [line for line in DECK.splitlines() if "{id: b," not in line]
    (user / "small.yaml").write_text("\n".join(lines), encoding="utf-8")
    col.sync_decks(tmp_path / "bundled", user, NOW)
    _export(col, tmp_path / "2.apkg", instances=1)
    assert {row[1] for row in _cached_rows(col)} == {"a", "c", "d", "e"}


def test_an_export_of_some_decks_keeps_the_others_cached(
    small: tuple[Collection, Path], tmp_path: Path
) -> None:
    col, _ = small
    _export(col, tmp_path / "1.apkg", instances=1)
    before = _cached_rows(col)
    _export(col, tmp_path / "2.apkg", instances=1, tags=("one",))
    assert _cached_rows(col) == before


def test_the_renderer_fingerprint_covers_the_generators_source() -> None:
    root = Path(exporter.__file__).resolve().parent.parent
    sources = {
        p.relative_to(root).as_posix()
        for pattern in exporter._RENDERER_SOURCES
        for p in root.glob(pattern)
    }
    assert {"anki/html.py", "anki/notetypes.py", "generators/core.py", "mathtext.py"} <= sources
    assert len(exporter.renderer_fingerprint()) == 16


TWINS = """
deck: twins
name: Twins
cards:
  - id: p
    type: compute
    generator: conv2d_output_shape
    params: {{batch: [1], channels: [3], size: [32], square: [true], out_channels: [8], kernel: [3],
              stride: [1], padding: {p}, dilation: [1], groups: [1]}}
  - id: q
    type: compute
    generator: conv2d_output_shape
    params: {{batch: [1], channels: [3], size: [32], square: [true], out_channels: [8], kernel: [3],
              stride: [1], padding: [0, 1], dilation: [1], groups: [1]}}
"""


def test_compute_notes_of_one_export_never_share_a_prompt_even_from_the_cache(
    tmp_path: Path, rendered: list[tuple[str, str, tuple[int, ...]]]
) -> None:
    """q's two problems are p's two: q keeps only its first (instance 0 always stays); once p changes, q's
    second comes back, though q itself is unchanged and comes from the cache."""
    user = tmp_path / "decks"
    user.mkdir()
    (tmp_path / "bundled").mkdir()
    deck = user / "twins.yaml"
    deck.write_text(TWINS.format(p="[0, 1]"), encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(tmp_path / "bundled", user, NOW - timedelta(days=1))
    _export(col, tmp_path / "1.apkg", instances=2)
    fronts = [fields[0] for fields in _notes(tmp_path / "1.apkg").values()]
    assert len(fronts) == 3 and len(set(fronts)) == 2  # p: both problems; q: its first only
    deck.write_text(TWINS.format(p="[same]"), encoding="utf-8")
    col.sync_decks(tmp_path / "bundled", user, NOW)
    rendered.clear()
    warm = _export(col, tmp_path / "2.apkg", instances=2)
    assert {card for _, card, _ in rendered} == {"p"}  # q's problems all come from the cache
    fronts = [fields[0] for fields in _notes(tmp_path / "2.apkg").values()]
    assert len(fronts) == len(set(fronts)) == 1 + 2
    col.conn.execute("DELETE FROM anki_note_cache")
    assert _export(col, tmp_path / "3.apkg", instances=2) == warm
    col.close()


def test_a_deck_description_is_rendered_once_and_outlives_a_prune(
    small: tuple[Collection, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col, user = small
    described = "deck: described\nname: Described\ndescription: 'Sizes: *fan_in* and `ceil_mode`'\n"
    (user / "described.yaml").write_text(
        described + "cards:\n  - {id: x, question: q, answer: a}\n", encoding="utf-8"
    )
    col.sync_decks(tmp_path / "bundled", user, NOW)
    texts: list[str] = []
    real = exporter.render_text

    def spy(text: Any, lang: str, **options: Any) -> str:
        texts.append(str(text))
        return real(text, lang, **options)

    monkeypatch.setattr(exporter, "render_text", spy)
    first = _export(col, tmp_path / "1.apkg")
    assert any("fan_in" in text for text in texts)
    assert ("described", "", "both", 0) in _cached_rows(col)
    texts.clear()
    # a card leaves its deck: the export prunes the cache, and keeps the description
    lines = [line for line in DECK.splitlines() if "{id: b," not in line]
    (user / "small.yaml").write_text("\n".join(lines), encoding="utf-8")
    col.sync_decks(tmp_path / "bundled", user, NOW)
    _export(col, tmp_path / "2.apkg")
    assert ("described", "", "both", 0) in _cached_rows(col)
    texts.clear()
    again = _export(col, tmp_path / "3.apkg")
    assert not any("fan_in" in text for text in texts)
    # the package holds the rendered description, the same as without a cache
    col.conn.execute("DELETE FROM anki_note_cache")
    assert _export(col, tmp_path / "4.apkg") == again
    assert "<em>fan_in</em>" in _deck_descriptions(first)
    (user / "described.yaml").write_text(
        described.replace("fan_in", "fan_out") + "cards:\n  - {id: x, question: q, answer: a}\n",
        encoding="utf-8",
    )
    col.sync_decks(tmp_path / "bundled", user, NOW)
    texts.clear()
    assert "<em>fan_out</em>" in _deck_descriptions(_export(col, tmp_path / "5.apkg"))


def _deck_descriptions(package: bytes) -> str:
    import io
    import json
    import zipfile

    data = zipfile.ZipFile(io.BytesIO(package)).read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    return " ".join(deck.get("desc", "") for deck in json.loads(decks).values())
