"""Reading notes exported from Anki as plain text, and plain CSV, into cvquiz card fields.

Two inputs are understood. Anki's "Notes in Plain Text" export (``.txt``/``.tsv``): optional ``#key:value``
header lines (``#separator:``, ``#html:``, ``#tags:``, ``#columns:``, ``#deck:``, ``#notetype:`` and the
``#... column:N`` lines), then one note per record with its fields in note-type order, quoted as CSV when a
field holds the separator, a quote or a line break. And CSV with a header row naming its columns
(``question,answer,tags`` and optionally ``explanation``, ``source``, ``type``).

HTML from Anki becomes Markdown where it is simple (``<b>``, ``<i>``, ``<br>``, ``<div>``, ``<p>``, lists;
MathJax ``\\(...\\)`` becomes ``$...$``) and is kept verbatim otherwise. Parsing is pure: text in, rows and
problems (each with its line number) out; nothing here touches a deck file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from cvquiz.errors import CvquizError
from cvquiz.i18n import N_, _

SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
CSV_COLUMNS = ("question", "answer", "tags", "explanation", "source", "type")
_COLUMN_ALIASES = {
    "front": "question",
    "back": "answer",
    "text": "question",
    "extra": "explanation",
    "问题": "question",
    "题目": "question",
    "正面": "question",
    "答案": "answer",
    "背面": "answer",
    "标签": "tags",
    "解释": "explanation",
    "说明": "explanation",
    "来源": "source",
    "类型": "type",
}
SKIP_COLUMN = "skip"
"""In ``--columns``, a column to leave out (an empty name does the same)."""
SNIFFED_SEPARATORS = ",;\t"
"""The separators a CSV without a ``#separator:`` header is sniffed for."""
_SNIFF_SAMPLE = 64 * 1024
_SIMPLE_TAGS = frozenset({"b", "strong", "i", "em", "br", "div", "p", "ul", "ol", "li"})
_TAG_PART_BAD = re.compile(r"[\s:]+")


class NotesFormatError(CvquizError):
    """A notes file whose header or columns cvquiz cannot read."""


@dataclass(frozen=True)
class NoteRow:
    """One note read from the file, as cvquiz card fields.

    Attributes:
        line: the line the note starts on (1-based).
        data: the card fields (``type``, ``question``, ``answer``...; no ``id``).
        key: a stable key for the note's id (Anki's GUID), or None.
    """

    line: int
    data: dict[str, Any]
    key: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """A record that cannot become a card.

    Attributes:
        line: the line it starts on.
        message: what is wrong.
    """

    line: int
    message: str


@dataclass(frozen=True)
class ParsedNotes:
    """A notes file, read.

    Attributes:
        format: ``anki`` (positional fields) or ``csv`` (a header row names the columns).
        rows: the notes that became cards.
        problems: the records that did not.
        deck: the deck named by a ``#deck:`` header, or None.
        html: True when fields were read as HTML.
        separator: the separator the records were read with.
        ignored: header-row columns cvquiz does not read (left out).
    """

    format: str
    rows: tuple[NoteRow, ...]
    problems: tuple[RowProblem, ...] = field(default_factory=tuple)
    deck: str | None = None
    html: bool = False
    separator: str = "\t"
    ignored: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------------------------
# HTML to Markdown


class _Markdown(HTMLParser):
    """Turns the simple HTML Anki's editor writes into Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next number]

    def _newline(self) -> None:
        text = "".join(self.out)
        if text and not text.endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("div", "p"):
            self._newline()
            if tag == "p" and self.out:
                self.out.append("\n")
        elif tag in ("ul", "ol"):
            self._newline()
            self.lists.append([int(tag == "ol"), 1])
        elif tag == "li":
            self._newline()
            depth = max(len(self.lists) - 1, 0)
            marker = "- "
            if self.lists and self.lists[-1][0]:
                marker = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
            self.out.append("  " * depth + marker)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag in ("div", "li"):
            self._newline()
        elif tag == "p":
            self._newline()
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()

    def handle_data(self, data: str) -> None:
        self.out.append(data.replace("\xa0", " "))


class _TagScan(HTMLParser):
    """Finds whether a field holds anything beyond the simple tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.simple = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SIMPLE_TAGS or attrs:
            self.simple = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _SIMPLE_TAGS:
            self.simple = False

    def handle_comment(self, data: str) -> None:
        self.simple = False


def _mathjax_to_dollars(text: str) -> str:
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1)}$$", text, flags=re.S)
    return re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1).strip()}$", text, flags=re.S)


