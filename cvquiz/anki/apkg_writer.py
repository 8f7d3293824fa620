"""The notes and cards of an Anki package's collection, written in bulk with the values genanki gives them.

genanki builds a ``Note`` object per note, inserts its rows one at a time and works out which cards a note
makes by testing its note type's requirements each time. An export that takes most of its notes from its
cache already knows every note's fields and cards, so genanki lays out the collection (schema, decks, note
types) and this module inserts the notes and cards in two statements, with the ids, columns and order
genanki's own ``Package.write_to_db`` gives them (a test holds the two equal, table by table).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import genanki

__all__ = ["PackageNote", "card_ords", "write_collection"]


@dataclass(frozen=True)
class PackageNote:
    """One note to write.

    Attributes:
        model: its note type.
        fields: its fields (HTML).
        guid: its GUID.
        tags: its Anki tags.
        ords: the ordinals of the cards it makes (as `card_ords` gives them).
        mod: its modification time, in seconds since the epoch.
        due: the position its new cards are shown in.
    """

    model: genanki.Model
    fields: tuple[str, ...]
    guid: str
    tags: tuple[str, ...]
    ords: tuple[int, ...]
    mod: int
    due: int


def card_ords(model: genanki.Model, fields: Sequence[str]) -> tuple[int, ...]:
    """Return the ordinals of the cards genanki makes of a note with these fields, in its order.

    genanki's own check of the fields runs too: it warns about ``<`` and ``>`` that are not HTML tags.

    Args:
        model: the note type.
        fields: the note's fields.
    """
    note = genanki.Note(model=model, fields=list(fields))
    note._check_invalid_html_tags_in_fields()
    return tuple(int(card.ord) for card in note.cards)


def write_collection(
    conn: sqlite3.Connection,
    decks: Sequence[tuple[genanki.Deck, Sequence[PackageNote]]],
    timestamp: float,
) -> None:
    """Write a package's collection: genanki's schema, decks and note types, then every note and card.

    Args:
        conn: an empty database (the package's ``collection.anki2``).
        decks: each Anki deck (without notes) with its notes, in the order they are written.
        timestamp: the export time (ids count up from it in milliseconds; cards' modification time).
    """
    ids = iter(range(int(timestamp * 1000), 1 << 62))
    for deck, notes in decks:
        for note in notes:
            deck.add_model(note.model)
    genanki.Package([deck for deck, _ in decks]).write_to_db(conn.cursor(), timestamp, ids)
    note_rows: list[tuple[object, ...]] = []
    card_rows: list[tuple[object, ...]] = []
    mod = int(timestamp)
    for deck, notes in decks:
        for note in notes:
            note_id = next(ids)
            note_rows.append(
                (
                    note_id,
                    note.guid,
                    note.model.model_id,
                    note.mod,
                    -1,
                    " " + " ".join(note.tags) + " ",
                    "\x1f".join(note.fields),
                    note.fields[note.model.sort_field_index],
                    0,
                    0,
                    "",
                )
            )
            card_rows.extend(
                (
                    next(ids),
                    note_id,
                    deck.deck_id,
                    ord_,
                    mod,
                    -1,
                    0,
                    0,
                    note.due,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    "",
                )
                for ord_ in note.ords
            )
    conn.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", note_rows)
    conn.executemany(
        "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", card_rows
    )
