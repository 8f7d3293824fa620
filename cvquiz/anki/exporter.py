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

Rendering is most of an export's work (Markdown and formulas to HTML, and drawing every compute instance), so
each rendered note is kept in the collection (`cvquiz.collection.anki_cache`), keyed by deck entry, language
and instance and checked against the entry's content hash and the renderer's own source
(`renderer_fingerprint`): a re-export renders only the entries that changed. The notes and cards are written in bulk (`cvquiz.anki.apkg_writer`).
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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import genanki

from cvquiz import clock
from cvquiz.anki import notetypes
from cvquiz.anki.apkg_writer import PackageNote, card_ords, write_collection
from cvquiz.anki.export_media import MediaFiles
from cvquiz.anki.html import escape, render_text
from cvquiz.anki.progress import CardProgress, Timing, write_progress
from cvquiz.collection.anki_cache import (
    CachedNote,
    CacheKey,
    cached_notes,
    prune_cached_notes,
    store_notes,
)
from cvquiz.collection.export_queries import ExportEntry, export_entries, reviews_of
from cvquiz.errors import CardNotFoundError, UsageError
from cvquiz.fileio import write_output
from cvquiz.i18n import _, current_language
from cvquiz.model import FORMER_DECK_IDS, Card, CardType, Text

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

T = TypeVar("T")
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
            raise UsageError(
                _("--lang must be zh, en or both, not {lang!r}").format(lang=self.lang)
            )
        if self.instances < 1:
            raise UsageError(_("--instances must be at least 1, not {n}").format(n=self.instances))


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
    # a renamed bundled deck stays the same Anki deck
    deck_id = FORMER_DECK_IDS.get(deck_id, deck_id)
    return (1 << 30) + _hash_int("cvquiz deck", deck_id) % ((1 << 52) - (1 << 30))


def note_guid(deck_id: str, card_id: str, instance: int | None = None) -> str:
    """Return the GUID of the note a deck entry becomes (of one instance, for compute cards).

    Args:
        deck_id: the cvquiz deck id.
        card_id: the card id in that deck.
        instance: the compute instance's index, or None.
    """
    deck_id = FORMER_DECK_IDS.get(deck_id, deck_id)  # a renamed bundled deck keeps its notes' GUIDs
    if instance is None:
        return str(genanki.guid_for("cvquiz", deck_id, card_id))
    return str(genanki.guid_for("cvquiz", deck_id, card_id, instance))


DRAWS_PER_INSTANCE = 10
"""Seeds tried per wanted compute instance before a card is exported with fewer, distinct, problems."""


def instance_seed(deck_id: str, card_id: str, instance: int) -> int:
    """Return the seed of a compute card's ``instance``-th exported problem (31 bits, from the card id)."""
    deck_id = FORMER_DECK_IDS.get(deck_id, deck_id)
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

    def draw(index: int) -> tuple[int, Any, str]:
        seed = instance_seed(deck_id, card.id, index)
        instance = generate(card, seed)
        return seed, instance, first_field(instance)

    for index, (seed, instance, field) in _choose(count, draw, lambda drawn: drawn[2], seen):
        yield index, seed, instance, field


def _choose(
    count: int, draw: Callable[[int], T], first_field: Callable[[T], str], seen: set[str]
) -> Iterator[tuple[int, T]]:
    """`compute_instances`' choice, over problems drawn by seed index as ``draw(index)``."""
    found = 0
    for index in range(count * DRAWS_PER_INSTANCE):
        if found == count:
            return
        problem = draw(index)
        field = first_field(problem)
        if index and field in seen:
            continue
        seen.add(field)
        found += 1
        yield index, problem


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

_RENDERER_SOURCES = (
    "anki/*.py",
    "generators/*.py",
    "engine/*.py",
    "mathtext.py",
    "model.py",
    "answers.py",
)
"""The code a note's fields, GUID, tags and cards come from, besides the card's content."""


@lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """Return a hash of the source of everything that renders notes (`_RENDERER_SOURCES`).

    A cached note is taken only when it was rendered by this very code: a new cvquiz version, or any change
    to the renderer, the note types or the compute generators, renders every note again.
    """
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for pattern in _RENDERER_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class _Rendered:
    """One note as rendered from its deck entry: what the note cache keeps.

    Attributes:
        note_type: the note type's model id.
        fields: the fields (HTML, before media names are put in).
        guid: the note's GUID.
        tags: the Anki tags of the card.
        ords: the cards genanki makes of it.
    """

    note_type: int
    fields: tuple[str, ...]
    guid: str
    tags: tuple[str, ...]
    ords: tuple[int, ...]

    def cached(self, source: str) -> CachedNote:
        """The note as the collection's cache keeps it (Anki's forms), with what it was rendered from."""
        fields, tags, ords = (
            "\x1f".join(self.fields),
            " ".join(self.tags),
            " ".join(map(str, self.ords)),
        )
        return source, self.note_type, self.guid, tags, fields, ords

    @classmethod
    def from_cache(cls, note: CachedNote) -> _Rendered:
        """The note a cache row holds."""
        _, note_type, guid, tags, fields, ords = note
        return cls(
            note_type,
            tuple(fields.split("\x1f")),
            guid,
            tuple(tags.split()),
            tuple(map(int, ords.split())),
        )