def html_to_markdown(html: str) -> str:
    """Turn a field of Anki HTML into Markdown, or keep it verbatim when it is not simple HTML.

    Simple means only ``<b> <strong> <i> <em> <br> <div> <p> <ul> <ol> <li>`` without attributes; entities are
    decoded, ``&nbsp;`` becomes a space, and MathJax ``\\(...\\)`` / ``\\[...\\]`` become ``$...$`` /
    ``$$...$$``. Anything else (images, styled spans, tables) is kept exactly as written.

    Args:
        html: the field.

    Returns:
        Markdown text, or the field unchanged.
    """
    scan = _TagScan()
    scan.feed(html)
    scan.close()
    if not scan.simple:
        return html
    parser = _Markdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return _mathjax_to_dollars(text)


# ----------------------------------------------------------------------------------------------------------
# Headers, tags, note types


def _separator(value: str) -> str:
    raw = value.rstrip("\r\n")
    if len(raw) == 1:  # a literal character, a tab or a space included
        return raw
    named = SEPARATORS.get(raw.strip().lower())
    if named is not None:
        return named
    if len(raw.strip()) == 1:
        return raw.strip()
    raise NotesFormatError(
        _(
            "#separator:{value}: use Tab, Comma, Semicolon, Space, Pipe, Colon or one character"
        ).format(value=raw.strip())
    )


def clean_tag(tag: str) -> str | None:
    """Return an Anki tag as a cvquiz tag (``::`` hierarchy kept, stray ``:`` and spaces become ``_``)."""
    parts = [_TAG_PART_BAD.sub("_", p).strip("_") for p in tag.split("::")]
    parts = [p for p in parts if p]
    return "::".join(parts) or None


def _tags(text: str) -> list[str]:
    return [t for raw in text.split() if (t := clean_tag(raw))]


def card_type_for(notetype: str | None, fields: Sequence[str]) -> str:
    """Return the cvquiz card type for an Anki note type name (any language Anki's stock types use)."""
    name = (notetype or "").casefold()
    if "cloze" in name or "填空" in name or "クローズ" in name:
        return "cloze"
    if "optional reverse" in name or "可选" in name:
        return "reversed" if len(fields) > 2 and fields[2].strip() else "basic"
    if "reverse" in name or "反向" in name or "双向" in name:
        return "reversed"
    if not name and fields and re.search(r"\{\{c\d+::", fields[0]):
        return "cloze"
    return "basic"


def anki_deck_id(name: str) -> str | None:
    """Return a cvquiz deck id for an Anki deck name (``CV Interview::Losses`` gives ``cv-interview/losses``).

    Returns:
        The id, or None when the name has no letters or digits cvquiz ids can hold (e.g. only Chinese).
    """
    parts = []
    for part in name.split("::"):
        ascii_part = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().lower()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_part).strip("-")
        if slug:
            parts.append(slug)
    return "/".join(parts) or None


@dataclass
class _Header:
    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    notetype: str | None = None
    deck: str | None = None
    tags_column: int | None = None
    deck_column: int | None = None
    notetype_column: int | None = None
    guid_column: int | None = None


