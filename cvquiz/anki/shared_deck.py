"""A shared Anki deck turned into a cvquiz user deck: notes to YAML cards, HTML to Markdown, media alongside.

What maps to what:

* note types: Basic (and "type in the answer") to ``basic``, "Basic (and reversed card)" to ``reversed``,
  "Basic (optional reversed card)" to ``reversed`` when its third field is filled, else ``basic``, Cloze to
  ``cloze`` (Anki's ``{{c1::text::hint}}`` syntax is cvquiz's own). A note type is known by the stock type
  Anki records it was made from, else by its name. Any other note type gives a ``basic`` card of its first
  two fields (the rest become the explanation), with a warning.
* fields: question and answer (a cloze's "Back Extra" is its answer); further fields become the explanation.
  Their HTML becomes Markdown through markdownify; MathJax ``\\(...\\)``/``\\[...\\]`` (and ``[$]...[/$]``,
  ``[$$]...[/$$]``) become ``$...$``/``$$...$$``; a ``$`` of the text becomes ``\\$``.
* images: ``<img src="cat.png">`` becomes ``![](media/<deck file>/cat.png)``, and the file is copied from the
  package into that folder beside the deck file. The terminal shows ``[image: cat.png]``; an Anki export
  puts the file back into the package.
* tags are kept (``::`` hierarchy too); the card id is a slug of the question and a hash of the note's GUID
  (`cvquiz.cards.make_card_id`), so a note keeps its card on every import, whatever its text becomes.

Importing a newer version of the package updates the cards in place (`cvquiz.deckfile.writer.replace_cards`):
a card whose note changed is rewritten when the note was modified after the card last changed in cvquiz (as
Anki's "update notes if newer"), so an edit made in the deck file since is kept. Of notes sharing a GUID
only the first becomes a card, as in Anki's import; the later ones are skipped and named.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from cvquiz.anki.html import hold as held
from cvquiz.anki.html import protect, restore
from cvquiz.anki.merge import Targets
from cvquiz.anki.package_reader import Package, PackageNote, PackageNotetype, StockKind
from cvquiz.i18n import _
from cvquiz.model import CLOZE_RE

if TYPE_CHECKING:
    from cvquiz.collection import Collection

__all__ = [
    "ConvertedNote",
    "card_type_of",
    "convert_note",
    "first_of_each_guid",
    "foreign_notes",
    "html_to_markdown",
    "media_folder",
    "shared_targets",
]

_MATH_RE = re.compile(
    r"\\\((?P<i>.+?)\\\)|\\\[(?P<d>.+?)\\\]|\[\$\$\](?P<d2>.+?)\[/\$\$\]|\[\$\](?P<i2>.+?)\[/\$\]",
    re.S,
)
_TAG_RE = re.compile(r"<br\s*/?>|<[^>]*>", re.I)


def media_folder(deck_path: Path) -> Path:
    """Return the folder a deck's media files go in: ``media/<deck file name>/`` beside the deck file."""
    return deck_path.parent / "media" / deck_path.stem


def _tex(text: str) -> str:
    """TeX from a field: its tags dropped (a line break is a space), its entities decoded."""
    text = _TAG_RE.sub(lambda m: " " if m.group().lower().startswith("<br") else "", text)
    return html_lib.unescape(text).replace("\xa0", " ")


def _converter(images: list[str], prefix: str) -> Any:
    from markdownify import MarkdownConverter

    class _Converter(MarkdownConverter):
        def convert_div(self, el: Any, text: str, parent_tags: Any) -> str:
            # Anki's editor writes one <div> per line: a line, not a paragraph
            if "_inline" in parent_tags:
                return " " + text.strip() + " "
            text = text.strip()
            return f"\n{text}\n" if text else ""

        def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
            src = str(el.attrs.get("src") or "").strip()
            if not src or "://" in src or src.startswith("data:"):
                return str(el.attrs.get("alt") or "")
            name = unquote(src)
            images.append(name)
            alt = str(el.attrs.get("alt") or "").replace("]", "")
            return f"![{alt}]({prefix}{quote(name)})"

        def escape(self, text: str, parent_tags: Any) -> str:
            escaped = MarkdownConverter.escape(self, text, parent_tags)  # type: ignore[attr-defined]
            return str(escaped).replace("$", "\\$")

    return _Converter(
        heading_style="ATX",
        bullets="-",
        sup_symbol="^",
        sub_symbol="~",
        escape_misc=False,
    )


