"""``cvquiz export anki``: the collection's decks as an Anki package (.apkg) that updates itself on re-import.

Each deck entry becomes one note of a cvquiz note type (`cvquiz.anki.notetypes`), in an Anki deck of the same
``::`` name whose id is derived from the cvquiz deck id. What makes a second export update the notes a user
already has instead of adding copies:

* a note's GUID is derived from (deck id, card id) only, never from its text;
* a note's modification time is when its content last changed in cvquiz (``cards.modified_at``), so Anki
  applies real edits and skips unchanged notes (and keeps a note the user edited in Anki since).

(Output that changes without the cards changing, such as another ``lang``, is not newer to Anki: import such a
package with "Update notes: Always".)

A compute card becomes ``instances`` notes, each one concrete problem with its answer and worked solution;
their seeds are derived from the card id, so the same export gives the same notes. Problems whose prompt an
earlier note of the card already has are skipped (Anki flags notes sharing a first field), so a card with a
small parameter space exports fewer notes. With ``with_progress`` the
scheduling and review history of studied cards are written into the package after genanki has built it
(`cvquiz.anki.progress`); a compute card's progress goes to its first instance.

Images a card shows (``![](media/deck/cat.png)``, beside its deck file) go into the package's media, the field
naming them by file name (`cvquiz.anki.export_media`). The package is built in memory and written atomically
(a temporary file beside the target, then a rename).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki

from cvquiz import clock
from cvquiz.anki import notetypes
from cvquiz.anki.export_media import MediaFiles
from cvquiz.anki.html import escape, render_text
from cvquiz.anki.progress import CardProgress, Timing, write_progress
from cvquiz.collection.export_queries import ExportDeck, ExportEntry, export_entries, reviews_of
from cvquiz.errors import CardNotFoundError, UsageError
from cvquiz.fileio import write_output
from cvquiz.model import Card, CardType, Text

if TYPE_CHECKING:
    from cvquiz.collection import Collection
    from cvquiz.config import Settings

__all__ = [
    "DEFAULT_OPTIONS",
    "LANGS",
    "AnkiExportOptions",
    "AnkiExportResult",
    "anki_tags",
    "deck_id_for",
    "export_anki",
    "instance_seed",
    "note_fields",
    "note_guid",
]

LANGS = ("zh", "en", "both")
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while notes are built."""


@dataclass(frozen=True)
class AnkiExportOptions:
    """What to export and how.

    Attributes:
        decks: deck ids or id prefixes; empty means every deck.
        tags: tags (a tag also matches its children); empty means every tag.
        lang: ``"zh"``, ``"en"`` or ``"both"``.
        instances: notes per compute card.
        with_progress: write scheduling and review history.
    """

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    lang: str = "both"
    instances: int = 5
    with_progress: bool = False

    def check(self) -> None:
        """Raise `UsageError` for an unknown language or a non-positive instance count."""
        if self.lang not in LANGS:
            raise UsageError(f"--lang must be zh, en or both, not {self.lang!r}")
        if self.instances < 1:
            raise UsageError(f"--instances must be at least 1, not {self.instances}")


DEFAULT_OPTIONS = AnkiExportOptions()
"""Every deck and tag, both languages, 5 instances per compute card, no progress."""


@dataclass(frozen=True)
class AnkiExportResult:
    """What an export wrote.

    Attributes:
        path: the package file.
        decks: Anki decks in it.
        notes: notes in it.
        cards: cards in it.
        studied: cards written with their scheduling (``with_progress``).
        reviews: review-log rows written (``with_progress``).
    """

    path: Path
    decks: int
    notes: int
    cards: int
    studied: int = 0
    reviews: int = 0


# --- stable ids ------------------------------------------------------------------------------------------


def _hash_int(*parts: object) -> int:
    blob = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def deck_id_for(deck_id: str) -> int:
    """Return the Anki deck id of a cvquiz deck: derived from its id, in [2**30, 2**52).

    Args:
        deck_id: the cvquiz deck id.
    """
    return (1 << 30) + _hash_int("cvquiz deck", deck_id) % ((1 << 52) - (1 << 30))