def _column(key: str, value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise NotesFormatError(
            _("#{key}:{value}: give a column number (1, 2, 3...)").format(
                key=key, value=value.strip()
            )
        )
    return number - 1


def _read_header(lines: list[str]) -> tuple[_Header, int]:
    header = _Header()
    raw_columns: str | None = None
    count = 0
    for line in lines:
        if not line.startswith("#"):
            break
        count += 1
        key, sep, value = line[1:].partition(":")
        key = key.strip().lower()
        value = value.rstrip("\r\n")
        if not sep:
            continue
        if key == "separator":
            header.separator = _separator(value)
        elif key == "html":
            header.html = value.strip().lower() == "true"
        elif key == "tags":
            header.tags = _tags(value)
        elif key == "columns":
            raw_columns = value
        elif key == "notetype":
            header.notetype = value.strip()
        elif key == "deck":
            header.deck = value.strip()
        elif key in ("tags column", "deck column", "notetype column", "guid column"):
            setattr(header, key.replace(" ", "_"), _column(key, value))
    if raw_columns is not None:
        sep = header.separator or ("\t" if "\t" in raw_columns else ",")
        header.columns = [c.strip() for c in raw_columns.split(sep)]
        if header.tags_column is None:
            names = [c.casefold() for c in header.columns]
            if "tags" in names:
                header.tags_column = names.index("tags")
    return header, count


def _guess_separator(sample: str) -> str:
    for candidate in ("\t", ";", "|", ","):
        if candidate in sample:
            return candidate
    return "\t"


_CSV_PROBLEMS = frozenset((N_("unexpected end of data"), N_("line contains NUL")))
"""The csv module's words for a record it cannot read, as catalog messages (others are shown as written)."""


def _records(body: str, separator: str, first_line: int) -> Iterator[tuple[int, list[str] | str]]:
    """Yield (line, fields) per record, or (line, message) for a record csv cannot read."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator, strict=True)
    previous = 0
    while True:
        start = first_line + previous
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            reason = _(reason) if reason in _CSV_PROBLEMS else reason
            yield start, _("cannot read the record: {error}").format(error=reason)
            return
        previous = reader.line_num
        if not record or all(not f.strip() for f in record):
            continue
        if record[0].startswith("#"):
            continue  # Anki reads lines starting with '#' as comments
        yield start, record


# ----------------------------------------------------------------------------------------------------------
# Parsing


def _field(text: str, html: bool) -> str:
    return html_to_markdown(text) if html else text.strip()


def _note(
    fields: list[str], header: _Header, html: bool
) -> tuple[dict[str, Any], str | None] | str:
    """Return (card fields, key) for an Anki record, or the problem with it."""
    special = {
        header.tags_column,
        header.deck_column,
        header.notetype_column,
        header.guid_column,
    } - {None}

    def at(index: int | None) -> str | None:
        return fields[index] if index is not None and index < len(fields) else None

    notetype = at(header.notetype_column) or header.notetype
    content = [f for i, f in enumerate(fields) if i not in special]
    kind = card_type_for(notetype, content)
    if kind == "reversed" and "optional" in (notetype or "").casefold():
        content = content[:2]
    if not content or not content[0].strip():
        return _("the question (first field) is empty")
    question = _field(content[0], html)
    answer = _field(content[1], html) if len(content) > 1 else ""
    extra = [_field(f, html) for f in content[2:] if f.strip()]
    if kind in ("basic", "reversed") and not answer:
        return _("the answer (second field) is empty")
    if kind == "cloze" and not re.search(r"\{\{c\d+::", question):
        return _("a cloze note without a {{{{c1::...}}}} deletion").format()
    data: dict[str, Any] = {"type": kind, "question": question}
    if answer:
        data["answer"] = answer
    if extra:
        data["explanation"] = "\n\n".join(extra)
    tags = list(dict.fromkeys([*header.tags, *_tags(at(header.tags_column) or "")]))
    if tags:
        data["tags"] = tags
    guid = at(header.guid_column)
    return data, (f"anki:{guid.strip()}" if guid and guid.strip() else None)


def _csv_note(record: list[str], columns: list[str | None]) -> tuple[dict[str, Any], None] | str:
    values = {name: record[i].strip() for i, name in enumerate(columns) if name and i < len(record)}
    question = values.get("question", "")
    if not question:
        return _("the question is empty")
    kind = values.get("type") or (
        "cloze" if re.search(r"\{\{c\d+::", question) and not values.get("answer") else "basic"
    )
    if kind not in ("basic", "reversed", "cloze"):
        return _("unknown type {type!r} (basic, reversed or cloze)").format(type=kind)
    if kind != "cloze" and not values.get("answer"):
        return _("the answer is empty")
    data: dict[str, Any] = {"type": kind, "question": question}
    for name in ("answer", "explanation", "source"):
        if values.get(name):
            data[name] = values[name]
    tags = _tags(values.get("tags", "").replace(",", " ").replace(";", " "))
    if tags:
        data["tags"] = tags
    return data, None


def separator_named(value: str) -> str:
    """Return the separator a ``--separator`` value names: one character, or ``tab``, ``comma``, ``semicolon``...

    Raises:
        NotesFormatError: for anything else.
    """
    try:
        return _separator(value.replace("\\t", "\t"))
    except NotesFormatError:
        raise NotesFormatError(
            _(
                "--separator {value!r}: use tab, comma, semicolon, space, pipe, colon or one character"
            ).format(value=value)
        ) from None


def column_names(spec: str) -> list[str | None]:
    """Read a ``--columns`` value: column names in file order (``question,answer,tags``), ``skip`` to ignore one.

    Raises:
        NotesFormatError: for a name cvquiz does not know, or no question column.
    """
    names: list[str | None] = []
    for raw in spec.split(","):
        name = raw.strip().casefold()
        name = _COLUMN_ALIASES.get(name, name)
        if name in ("", SKIP_COLUMN):
            names.append(None)
        elif name in CSV_COLUMNS:
            names.append(name)
        else:
            raise NotesFormatError(
                _("--columns: unknown column {name!r} (use {known}, or skip)").format(
                    name=raw.strip(), known=", ".join(CSV_COLUMNS)
                )
            )
    named = [name for name in names if name is not None]
    twice = next((name for name in named if named.count(name) > 1), None)
    if twice is not None:
        raise NotesFormatError(
            _("--columns: {name!r} is named twice; each column is read once").format(name=twice)
        )
    if "question" not in names:
        raise NotesFormatError(_("--columns: name the question column"))
    return names


def _sniff(sample: str) -> str | None:
    """The separator a CSV sample uses, by Python's sniffer (among comma, semicolon and tab), or None."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=SNIFFED_SEPARATORS).delimiter
    except csv.Error:
        return None


def _header_names(record: list[str]) -> list[str]:
    return [_COLUMN_ALIASES.get(c.strip().casefold(), c.strip().casefold()) for c in record]


def _repeats_columns(names: list[str], columns: Sequence[str | None]) -> bool:
    """Whether a first record is a header row for ``--columns``: it names the same columns, or only known ones."""
    named = [(n, c) for n, c in zip(names, columns, strict=False) if c is not None]
    if named and all(n == c for n, c in named):
        return True
    return bool(names) and all(n in CSV_COLUMNS for n in names if n)


def parse_notes(
    text: str,
    filename: str = "",
    separator: str | None = None,
    columns: Sequence[str | None] | None = None,
) -> ParsedNotes:
    """Read an Anki plain-text export or a CSV.

    The separator is ``separator`` when given, else the file's ``#separator:`` header, else sniffed from the
    first lines (comma, semicolon or tab). A first record that names a ``question`` column (or ``front``,
    ``问题``...) is a header row: the file is read as CSV by column name, and columns cvquiz does not read are
    ignored (listed in ``ignored``). ``columns`` names the columns instead (a first record that repeats them
    is taken for a header). Any other file is read as Anki's notes format, fields by position (first the
    question, then the answer; further fields become the explanation).

    Args:
        text: the file's text.
        filename: the file name (a ``.csv`` file defaults to comma-separated when sniffing finds nothing).
        separator: the separator, overriding the file's header and the sniffing.
        columns: the columns' names in file order (None to leave one out), overriding a header row.

    Returns:
        The notes and the records that could not be read, each with its line number.

    Raises:
        NotesFormatError: for a header line cvquiz cannot read.
    """
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    header, skip = _read_header(lines)
    body = "".join(lines[skip:])
    sample = body[:_SNIFF_SAMPLE]
    first_line = next((ln for ln in lines[skip:] if ln.strip()), "")
    separator = (
        separator
        or header.separator
        or _sniff(sample)
        or ("," if filename.lower().endswith(".csv") else _guess_separator(first_line))
    )
    records = _records(body, separator, skip + 1)
    first = next(records, None)
    if first is None:
        return ParsedNotes("anki", (), (), header.deck, bool(header.html))
    line, record = first
    names = _header_names(record) if isinstance(record, list) else []
    if columns is not None:
        if not _repeats_columns(names, columns):
            records = itertools.chain([first], records)  # no header row: the first record is a note
        return _csv_notes(records, list(columns), header, separator, ())
    if "question" in names and header.columns is None:
        known: list[str | None] = [n if n in CSV_COLUMNS else None for n in names]
        ignored = tuple(
            c.strip() for c, n in zip(record, known, strict=True) if n is None and c.strip()
        )
        return _csv_notes(records, known, header, separator, ignored)
    html = header.html if header.html is not None else False
    rows: list[NoteRow] = []
    problems: list[RowProblem] = []
    for line, record in [first, *records]:
        if isinstance(record, str):
            problems.append(RowProblem(line, record))
            continue
        note = _note(record, header, html)
        if isinstance(note, str):
            problems.append(RowProblem(line, note))
        else:
            rows.append(NoteRow(line, note[0], note[1]))
    return ParsedNotes("anki", tuple(rows), tuple(problems), header.deck, html, separator)


def _csv_notes(
    records: Iterator[tuple[int, list[str] | str]],
    columns: list[str | None],
    header: _Header,
    separator: str,
    ignored: tuple[str, ...],
) -> ParsedNotes:
    """Read CSV records by column name."""
    html = bool(header.html)
    rows: list[NoteRow] = []
    problems: list[RowProblem] = []
    for line, record in records:
        if isinstance(record, str):
            problems.append(RowProblem(line, record))
            continue
        result = _csv_note(record, columns)
        if isinstance(result, str):
            problems.append(RowProblem(line, result))
            continue
        data = result[0]
        if html:
            data = {
                k: _field(v, True) if isinstance(v, str) and k != "type" else v
                for k, v in data.items()
            }
        for tag in header.tags:
            data.setdefault("tags", [])
            if tag not in data["tags"]:
                data["tags"].append(tag)
        rows.append(NoteRow(line, data))
    return ParsedNotes("csv", tuple(rows), tuple(problems), header.deck, html, separator, ignored)