def html_to_markdown(html: str, media_prefix: str = "") -> tuple[str, list[str]]:
    """Turn a field's HTML into cvquiz Markdown.

    Args:
        html: the field.
        media_prefix: what goes before an image's file name in the Markdown (``media/deck/``).

    Returns:
        The Markdown, and the image files it refers to (package media names).
    """
    formulas: list[str] = []

    def hold(match: re.Match[str]) -> str:
        inline = match.group("i") if match.group("i") is not None else match.group("i2")
        if inline is not None:
            formulas.append("$" + _tex(inline).strip() + "$")
        else:
            body = match.group("d") if match.group("d") is not None else match.group("d2")
            formulas.append("$$" + _tex(body).strip() + "$$")
        return held(len(formulas) - 1)

    images: list[str] = []
    source = _MATH_RE.sub(hold, protect(html))
    text = str(_converter(images, media_prefix).convert(source))
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = restore(text, formulas)
    return text, images


# --- note types and notes --------------------------------------------------------------------------------


def card_type_of(notetype: PackageNotetype, note: PackageNote) -> tuple[str, bool]:
    """Return the cvquiz card type for a note, and whether its note type is a stock one cvquiz knows.

    Args:
        notetype: the note's type.
        note: the note (an optional-reversed note is reversed when its third field is filled).
    """
    kind = notetype.stock_kind
    shape = (len(notetype.fields), len(notetype.templates))
    if notetype.cloze or kind == StockKind.CLOZE:
        return "cloze", notetype.cloze and len(notetype.fields) <= 2
    # a note type made with Anki's "Add: Basic" keeps the stock kind, whatever fields it gains since
    if kind == StockKind.BASIC_AND_REVERSED and shape == (2, 2):
        return "reversed", True
    if kind == StockKind.BASIC_OPTIONAL_REVERSED and shape == (3, 2):
        third = note.fields[2].strip() if len(note.fields) > 2 else ""
        return ("reversed" if third else "basic"), True
    if kind in (StockKind.BASIC, StockKind.BASIC_TYPING) and shape == (2, 1):
        return "basic", True
    if kind == StockKind.UNKNOWN:
        name = notetype.name.casefold()
        if "optional revers" in name or "可选" in name:
            third = note.fields[2].strip() if len(note.fields) > 2 else ""
            return ("reversed" if third else "basic"), True
        if "reverse" in name or "反向" in name or "双向" in name:
            return "reversed", len(notetype.templates) == 2
        if name.startswith("basic") or name in ("问答题", "基础"):
            return "basic", len(notetype.templates) == 1
    return "basic", False


@dataclass(frozen=True)
class ConvertedNote:
    """A note of the package as a cvquiz card.

    Attributes:
        note: the note.
        type: the card type.
        data: the card's fields (no ``id``).
        key: the key its id is derived from (``anki:<GUID>``).
        media: the package media files it shows.
        warning: why it was mapped by its first fields (a note type cvquiz does not know), or None.
    """

    note: PackageNote
    type: str
    data: dict[str, Any]
    key: str
    media: tuple[str, ...] = ()
    warning: str | None = None


def _tags(tags: Sequence[str]) -> list[str]:
    from cvquiz.anki.importer import clean_tag

    return list(dict.fromkeys(t for raw in tags if (t := clean_tag(raw))))