def note_guid(deck_id: str, card_id: str, instance: int | None = None) -> str:
    """Return the GUID of the note a deck entry becomes (of one instance, for compute cards).

    Args:
        deck_id: the cvquiz deck id.
        card_id: the card id in that deck.
        instance: the compute instance's index, or None.
    """
    if instance is None:
        return str(genanki.guid_for("cvquiz", deck_id, card_id))
    return str(genanki.guid_for("cvquiz", deck_id, card_id, instance))


DRAWS_PER_INSTANCE = 10
"""Seeds tried per wanted compute instance before a card is exported with fewer, distinct, problems."""


def instance_seed(deck_id: str, card_id: str, instance: int) -> int:
    """Return the seed of a compute card's ``instance``-th exported problem (31 bits, from the card id)."""
    return _hash_int("cvquiz instance", deck_id, card_id, instance) >> 33


def compute_instances(
    card: Card, deck_id: str, count: int, first_field: Callable[[Any], str], seen: set[str]
) -> Iterator[tuple[int, int, Any, str]]:
    """The problems a compute card exports, as (index, seed, instance, first field).

    Anki flags notes of one type that share their first field, so a problem whose first field is already in
    ``seen`` (this card's earlier notes, or any earlier note of the export) is skipped and further seeds are
    drawn, up to `DRAWS_PER_INSTANCE` per wanted problem: a card with a small parameter space exports fewer
    notes. Instance 0 is always exported, since it carries the card's progress and the GUID reviews come back
    by. ``seen`` is updated.

    Args:
        card: the compute card.
        deck_id: its deck's id (seeds derive from it).
        count: how many problems are wanted.
        first_field: the note's first field for an instance.
        seen: first fields already exported.
    """
    # NumPy and the engine: imported only when there are compute cards
    from cvquiz.generators import generate

    found = 0
    for index in range(count * DRAWS_PER_INSTANCE):
        if found == count:
            return
        seed = instance_seed(deck_id, card.id, index)
        instance = generate(card, seed)
        field = first_field(instance)
        if index and field in seen:
            continue
        seen.add(field)
        found += 1
        yield index, seed, instance, field


_TAG_BAD = re.compile(r"\s+")


def anki_tags(tags: Sequence[str]) -> list[str]:
    """Return cvquiz tags as Anki tags: under ``cvquiz::``, spaces made ``_``, empty levels dropped.

    Args:
        tags: the card's tags (``detection``, ``notes::3``).

    Returns:
        e.g. ``["cvquiz::detection", "cvquiz::notes::3"]``, without duplicates.
    """
    out: dict[str, None] = {}
    for tag in tags:
        levels = [_TAG_BAD.sub("_", level.strip()) for level in tag.split("::")]
        levels = [level for level in levels if level]
        if levels:
            out["::".join(["cvquiz", *levels])] = None
    return list(out)


# --- notes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Note:
    """One note to write: its type, fields, identity and the cvquiz cards behind its Anki cards."""

    note_type: notetypes.NoteType
    fields: tuple[str, ...]
    guid: str
    tags: list[str]
    mod: int
    cards: tuple[tuple[int, Any], ...] = ()  # (Anki template ordinal, ExportCard)


def _source(url: str | None) -> str:
    if not url:
        return ""
    href = escape(url)
    return f'<a href="{href}">{href}</a>'


def _explanation(card: Card, lang: str) -> str:
    return render_text(card.explanation, lang)