def _source(url: str | None) -> str:
    if not url:
        return ""
    href = escape(url)
    return f'<a href="{href}">{href}</a>'


def _explanation(card: Card, lang: str) -> str:
    return render_text(card.explanation, lang)


def _card_fields(card: Card, lang: str) -> tuple[notetypes.NoteType, tuple[str, ...]]:
    """The note type and fields of a basic, reversed, cloze or code entry."""
    if card.type is CardType.CODE:
        from cvquiz.anki.code import code_back, code_front

        sides = (code_front(card, lang), code_back(card, lang))
        return notetypes.BASIC, (*sides, _explanation(card, lang), _source(card.source))
    cloze = card.type is CardType.CLOZE
    fields = (
        render_text(card.question, lang, cloze=cloze),
        render_text(card.answer, lang),
        _explanation(card, lang),
        _source(card.source),
    )
    if cloze:
        return notetypes.CLOZE, fields
    return (notetypes.REVERSED if card.type is CardType.REVERSED else notetypes.BASIC), fields


def _compute_fields(
    deck_id: str, card: Card, lang: str, indices: Sequence[int]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The fields of the given instances of a compute card (each a problem drawn from its own seed)."""
    # NumPy and the engine: imported only when there are compute cards to draw
    from cvquiz.generators import generate

    intro = render_text(card.question, lang) if card.question.strings() else ""
    explanation = _explanation(card, lang)
    for index in indices:
        seed = instance_seed(deck_id, card.id, index)
        instance = generate(card, seed)
        prompt = render_text(instance.prompt, lang)
        if intro:
            prompt = f"{intro}<br>\n{prompt}"
        if instance.hint is not None:
            prompt += f"<div class=meta>{render_text(instance.hint, lang)}</div>"
        solution = render_text(instance.solution, lang)
        if explanation:
            solution += f"<hr>{explanation}"
        yield (
            index,
            (
                prompt,
                escape(instance.expected_text),
                solution,
                escape(instance.generator),
                str(seed),
            ),
        )


def _render(
    deck_id: str, card: Card, lang: str, indices: Sequence[int], models: dict[int, Any]
) -> Iterator[tuple[int, _Rendered]]:
    """Render the notes ``indices`` of a deck entry (a compute card's instances; 0 for any other card)."""
    tags = tuple(anki_tags(card.tags))
    if card.type is CardType.COMPUTE:
        note_type = notetypes.COMPUTE
        drawn = list(_compute_fields(deck_id, card, lang, indices))
        guids = [note_guid(deck_id, card.id, index) for index, _ in drawn]
    else:
        note_type, fields = _card_fields(card, lang)
        drawn = [(0, fields)]
        guids = [note_guid(deck_id, card.id)]
    for (index, fields), guid in zip(drawn, guids, strict=True):
        ords = card_ords(models[note_type.id], fields)
        yield index, _Rendered(note_type.id, fields, guid, tags, ords)


def _linked(entry: ExportEntry, kind: str, index: int) -> tuple[tuple[int, Any], ...]:
    """The cvquiz review cards behind a note's Anki cards: (Anki template ordinal, ExportCard).

    A compute card's progress goes to its first instance; a cloze deletion cN is Anki's card N - 1.
    """
    if kind == CardType.COMPUTE:
        return tuple((0, c) for c in entry.cards) if index == 0 else ()
    if kind == CardType.CLOZE:
        return tuple((c.ord - 1, c) for c in entry.cards)
    return tuple((c.ord, c) for c in entry.cards)


def _models() -> dict[int, Any]:
    return {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}


class _NoteCache:
    """The notes of an export: from the collection's cache when their source is unchanged, else rendered."""

    def __init__(self, col: Collection, entries: Sequence[ExportEntry], options: AnkiExportOptions):
        self.lang = options.lang
        self.instances = options.instances
        self.models = _models()
        self.cached = cached_notes(col, self.lang, [e.deck.id for e in entries])
        self.fresh: list[tuple[CacheKey, CachedNote]] = []
        self.seen: set[str] = set()  # the first fields of the export's compute notes
        self.hits = 0
        # a code card's labels ("Hints") are in the interface's language
        self.version = f"{renderer_fingerprint()}/{current_language()}"

    @property
    def stale(self) -> bool:
        """True when the cache holds notes of these decks that this export did not take."""
        return len(self.cached) > self.hits

    def notes(self, entry: ExportEntry) -> Iterator[tuple[int, _Rendered]]:
        """Each note of ``entry``: (instance, rendered note).

        A compute card's problems are chosen by `compute_instances`, each drawn from the cache or rendered;
        no two compute notes of the export share a first field (``self.seen``).
        """
        source = f"{self.version}/{entry.content_hash}" if entry.content_hash else ""
        parsed: list[Card] = []

        def note(index: int) -> _Rendered:
            if source:
                hit = self.cached.get((entry.deck.id, entry.card_id, index))
                if hit is not None and hit[0] == source:
                    self.hits += 1
                    return _Rendered.from_cache(hit)
            if not parsed:
                parsed.append(Card.from_data(entry.content))
            ((_, rendered),) = _render(entry.deck.id, parsed[0], self.lang, (index,), self.models)
            if source:
                self.fresh.append(((entry.deck.id, entry.card_id, index), rendered.cached(source)))
            return rendered

        if entry.type == CardType.COMPUTE:
            yield from _choose(self.instances, note, _first_field, self.seen)
        else:
            yield 0, note(0)

    def description(self, deck_id: str, description: Any) -> str:
        """A deck's description as HTML, from the cache while it is unchanged (its Markdown would otherwise
        load markdown-it on every export); kept under the card id ``""``."""
        if description is None:
            return ""
        data = json.dumps(description, ensure_ascii=False, sort_keys=True)
        source = f"{self.version}/description/{hashlib.sha256(data.encode()).hexdigest()[:16]}"
        hit = self.cached.get((deck_id, "", 0))
        if hit is not None and hit[0] == source:
            self.hits += 1
            return hit[4]
        html = render_text(Text.from_data(description), self.lang)
        self.fresh.append(((deck_id, "", 0), (source, 0, "", "", html, "")))
        return html


def _first_field(note: _Rendered) -> str:
    return note.fields[0]


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
    card = Card.from_data(content)
    return {n.guid: n.fields for _, n in _render(deck_id, card, lang, (0,), _models())}


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

    Notes whose deck entry is unchanged since an earlier export in the same language are taken from the
    collection's note cache (`cvquiz.collection.anki_cache`) instead of being rendered (and, for compute
    cards, drawn) again; the package is the same either way.

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
        raise CardNotFoundError(_("no cards match the given decks and tags; nothing to export"))
    cache = _NoteCache(col, entries, options)
    decks: dict[str, tuple[genanki.Deck, list[PackageNote]]] = {}
    studied: list[tuple[str, int, Any]] = []
    notes = 0
    media = MediaFiles()
    for done, entry in enumerate(entries, 1):
        deck = decks.get(entry.deck.id)
        if deck is None:
            deck = decks[entry.deck.id] = (
                genanki.Deck(
                    deck_id_for(entry.deck.id),
                    entry.deck.name,
                    cache.description(entry.deck.id, entry.deck.description),
                ),
                [],
            )
        leech = options.with_progress and any(c.schedule["leech"] for c in entry.cards)
        kind = entry.type
        for index, note in cache.notes(entry):
            deck[1].append(
                PackageNote(
                    model=cache.models[note.note_type],
                    fields=media.rewrite(note.fields, entry.deck.path),
                    guid=note.guid,
                    tags=(*note.tags, "leech") if leech else note.tags,
                    ords=note.ords,
                    mod=entry.modified_at // 1000,
                    due=notes,
                )
            )
            notes += 1
            studied.extend(
                (note.guid, ord_, c)
                for ord_, c in _linked(entry, kind, index)
                if c.schedule["state"] != 0
            )
        if progress is not None:
            progress(done, len(entries))

    conn = sqlite3.connect(":memory:")
    try:
        write_collection(conn, list(decks.values()), now.timestamp())
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
    store_notes(col, options.lang, cache.fresh)
    if not options.decks and not options.tags and cache.stale:
        prune_cached_notes(
            col
        )  # what deleted and retired cards (and changed ones, in other rows) left
    return AnkiExportResult(
        path=out,
        decks=len(decks),
        notes=notes,
        cards=int(cards),
        studied=0 if report is None else report.cards,
        reviews=0 if report is None else report.reviews,
    )
