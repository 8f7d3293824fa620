"""Writing a card as YAML text, fast: the emitter behind ``cvquiz add`` and ``cvquiz import``.

A card of text fields (id, type, question, answer, explanation, tags, source, bilingual ``{zh, en}`` text) is
written here directly, in the style people write by hand: plain scalars where YAML reads them back as the
same text, ``'single quotes'`` where it would not, a ``|`` block for text of several lines, ``"double quotes"``
with escapes only for characters no other style can hold, and tags as a flow list. Every choice is made so the
strict loader reads back exactly the string given (a property test checks it on arbitrary text); that is what
lets an import write 100,000 cards without parsing them again. Anything else (a compute card's parameter
space, numbers, booleans) goes through PyYAML's emitter instead (`card_yaml` in `cvquiz.deckfile.writer`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from cvquiz.deckfile.loader import CARD_FIELDS

__all__ = ["card_block", "scalar"]

_NEEDS_ESCAPE = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff\n]"
)
"""Characters only a double-quoted scalar can hold: controls (tab and CR too), DEL, C1 controls, NEL, the
Unicode line and paragraph separators, a BOM, surrogates and non-characters. (Line feeds are handled apart.)"""
_PLAIN_START_BAD = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_FLOW_PLAIN = re.compile(r"[\w.+/-]+(?:::[\w.+/-]+)*")
"""What stands unquoted in a flow list: words (any script), ``.+/-``, and ``::`` between them (tag paths)."""
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVED_FIRST = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k)
"""First characters of the plain scalars YAML may read as something else (numbers, booleans, null...)."""
_ESCAPES = {
    "\0": "\\0",
    "\x07": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether ``text`` may stand unquoted and still read back as this very string."""
    if (
        not text
        or text[0] in _PLAIN_START_BAD
        or text[-1] in " :"
        or ": " in text
        or " #" in text
        or (flow and _FLOW_PLAIN.fullmatch(text) is None)
    ):
        return False
    if text[0] not in _RESOLVED_FIRST:
        return True
    # A plain scalar that looks like a number, a boolean, null or a date would read back as one.
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR_TAG


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        escape = _ESCAPES.get(ch)
        if escape is not None:
            out.append(escape)
        elif _NEEDS_ESCAPE.match(ch):
            code = ord(ch)
            out.append(
                f"\\x{code:02X}"
                if code <= 0xFF
                else f"\\u{code:04X}"
                if code <= 0xFFFF
                else f"\\U{code:08X}"
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def scalar(text: str, indent: int, flow: bool = False) -> list[str]:
    """Return a string as YAML, to follow ``key: `` (or stand in a flow list, with ``flow``).

    Args:
        text: the string.
        indent: the column of the key it belongs to (block text is indented two further).
        flow: the string stands inside ``[...]``.

    Returns:
        The first line's text (after ``key: ``), then any further lines, each with its indentation.
    """
    if _NEEDS_ESCAPE.search(text) is not None:
        return [_double_quoted(text)]
    if "\n" not in text:
        if _plain_ok(text, flow):
            return [text]
        return ["'" + text.replace("'", "''") + "'"]
    if flow:
        return [_double_quoted(text)]
    return _literal(text, indent)


def _literal(text: str, indent: int) -> list[str]:
    """A ``|`` block: every character kept, the final line breaks told by the chomping indicator."""
    body = text.rstrip("\n")
    breaks = len(text) - len(body)
    if breaks > 1 or not body.strip(" "):
        # Kept final blank lines (|+) would swallow the blank line that separates cards, and text of only
        # spaces and line breaks leaves a block nothing to tell its indentation by: quote them instead.
        return [_double_quoted(text)]
    chomp = "-" if breaks == 0 else ""
    lines = body.split("\n")
    first = next(line for line in lines if line)
    # Content that starts with a space needs its indentation said, or the space would be taken for it.
    header = "|" + ("2" if first.startswith(" ") else "") + chomp
    pad = " " * (indent + 2)
    return [header, *(pad + line if line else "" for line in lines)]


def _text_value(key: str, value: Any, indent: int) -> list[str] | None:
    pad = " " * indent
    if isinstance(value, str):
        first, *rest = scalar(value, indent)
        return [f"{pad}{key}: {first}", *rest]
    if (
        isinstance(value, Mapping)
        and value
        and all(k in ("zh", "en") and isinstance(v, str) for k, v in value.items())
    ):
        out = [f"{pad}{key}:"]
        for lang, text in value.items():
            first, *rest = scalar(text, indent + 2)
            out += [f"{pad}  {lang}: {first}", *rest]
        return out
    return None


def card_block(data: Mapping[str, Any], indent: int) -> list[str] | None:
    """Return a card's fields as the lines of a block mapping whose keys stand at column ``indent``.

    The first line is returned without its indentation (the caller writes ``- `` there); fields come in the
    deck format's order, and fields set to None are left out.

    Args:
        data: the card's fields.
        indent: the column of its keys.

    Returns:
        The lines, or None when a field needs the general emitter (numbers, booleans, parameter spaces...).
    """
    lines: list[str] = []
    for key in sorted(data, key=_field_order):
        value = data[key]
        if value is None:
            continue
        if key == "tags" and isinstance(value, list) and all(isinstance(t, str) for t in value):
            items = ", ".join(scalar(t, indent, flow=True)[0] for t in value)
            lines.append(f"{' ' * indent}tags: [{items}]")
            continue
        if key in ("params", "tolerance", "decimals") or not isinstance(key, str):
            return None
        if not _plain_ok(key, flow=False):
            return None
        part = _text_value(key, value, indent)
        if part is None:
            return None
        lines += part
    if not lines:
        return None
    lines[0] = lines[0][indent:]
    return lines


_ORDER = {name: index for index, name in enumerate(CARD_FIELDS)}


def _field_order(key: Any) -> int:
    return _ORDER.get(key, len(_ORDER)) if isinstance(key, str) else len(_ORDER)