def _notes_for(
    entry: ExportEntry,
    card: Card,
    options: AnkiExportOptions,
    tags: list[str],
    seen: set[str] | None = None,
) -> Iterator[_Note]:
    lang = options.lang
    mod = entry.modified_at // 1000
    deck_id = entry.deck.id
    if card.type is CardType.COMPUTE:
        yield from _compute_notes(entry, card, options, tags, seen)
        return
    if card.type is CardType.CODE:
        from cvquiz.anki.code import code_back, code_front

        fields = (
            code_front(card, lang),
            code_back(card, lang),
            _explanation(card, lang),
            _source(card.source),
        )
        note_type = notetypes.BASIC
        cards = tuple((c.ord, c) for c in entry.cards)
    elif card.type is CardType.CLOZE:
        fields = (
            render_text(card.question, lang, cloze=True),
            render_text(card.answer, lang),
            _explanation(card, lang),
            _source(card.source),
        )
        note_type = notetypes.CLOZE
        cards = tuple((c.ord - 1, c) for c in entry.cards)
    else:
        fields = (
            render_text(card.question, lang),
            render_text(card.answer, lang),
            _explanation(card, lang),
            _source(card.source),
        )
        note_type = notetypes.REVERSED if card.type is CardType.REVERSED else notetypes.BASIC
        cards = tuple((c.ord, c) for c in entry.cards)
    yield _Note(note_type, fields, note_guid(deck_id, card.id), tags, mod, cards)


def _compute_notes(
    entry: ExportEntry,
    card: Card,
    options: AnkiExportOptions,
    tags: list[str],
    seen: set[str] | None = None,
) -> Iterator[_Note]:
    lang = options.lang
    intro = render_text(card.question, lang) if card.question.strings() else ""
    explanation = _explanation(card, lang)

    def front(instance: Any) -> str:
        prompt = render_text(instance.prompt, lang)
        if intro:
            prompt = f"{intro}<br>\n{prompt}"
        if instance.hint is not None:
            prompt += f"<div class=meta>{render_text(instance.hint, lang)}</div>"
        return prompt

    seen = set() if seen is None else seen
    for index, seed, instance, prompt in compute_instances(
        card, entry.deck.id, options.instances, front, seen
    ):
        solution = render_text(instance.solution, lang)
        if explanation:
            solution += f"<hr>{explanation}"
        fields = (
            prompt,
            escape(instance.expected_text),
            solution,
            escape(instance.generator),
            str(seed),
        )
        cards = tuple((0, c) for c in entry.cards) if index == 0 else ()
        yield _Note(
            notetypes.COMPUTE,
            fields,
            note_guid(entry.deck.id, card.id, index),
            tags,
            entry.modified_at // 1000,
            cards,
        )


def note_fields(
    deck_id: str, card_id: str, content: dict[str, Any], lang: str
) -> dict[str, tuple[str, ...]]:
    """Return the fields an export in ``lang`` gives each note of a deck entry (a compute card's first problem).

    Args:
        deck_id: the deck id.
        card_id: the card id.
        content: the deck entry as plain data.
        lang: ``"zh"``, ``"en"`` or ``"both"``.

    Returns:
        Each note's fields, by GUID.
    """
    entry = ExportEntry(ExportDeck(deck_id, deck_id, None), card_id, content, 0, ())
    options = AnkiExportOptions(lang=lang, instances=1)
    return {n.guid: n.fields for n in _notes_for(entry, Card.from_data(content), options, [])}


# --- the package -----------------------------------------------------------------------------------------