def convert_note(
    note: PackageNote, notetype: PackageNotetype, media_prefix: str
) -> ConvertedNote | str:
    """Turn one note into a card's fields.

    Args:
        note: the note.
        notetype: its note type.
        media_prefix: what goes before an image's file name (``media/deck/``).

    Returns:
        The card, or why the note cannot be one.
    """
    kind, known = card_type_of(notetype, note)
    texts: list[str] = []
    media: list[str] = []
    try:
        for value in note.fields:
            text, images = html_to_markdown(value, media_prefix)
            texts.append(text)
            media.extend(images)
    except RecursionError:
        # markdownify walks the HTML tree recursively: a few hundred nested tags are too many
        return _("note {guid}: its HTML is nested too deeply to convert").format(guid=note.guid)
    optional = known and (
        notetype.stock_kind == StockKind.BASIC_OPTIONAL_REVERSED
        or "optional revers" in notetype.name.casefold()
    )
    if optional:  # its third field, "Add Reverse", only says which cards to make
        texts = texts[:2] + texts[3:]
    question = texts[0] if texts else ""
    answer = texts[1] if len(texts) > 1 else ""
    extra = [t for t in texts[2:] if t]
    if not question:
        return _("note {guid}: the first field is empty").format(guid=note.guid)
    if kind == "cloze" and not CLOZE_RE.search(question):
        return _("note {guid}: a cloze note without a {{{{c1::...}}}} deletion").format(
            guid=note.guid
        )
    if kind != "cloze" and not answer:
        return _("note {guid}: the second field (the answer) is empty").format(guid=note.guid)
    data: dict[str, Any] = {"type": kind, "question": question}
    if answer:
        data["answer"] = answer
    if extra:
        data["explanation"] = "\n\n".join(extra)
    tags = _tags(note.tags)
    if tags:
        data["tags"] = tags
    warning = None
    if not known:
        warning = _(
            "note type {name!r}: mapped by its first two fields (question, answer; the rest as explanation)"
        ).format(name=notetype.name)
    return ConvertedNote(
        note, kind, data, f"anki:{note.guid}", tuple(dict.fromkeys(media)), warning
    )


def first_of_each_guid(notes: Sequence[PackageNote]) -> tuple[list[PackageNote], list[PackageNote]]:
    """Split notes into the first note of each GUID and the later ones that repeat a GUID.

    A GUID names one note (a card id derives from it); Anki's import keeps the first note with a GUID and
    skips later duplicates, and so does cvquiz.

    Returns:
        The notes to convert, and the duplicates left out, both in package order.
    """
    seen: set[str] = set()
    first: list[PackageNote] = []
    repeated: list[PackageNote] = []
    for note in notes:
        (repeated if note.guid in seen else first).append(note)
        seen.add(note.guid)
    return first, repeated


def foreign_notes(package: Package, targets: Targets) -> list[PackageNote]:
    """Return the package's notes cvquiz did not export (`Targets.unknown`), in package order."""
    unknown = set(targets.unknown)
    return [n for n in package.notes if n.id in unknown]


def shared_targets(
    col: Collection,
    package: Package,
    notes: Sequence[PackageNote],
    deck_id: str,
    card_ids: Mapping[str, str],
    *,
    dry_run: bool,
) -> Targets:
    """Match the Anki cards of converted notes to the cards of deck ``deck_id`` in the collection.

    Args:
        col: the collection (the deck synced into it).
        package: the package.
        notes: the converted notes.
        deck_id: their deck.
        card_ids: each note's card id in the deck, by GUID.
        dry_run: the deck may not be written yet; cards it lacks are left out quietly.
    """
    from cvquiz.collection.anki_merge import CardRow, card_rows

    rows: dict[str, list[CardRow]] = {}
    for row in card_rows(col, [deck_id]):
        rows.setdefault(row.card_id, []).append(row)
    targets = Targets()
    by_note: dict[int, list[Any]] = {}
    for card in package.cards:
        by_note.setdefault(card.note_id, []).append(card)
    for note in first_of_each_guid(notes)[0]:
        found = rows.get(card_ids.get(note.guid, ""), [])
        by_ord = {row.ord: row for row in found}
        notetype = package.notetypes.get(note.notetype_id)
        cloze = bool(notetype and (notetype.cloze or notetype.stock_kind == StockKind.CLOZE))
        for card in by_note.get(note.id, ()):
            target = by_ord.get(card.ord + 1 if cloze else card.ord)
            if target is not None and target.active:
                targets.cards[card.id] = target
            elif not dry_run:
                targets.entries[card.id] = "retired"
    return targets
