"""``cvquiz export text``: the collection as Anki's plain-text notes format, for Anki's built-in Basic type.

A text file cannot carry a note type of its own, so every review card becomes one note of Anki's ``Basic``
(Front, Back): a reversed card gives a note per direction, a cloze card a note per deletion (that deletion
blanked as ``[...]`` or ``[hint]``, on the back in bold), a compute card one note per instance. The explanation
and source go on the back. The file starts with Anki's header lines::

    #separator:tab
    #html:true
    #notetype:Basic
    #deck:CV Interview::Convolution      (or "#deck column:3" when several decks are exported)
    #tags column:4
    #guid column:5

Fields holding a tab, a quote or a line break are quoted as CSV. The GUID column is derived from (deck id,
card id, side) as for packages, so importing a newer export updates the notes instead of adding copies.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cvquiz.anki.exporter import (
    DEFAULT_OPTIONS,
    AnkiExportOptions,
    anki_tags,
    compute_instances,
    note_guid,
)
from cvquiz.anki.html import escape, render_text
from cvquiz.collection.export_queries import ExportEntry, export_entries
from cvquiz.errors import CardNotFoundError
from cvquiz.fileio import write_output
from cvquiz.model import CLOZE_RE, Card, CardType, Text

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = ["TextExportResult", "cloze_side", "export_text"]


@dataclass(frozen=True)
class TextExportResult:
    """What a text export wrote.

    Attributes:
        path: the file.
        decks: decks in it.
        notes: notes (rows) in it.
    """

    path: Path
    decks: int
    notes: int


def cloze_side(text: str, number: int, back: bool) -> str:
    """Return cloze text as one side of a Basic note for deletion ``number``.

    Args:
        text: Markdown with ``{{cN::answer}}`` / ``{{cN::answer::hint}}`` deletions.
        number: the deletion this note asks for.
        back: False for the front (``[...]`` or ``[hint]``), True for the back (the answer in bold).

    Returns:
        The Markdown of that side; every other deletion shows its answer.
    """

    def replace(m: re.Match[str]) -> str:
        n, answer, hint = int(m.group(1)), m.group(2), m.group(3)
        if n != number:
            return str(answer)
        if back:
            return f"**{answer}**"
        return f"[{hint or '...'}]"

    return CLOZE_RE.sub(replace, text)


def _cloze_text(text: Text, number: int, back: bool) -> Text:
    def side(value: str | None) -> str | None:
        return None if value is None else cloze_side(value, number, back)

    return Text(zh=side(text.zh), en=side(text.en))


def _back(answer: str, card: Card, lang: str) -> str:
    parts = [answer] if answer else []
    explanation = render_text(card.explanation, lang)
    if explanation:
        parts.append(explanation)
    if card.source:
        href = escape(card.source)
        parts.append(f'<a href="{href}">{href}</a>')
    return "<hr>".join(parts)


def _rows(
    entry: ExportEntry, options: AnkiExportOptions, seen: set[str]
) -> Iterator[tuple[str, str, str, str]]:
    """Yield (guid, front, back, tags) for each note of a deck entry (compute fronts not in ``seen``)."""
    card = Card.from_data(entry.content)
    lang = options.lang
    tags = " ".join(anki_tags(card.tags))
    deck_id = entry.deck.id
    if card.type is CardType.COMPUTE:
        for index, _, instance, front in compute_instances(
            card, deck_id, options.instances, lambda i: render_text(i.prompt, lang), seen
        ):
            answer = f"<b>{escape(instance.expected_text)}</b><br>\n" + render_text(
                instance.solution, lang
            )
            yield note_guid(deck_id, card.id, index), front, _back(answer, card, lang), tags
        return
    if card.type is CardType.CODE:
        from cvquiz.anki.code import code_back, code_front

        front, answer = code_front(card, lang), code_back(card, lang)
        yield note_guid(deck_id, card.id), front, _back(answer, card, lang), tags
        return
    if card.type is CardType.CLOZE:
        for ord_ in card.ords():
            front = render_text(_cloze_text(card.question, ord_, back=False), lang)
            full = render_text(_cloze_text(card.question, ord_, back=True), lang)
            extra = render_text(card.answer, lang)
            answer = f"{full}<br>\n{extra}" if extra else full
            guid = note_guid(deck_id, f"{card.id}#c{ord_}")
            yield guid, front, _back(answer, card, lang), tags
        return
    question, answer = render_text(card.question, lang), render_text(card.answer, lang)
    yield note_guid(deck_id, card.id), question, _back(answer, card, lang), tags
    if card.type is CardType.REVERSED:
        yield note_guid(deck_id, f"{card.id}#reverse"), answer, _back(question, card, lang), tags


def export_text(
    col: Collection, out: Path, options: AnkiExportOptions = DEFAULT_OPTIONS
) -> TextExportResult:
    """Export decks as Anki plain-text notes for the built-in Basic note type.

    Args:
        col: the collection (already synced).
        out: the text file to write (replaced atomically), or a FIFO, a device or ``-`` (standard output)
            (see `cvquiz.fileio.write_output`).
        options: which decks and tags, the language, compute instances (``with_progress`` is ignored).

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
    deck_names = list(dict.fromkeys(e.deck.name for e in entries))
    single = len(deck_names) == 1
    buffer = io.StringIO()
    buffer.write("#separator:tab\n#html:true\n#notetype:Basic\n")
    if single:
        buffer.write(f"#deck:{deck_names[0]}\n#tags column:3\n#guid column:4\n")
    else:
        buffer.write("#deck column:3\n#tags column:4\n#guid column:5\n")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    notes = 0
    seen: set[str] = set()  # compute fronts written so far: Anki flags repeated first fields
    for entry in entries:
        for guid, front, back, tags in _rows(entry, options, seen):
            writer.writerow(
                [front, back, tags, guid] if single else [front, back, entry.deck.name, tags, guid]
            )
            notes += 1
    data = buffer.getvalue().encode("utf-8")

    write_output(out, data)
    return TextExportResult(path=out, decks=len(deck_names), notes=notes)