def export_anki(
    col: Collection,
    out: Path,
    now: datetime,
    settings: Settings,
    options: AnkiExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> AnkiExportResult:
    """Export decks as an Anki package.

    Args:
        col: the collection (already synced).
        out: the .apkg file to write (replaced atomically), or a FIFO, a device or ``-`` (standard output)
            (see `cvquiz.fileio.write_output`).
        now: the time of the export (note and card ids are counted from it; day 0 of the progress).
        settings: the scheduler settings (rollover hour, desired retention, FSRS decay, steps).
        options: which decks and tags, the language, compute instances, progress.
        progress: called as notes are built, with (done, total) deck entries.

    Returns:
        What was written.

    Raises:
        UsageError: bad options.
        CardNotFoundError: a deck id that matches nothing, or nothing to export.
        GeneratorError: a compute card whose generator cannot draw a problem.
        FileError: when ``out`` is a folder or cannot be written (nothing is left half-written).
    """
    options.check()
    entries = export_entries(col, options.decks, options.tags)
    if not entries:
        raise CardNotFoundError("no cards match the given decks and tags; nothing to export")
    models = {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}
    decks: dict[str, genanki.Deck] = {}
    mods: list[tuple[int, str]] = []
    studied: list[tuple[str, int, Any]] = []
    notes = 0
    compute_fronts: set[str] = set()  # no two compute notes share a first field
    media = MediaFiles()
    for done, entry in enumerate(entries, 1):
        deck = decks.get(entry.deck.id)
        if deck is None:
            description = entry.deck.description
            deck = genanki.Deck(
                deck_id_for(entry.deck.id),
                entry.deck.name,
                render_text(
                    None if description is None else Text.from_data(description), options.lang
                ),
            )
            decks[entry.deck.id] = deck
        card = Card.from_data(entry.content)
        tags = anki_tags(card.tags)
        if options.with_progress and any(c.schedule["leech"] for c in entry.cards):
            tags = [*tags, "leech"]
        for note in _notes_for(entry, card, options, tags, compute_fronts):
            deck.add_note(
                genanki.Note(
                    model=models[note.note_type.id],
                    fields=list(media.rewrite(note.fields, entry.deck.path)),
                    guid=note.guid,
                    tags=note.tags,
                    due=notes,
                )
            )
            notes += 1
            mods.append((note.mod, note.guid))
            studied.extend(
                (note.guid, ord_, c) for ord_, c in note.cards if c.schedule["state"] != 0
            )
        if progress is not None:
            progress(done, len(entries))

    conn = sqlite3.connect(":memory:")
    try:
        timestamp = now.timestamp()
        package = genanki.Package(list(decks.values()))
        package.write_to_db(conn.cursor(), timestamp, iter(range(int(timestamp * 1000), 1 << 62)))
        # The package has no index on guid: match notes to their times in Python, update by id.
        note_ids = dict(conn.execute("SELECT guid, id FROM notes"))
        conn.executemany(
            "UPDATE notes SET mod = ? WHERE id = ?", [(mod, note_ids[guid]) for mod, guid in mods]
        )
        report = None
        if options.with_progress and studied:
            reviews: dict[int, list[Any]] = {}
            for review in reviews_of(col, [c.pk for _, _, c in studied]):
                reviews.setdefault(review.card_pk, []).append(review)
            timing = Timing(
                today=clock.study_day(now, settings.rollover_hour),
                rollover_hour=settings.rollover_hour,
                desired_retention=settings.desired_retention,
                decay=float(settings.parameters[20]),
                learning_steps=len(settings.learning_steps),
                relearning_steps=len(settings.relearning_steps),
            )
            report = write_progress(
                conn,
                (
                    CardProgress(guid, ord_, c.schedule, reviews.get(c.pk, ()))
                    for guid, ord_, c in studied
                ),
                timing,
            )
        conn.commit()
        (cards,) = conn.execute("SELECT COUNT(*) FROM cards").fetchone()
        blob = conn.serialize()
    finally:
        conn.close()

    stamp = now.astimezone(UTC).timetuple()[:6]  # the same export gives the same bytes

    package_bytes = io.BytesIO()
    with zipfile.ZipFile(package_bytes, "w") as zf:
        names = sorted(media.files)
        media_map = json.dumps({str(i): name for i, name in enumerate(names)}).encode()
        members = [("collection.anki2", blob), ("media", media_map)]
        members += [(str(i), media.data(name)) for i, name in enumerate(names)]
        for name, data in members:
            info = zipfile.ZipInfo(name, stamp)
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    write_output(out, package_bytes.getvalue())
    return AnkiExportResult(
        path=out,
        decks=len(decks),
        notes=notes,
        cards=int(cards),
        studied=0 if report is None else report.cards,
        reviews=0 if report is None else report.reviews,
    )
