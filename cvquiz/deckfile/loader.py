"""The strict, safe deck loader.

YAML is parsed with the safe loader (libyaml's C parser where available) and a constructor that remembers where
every mapping and key stands, refuses duplicate keys and anchors/aliases, and lets no tag beyond plain YAML
data through. Validation then checks every field against the deck format (docs/deck-format.md) and collects
every problem as ``file:line:column: card 'id': message`` rather than stopping at the first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cvquiz.deckfile.code_fields import CODE_FIELDS, read_code_fields
from cvquiz.deckfile.messages import card_prefix
from cvquiz.deckfile.yaml_errors import describe as describe_yaml_error
from cvquiz.errors import DeckProblems
from cvquiz.fileio import describe_decode_error, describe_os_error
from cvquiz.i18n import _
from cvquiz.model import CLOZE_RE, LANGS, Card, CardType, Deck, Text

SafeLoaderBase: type[yaml.SafeLoader]
try:
    SafeLoaderBase = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    SafeLoaderBase = yaml.SafeLoader

# \Z, not $: "$" also matches before a final newline, and an id "x\n" would name a file "x\n.yaml".
CARD_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*\Z")
DECK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_/-]*\Z")
TAG_RE = re.compile(r"^[^\s:]+(::[^\s:]+)*\Z")
"""A tag a deck file may hold: no spaces and no single ``:`` (``::`` nests). Anki's tags arrive as they were
(``c++``, ``v1.0``, ``(x)``): a search finds the odd ones quoted, ``tag:"(x)"``."""
NEW_TAG_RE = re.compile(r"^\w[\w-]*(::[\w-]+)*\Z")
"""A tag a person adds with ``tag add`` or ``add --tag``: letters, digits, ``_`` and ``-`` (not first), joined by
``::``; such a tag is found by ``tag:`` as written."""
URL_RE = re.compile(r"^https?://\S+\Z")
MAX_ID_LENGTH = 100
"""Deck and card ids are at most this many characters (a deck id names a file; file names end at 255 bytes)."""
MAX_CLOZE = 999
"""Cloze deletions are numbered from c1 to this."""
MAX_NESTING = 100
"""YAML nested deeper than this (lists in lists...) is refused before it exhausts Python's recursion."""

DECK_FIELDS = ("deck", "name", "description", "tags", "cards")
CARD_FIELDS = (
    "id",
    "type",
    "question",
    "answer",
    "explanation",
    "tags",
    "source",
    "generator",
    "params",
    "decimals",
    "tolerance",
    *CODE_FIELDS,
)
COMPUTE_ONLY = ("generator", "params", "decimals", "tolerance")


class Where(dict[str, Any]):
    """A mapping that remembers where it and each of its keys stand in the file (1-based)."""

    line: int = 0
    column: int = 0
    key_pos: dict[str, tuple[int, int]]


class _NeedPrecise(Exception):
    """The fast pass met something only the precise pass reports well (a duplicate or odd key)."""


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _FastConstructor(SafeLoaderBase):  # type: ignore[misc,valid-type]
    """The everyday pass: builds the data straight from libyaml's nodes, recording where each mapping starts.

    Plain text, mappings and lists (nearly every node of a deck) are built here without PyYAML's constructor
    machinery, which makes this pass faster than ``yaml.load`` itself; any other scalar (a number, a
    boolean, null) goes through the safe constructor as usual. Anything the fast pass cannot explain well (a
    duplicate key, a key that is not text, an unhashable key, a tag) raises `_NeedPrecise`, and the precise
    pass reads the text again to say where. Used only on text without anchors (see `_ANCHOR_RE`), so no
    alias can reach it.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        return self._build(node)

    def _build(self, node: yaml.Node) -> Any:
        kind = node.__class__
        if kind is yaml.ScalarNode:
            if node.tag == _STR_TAG:
                return node.value
            if node.tag.startswith("tag:yaml.org,2002:"):
                return self.construct_object(node, deep=True)
            raise _NeedPrecise  # a tag such as !!python/object: the precise pass refuses it
        build = self._build
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            result = Where()
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR_TAG:
                    raise _NeedPrecise  # 1:, ~:, yes:, on: and [a]: are not text
                result[key_node.value] = build(value_node)
            if len(result) != len(node.value):
                raise _NeedPrecise  # a duplicate key
            mark = node.start_mark
            result.line = mark.line + 1
            result.column = mark.column + 1
            return result
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            return [build(item) for item in node.value]
        raise _NeedPrecise


class _PreciseConstructor(SafeLoaderBase):  # type: ignore[misc,valid-type]
    """The pass that explains: positions of every key, duplicate keys and aliases refused with their place."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("anchors and aliases (&name, *name) are not allowed in deck files"),
                node.start_mark,
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Where:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("expected a mapping, found {kind}").format(kind=node.id),
                node.start_mark,
            )
        result = Where()
        result.line = node.start_mark.line + 1
        result.column = node.start_mark.column + 1
        result.key_pos = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                text = key_node.value if isinstance(key_node, yaml.ScalarNode) else key_node.id
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    _(
                        "key {text} is not text (YAML reads it as {value!r}); quote it: '{text}'"
                    ).format(text=text, value=key),
                    key_node.start_mark,
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, _("duplicate key {key!r}").format(key=key), key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_pos[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result


def _construct_map(loader: _FastConstructor | _PreciseConstructor, node: yaml.MappingNode) -> Where:
    return loader.construct_mapping(node, deep=True)


for _loader in (_FastConstructor, _PreciseConstructor):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    # Dates and timestamps stay text: a deck never needs them, and a question like "2024-01-01?" must survive.
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_str)

_ANCHOR_RE = re.compile(r"(?:^|[\s,\[{:-])&[^\s,\[\]{}]", re.MULTILINE)
"""Text that may hold a YAML anchor; without one there can be no alias, and the fast pass is safe."""


@dataclass(frozen=True)
class DeckSource:
    """Where a deck file came from.

    Attributes:
        path: the file.
        bundled: True for decks shipped with cvquiz.
    """

    path: Path
    bundled: bool = False


def _suggest(problem: str, name: str, known: Iterable[str]) -> str:
    """``problem``, followed by the closest of ``known`` to ``name`` when one is close."""
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not match:
        return problem
    return _("{problem} (did you mean {name!r}?)").format(problem=problem, name=match[0])


class _Checker:
    """Collects every problem of one file, each with its position and card.

    Without a label (a card given as data, not read from a file) problems carry no position.
    """

    def __init__(self, label: str | None) -> None:
        self.label = label
        self.problems: list[str] = []

    def add(self, where: tuple[int, int], message: str, card: str | None = None) -> None:
        prefix = "" if self.label is None else f"{self.label}:{where[0]}:{where[1]}: "
        if card is not None:
            prefix += card_prefix(card)
        self.problems.append(prefix + message)


def _pos(mapping: dict[str, Any], key: str | None = None) -> tuple[int, int]:
    """Where a mapping (or one of its keys) stands; (1, 1) for a card given as data."""
    positions: dict[str, tuple[int, int]] = getattr(mapping, "key_pos", {})
    if key is not None and key in positions:
        return positions[key]
    return (getattr(mapping, "line", 1) or 1, getattr(mapping, "column", 1) or 1)


def _text(chk: _Checker, owner: dict[str, Any], key: str, card: str | None) -> Text | None:
    value = owner.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            chk.add(_pos(owner, key), _("{key} is empty").format(key=key), card)
            return None
        return Text(zh=value, en=value)
    if isinstance(value, dict):
        for lang in value:
            if lang not in LANGS:
                chk.add(
                    _pos(value, lang),
                    _suggest(
                        _("unknown language {lang!r} in {key} (use zh and/or en)").format(
                            lang=lang, key=key
                        ),
                        lang,
                        LANGS,
                    ),
                    card,
                )
        parts = {lang: value.get(lang) for lang in LANGS if lang in value}
        for lang, text in parts.items():
            if not isinstance(text, str) or not text.strip():
                chk.add(
                    _pos(value, lang),
                    _("{key}.{lang} must be non-empty text").format(key=key, lang=lang),
                    card,
                )
                return None
        if not parts:
            chk.add(_pos(owner, key), _("{key} needs zh and/or en text").format(key=key), card)
            return None
        return Text(zh=parts.get("zh"), en=parts.get("en"))
    if isinstance(value, bool | int | float):  # answer: 4 reads as a number, not as the text "4"
        # YAML has already turned what was written (yes, 0.50, 1e3) into a value: name the kind, not the value
        if isinstance(value, bool):
            message = _('{key} is read as true/false, not text: put it in quotes ({key}: "...")')
        else:
            message = _('{key} is read as a number, not text: put it in quotes ({key}: "...")')
        chk.add(_pos(owner, key), message.format(key=key), card)
        return None
    chk.add(_pos(owner, key), _("{key} must be text or a {{zh, en}} mapping").format(key=key), card)
    return None


def _tags(chk: _Checker, owner: dict[str, Any], card: str | None) -> tuple[str, ...]:
    value = owner.get("tags")
    if value is None:
        return ()
    if not isinstance(value, list):
        chk.add(_pos(owner, "tags"), _("tags must be a list"), card)
        return ()
    tags = []
    for tag in value:
        if not isinstance(tag, str) or not TAG_RE.match(tag):
            chk.add(
                _pos(owner, "tags"),
                _("bad tag {tag!r}: letters, digits, '_' and '-' joined by '::', no spaces").format(
                    tag=tag
                ),
                card,
            )
        else:
            tags.append(tag)
    return tuple(tags)


def _params(chk: _Checker, card_map: dict[str, Any], card_id: str) -> dict[str, Any]:
    value = card_map.get("params")
    if value is None:
        return {}
    if not isinstance(value, dict):
        chk.add(
            _pos(card_map, "params"), _("params must be a mapping of parameter: choices"), card_id
        )
        return {}
    out: dict[str, Any] = {}
    for name, space in value.items():
        where = _pos(value, name)
        if isinstance(space, list):
            if not space:
                chk.add(where, _("params.{name} lists no choices").format(name=name), card_id)
                continue
            if any(isinstance(v, (dict, list)) and not isinstance(v, list) for v in space):
                chk.add(
                    where,
                    _("params.{name}: choices must be plain values or lists").format(name=name),
                    card_id,
                )
                continue
            out[name] = list(space)
        elif isinstance(space, dict):
            extra = set(space) - {"min", "max"}
            lo, hi = space.get("min"), space.get("max")
            if extra or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)
            ):
                chk.add(
                    where,
                    _("params.{name}: a range is {{min: number, max: number}}").format(name=name),
                    card_id,
                )
                continue
            assert isinstance(lo, (int, float)) and isinstance(hi, (int, float))
            if lo > hi:
                chk.add(
                    where,
                    _("params.{name}: min {lo} is greater than max {hi}").format(
                        name=name, lo=lo, hi=hi
                    ),
                    card_id,
                )
                continue
            out[name] = {"min": lo, "max": hi}
        elif isinstance(space, (str, int, float, bool)):
            out[name] = [space]
        else:
            chk.add(
                where,
                _("params.{name}: give a list of choices or {{min, max}}").format(name=name),
                card_id,
            )
    return out


def _card(
    chk: _Checker, raw: Any, index: int, deck_tags: tuple[str, ...], seq_pos: tuple[int, int]
) -> Card | None:
    if not isinstance(raw, dict):
        chk.add(
            seq_pos,
            _("cards[{index}] must be a mapping with id, question, answer...").format(index=index),
        )
        return None
    card_id = raw.get("id")
    label: str | None = card_id if isinstance(card_id, str) else None
    before = len(chk.problems)
    if card_id is None:
        chk.add(_pos(raw), _("cards[{index}] has no id").format(index=index))
    elif not isinstance(card_id, str) or not CARD_ID_RE.match(card_id):
        chk.add(
            _pos(raw, "id"),
            _(
                "bad card id {id!r}: lowercase letters, digits, '-' and '_', starting with a letter "
                "or digit"
            ).format(id=card_id),
        )
        label = str(card_id)
    elif len(card_id) > MAX_ID_LENGTH:
        chk.add(_pos(raw, "id"), too_long_id_message("card", card_id))
        label = card_id[:40] + "…"
    for key in raw:
        if key not in CARD_FIELDS:
            chk.add(
                _pos(raw, key),
                _suggest(_("unknown field {key!r}").format(key=key), key, CARD_FIELDS),
                label,
            )
    type_value = raw.get("type", "basic")
    try:
        card_type = CardType(type_value)
    except ValueError:
        chk.add(
            _pos(raw, "type"),
            _suggest(
                _("unknown type {type!r} (basic, reversed, cloze, compute or code)").format(
                    type=type_value
                ),
                str(type_value),
                [t.value for t in CardType],
            ),
            label,
        )
        return None
    question = _text(chk, raw, "question", label)
    answer = _text(chk, raw, "answer", label)
    explanation = _text(chk, raw, "explanation", label)
    tags = _tags(chk, raw, label)
    source = raw.get("source")
    if source is not None and (not isinstance(source, str) or not URL_RE.match(source)):
        chk.add(
            _pos(raw, "source"),
            _("source must be an http(s) URL, got {source!r}").format(source=source),
            label,
        )
        source = None
    if card_type is not CardType.COMPUTE:
        if question is None and "question" not in raw:
            chk.add(_pos(raw), _("missing field 'question'"), label)
        if (
            card_type in (CardType.BASIC, CardType.REVERSED)
            and answer is None
            and "answer" not in raw
        ):
            chk.add(_pos(raw), _("missing field 'answer'"), label)
        for key in COMPUTE_ONLY:
            if key in raw and not (key == "tolerance" and card_type is CardType.CODE):
                chk.add(
                    _pos(raw, key), _("{key!r} is only for compute cards").format(key=key), label
                )
        if card_type is CardType.CLOZE and question is not None:
            per_language = isinstance(raw.get("question"), dict)  # else one text for both languages
            for lang, text in (("zh", question.zh), ("en", question.en)):
                if text is None or (lang == "en" and text == question.zh):
                    continue
                if not CLOZE_RE.search(text):
                    chk.add(
                        _pos(raw, "question"),
                        _("cloze question ({lang}) has no {{{{c1::...}}}} deletion").format(
                            lang=lang
                        )
                        if per_language
                        else _("cloze question has no {{{{c1::...}}}} deletion").format(),
                        label,
                    )
                problem = _cloze_problem(text)
                if problem:
                    chk.add(
                        _pos(raw, "question"),
                        _("cloze question ({lang}): {problem}").format(lang=lang, problem=problem)
                        if per_language
                        else _("cloze question: {problem}").format(problem=problem),
                        label,
                    )
    if card_type is not CardType.CODE:
        for key in CODE_FIELDS:
            if key in raw:
                chk.add(_pos(raw, key), _("{key!r} is only for code cards").format(key=key), label)
    code = None
    if card_type is CardType.CODE:
        code = read_code_fields(
            raw,
            lambda owner, key: _text(chk, owner, key, label),
            lambda owner: _params(chk, owner, label or "?"),
            lambda owner, key, message: chk.add(_pos(owner, key), message, label),
        )
    generator = raw.get("generator")
    decimals = raw.get("decimals")
    tolerance = raw.get("tolerance")
    params: dict[str, Any] = {}
    if card_type in (CardType.COMPUTE, CardType.CODE) and tolerance is not None:
        tolerance = _tolerance(chk, raw, tolerance, label)
    if card_type is CardType.COMPUTE:
        if generator is None:
            chk.add(_pos(raw), _("compute card needs a 'generator'"), label)
        elif not isinstance(generator, str) or not re.match(r"^[a-z][a-z0-9_]*\Z", generator):
            chk.add(
                _pos(raw, "generator"),
                _("bad generator name {name!r}").format(name=generator),
                label,
            )
        params = _params(chk, raw, label or "?")
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12
        ):
            chk.add(
                _pos(raw, "decimals"),
                _("decimals must be a whole number from 0 to 12, got {value!r}").format(
                    value=decimals
                ),
                label,
            )
    if len(chk.problems) > before or card_id is None or not isinstance(card_id, str):
        return None
    all_tags = tuple(dict.fromkeys((*tags, *deck_tags)))
    line, column = _pos(raw)
    return Card(
        id=card_id,
        type=card_type,
        question=question or Text(),
        answer=answer,
        explanation=explanation,
        tags=all_tags,
        source=source,
        generator=generator if card_type is CardType.COMPUTE else None,
        params=params,
        decimals=decimals if card_type is CardType.COMPUTE else None,
        tolerance=tolerance if card_type in (CardType.COMPUTE, CardType.CODE) else None,
        line=line,
        column=column,
        starter=code.starter if code else None,
        solution=code.solution if code else None,
        hints=code.hints if code else (),
        judge=code.judge if code else None,
    )


def card_from_data(
    data: dict[str, Any], deck_tags: tuple[str, ...] = ()
) -> tuple[Card | None, list[str]]:
    """Apply the deck format's card rules to one card given as data (not read from a file).

    The rules are the loader's own, so a card that passes here reads back the same from a deck file.

    Args:
        data: the card's fields, as plain dicts, lists and scalars (an ``id`` included).
        deck_tags: the tags of the deck it goes to.

    Returns:
        The card (None when it has problems) and the problems, each ``card 'id': message`` without a position.
    """
    chk = _Checker(None)
    card = _card(chk, data, 0, deck_tags, (1, 1))
    return card, chk.problems


def _tolerance(
    chk: _Checker, raw: dict[str, Any], tolerance: Any, label: str | None
) -> dict[str, float] | None:
    if (
        not isinstance(tolerance, dict)
        or not tolerance
        or set(tolerance) - {"rel", "abs"}
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
            for v in tolerance.values()
        )
    ):
        chk.add(
            _pos(raw, "tolerance"),
            _("tolerance is {{rel: number, abs: number}} (non-negative)").format(),
            label,
        )
        return None
    return {k: float(v) for k, v in tolerance.items()}


def _cloze_problem(text: str) -> str | None:
    """Explain a cloze deletion Anki would not make a card of: numbered outside c1..c999, deleting nothing, or
    cut short by the ``}}`` of some LaTeX (Anki reads clozes the same way)."""
    for match in CLOZE_RE.finditer(text):
        number = match.group(1)
        if len(number) > 3 or not 1 <= int(number) <= MAX_CLOZE:
            shown = number if len(number) <= 12 else number[:12] + "…"
            return _(
                "deletion {{{{c{number}::...}}}}: deletions are numbered from c1 to c{most}"
            ).format(number=shown, most=MAX_CLOZE)
        if not match.group(2).strip():
            return _("deletion '{deletion}' deletes nothing (Anki makes no card of it)").format(
                deletion=match.group(0)
            )
        inner = match.group(2)
        if inner.count("$") % 2 or inner.count("{") != inner.count("}"):
            return _(
                "deletion '{deletion}' is cut short by a '}}}}' inside it; put spaces between "
                "closing braces in math ('}} }}') or move the math out of the deletion"
            ).format(deletion=match.group(0))
    leftover = CLOZE_RE.sub("", text)
    if "{{c" in leftover:
        return _("a '{{{{c' deletion is not closed with '}}}}'").format()
    return None


def _unclosed(error: yaml.MarkedYAMLError, text: str) -> str | None:
    """Point a quote, ``[`` or ``{`` that is never closed at where it opens, not where YAML gave up.

    YAML notices an unclosed quote only at the end of the file, and an unclosed flow list at the next line
    that cannot be part of it; the mistake is where the quote or bracket stands (the error's context mark).

    Returns:
        ``line:column: message`` at the opening character, or None for any other error.
    """
    opened, found = error.context_mark, error.problem_mark
    if opened is None or found is None or not error.context:
        return None
    at_end = not text[found.index :].strip()
    problem = error.problem or ""
    if "quoted scalar" in error.context and "unexpected" in problem:  # end of stream, or a '---'
        message = _("this quote is never closed")
    elif "flow sequence" in error.context:
        message = _("this '[' is never closed with ']'")
    elif "flow mapping" in error.context:
        message = _("this '{' is never closed with '}'")
    else:
        return None  # a bad escape in a quote is not an unclosed quote
    if not at_end:
        message = _("{problem} (line {line} cannot be part of it)").format(
            problem=message, line=found.line + 1
        )
    return f"{opened.line + 1}:{opened.column + 1}: {message}"


def parse_yaml(text: str, label: str, precise: bool = True) -> Any:
    """Parse YAML text strictly and safely.

    Args:
        text: the YAML source.
        label: the name used in messages.
        precise: record every key's position (for messages); the fast pass records mappings' only.

    Raises:
        DeckProblems: with ``label:line:column: message`` for any syntax or construction error.
        _NeedPrecise: (fast pass only) when the precise pass is needed to explain a problem.
    """
    try:
        loader = (_PreciseConstructor if precise else _FastConstructor)(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except RecursionError:
        raise DeckProblems([_too_deep(text, label)]) from None
    except yaml.MarkedYAMLError as error:
        if error.context and "expected a single document" in error.context:
            mark = error.problem_mark or error.context_mark
            where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
            raise DeckProblems(
                [
                    _(
                        "{label}:{where}: a second YAML document starts here; a deck file holds one"
                        " (remove this '---' or what follows it)"
                    ).format(label=label, where=where)
                ]
            ) from None
        unclosed = _unclosed(error, text)
        if unclosed is not None:
            raise DeckProblems([f"{label}:{unclosed}"]) from None
        mark = error.problem_mark or error.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        problem = describe_yaml_error(error.problem, error.context)
        raise DeckProblems([f"{label}:{where}: {problem}"]) from None
    except yaml.reader.ReaderError as error:
        at = error.position
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise DeckProblems(
            [
                _(
                    "{label}:{line}:{column}: the character U+{code:04X} is not allowed in YAML"
                ).format(
                    label=label,
                    line=line,
                    column=column,
                    code=ord(text[at]) if at < len(text) else 0,
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DeckProblems([f"{label}:1:1: {first}"]) from None


def _too_deep(text: str, label: str) -> str:
    """Say where YAML nests deeper than `MAX_NESTING` (found again with the C parser's events, which do
    not recurse)."""
    depth = 0
    where = "1:1"
    try:
        for event in yaml.parse(text, Loader=SafeLoaderBase):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    mark = event.start_mark
                    if mark is not None:
                        where = f"{mark.line + 1}:{mark.column + 1}"
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:  # pragma: no cover - the text parsed once already
        pass
    return _("{label}:{where}: nested more than {most} levels deep").format(
        label=label, where=where, most=MAX_NESTING
    )


def too_long_id_message(kind: str, value: str) -> str:
    """Say that a deck or card id is longer than `MAX_ID_LENGTH`."""
    shown = value[:40] + "…"
    if kind == "deck":
        return _("deck id '{id}' is {length} characters long; at most {most} are allowed").format(
            id=shown, length=len(value), most=MAX_ID_LENGTH
        )
    return _("card id '{id}' is {length} characters long; at most {most} are allowed").format(
        id=shown, length=len(value), most=MAX_ID_LENGTH
    )


def load_deck_text(text: str, label: str, path: Path | None = None, bundled: bool = False) -> Deck:
    """Load and validate one deck from YAML text.

    Args:
        text: the YAML source.
        label: the name used in messages (usually the file path).
        path: the file the text came from, if any.
        bundled: True for a deck shipped with cvquiz.

    Returns:
        The deck.

    Raises:
        DeckProblems: listing every problem found, each as ``label:line:column: ...``.
    """
    checked = check_deck_text(text, label, path=path, bundled=bundled)
    if checked.deck is None:
        raise DeckProblems(list(checked.problems))
    return checked.deck


@dataclass(frozen=True)
class DeckCheck:
    """One deck file checked in full: the deck if it is sound, else every problem and the cards that pass.

    Attributes:
        deck: the deck, when the file has no problem; None otherwise.
        deck_id: the deck id the file names, when it names a valid one.
        cards: every card that follows the format, even when other cards or fields do not.
        problems: every problem, each ``label:line:column: message`` (``card 'id': `` before the message when
            it is a card's).
    """

    deck: Deck | None
    deck_id: str | None
    cards: tuple[Card, ...]
    problems: tuple[str, ...]


def check_deck_text(
    text: str, label: str, path: Path | None = None, bundled: bool = False
) -> DeckCheck:
    """Check one deck's YAML text and report every problem at once, with the cards that pass.

    Args:
        text: the YAML source.
        label: the name used in messages (usually the file path).
        path: the file the text came from, if any.
        bundled: True for a deck shipped with cvquiz.

    Returns:
        The check; a YAML syntax error is its only problem (nothing can be read past it).
    """
    if _ANCHOR_RE.search(text) is None:
        try:
            fast = _deck_from_data(parse_yaml(text, label, precise=False), label, path, bundled)
        except (_NeedPrecise, DeckProblems):
            pass  # read it again, recording every position, to explain the problem exactly
        else:
            if fast.deck is not None:
                return fast
    try:
        data = parse_yaml(text, label, precise=True)
    except DeckProblems as error:
        return DeckCheck(None, None, (), tuple(error.problems))
    return _deck_from_data(data, label, path, bundled)


OVERRIDE_FIELDS = ("overrides", "cards")
"""The fields of a file of the user's own versions of bundled cards (docs/deck-format.md)."""


def _overrides_from_data(data: Where, label: str, path: Path | None) -> DeckCheck:
    """A file of the user's versions of bundled cards: ``overrides: DECK`` and ``cards:``, checked as a deck."""
    chk = _Checker(label)
    for key in data:
        if key not in OVERRIDE_FIELDS:
            chk.add(
                _pos(data, key),
                _(
                    "unknown field {key!r} in a file of overrides (it has only overrides: and cards:)"
                ).format(key=key),
            )
    target = data.get("overrides")
    if not isinstance(target, str) or not DECK_ID_RE.match(target):
        chk.add(
            _pos(data, "overrides"),
            _("overrides names a bundled deck by its id, not {value!r}").format(value=target),
        )
    if chk.problems:
        return DeckCheck(None, None, (), tuple(chk.problems))
    assert isinstance(target, str)
    as_deck = Where({"deck": target, "name": target, "cards": data.get("cards")})
    as_deck.line, as_deck.column = data.line, data.column
    as_deck.key_pos = {**getattr(data, "key_pos", {}), "deck": _pos(data, "overrides")}
    checked = _deck_from_data(as_deck, label, path, bundled=False)
    if checked.deck is None:
        return checked
    deck = checked.deck
    overrides = Deck(id=deck.id, name=deck.id, cards=deck.cards, path=path, overrides=True)
    return DeckCheck(overrides, deck.id, deck.cards, ())


def _deck_from_data(data: Any, label: str, path: Path | None, bundled: bool) -> DeckCheck:
    chk = _Checker(label)
    if not isinstance(data, Where):
        chk.add((1, 1), _("a deck file is a mapping with deck, name and cards"))
        return DeckCheck(None, None, (), tuple(chk.problems))
    if "overrides" in data and not bundled:
        return _overrides_from_data(data, label, path)
    for key in data:
        if key not in DECK_FIELDS:
            chk.add(
                _pos(data, key),
                _suggest(_("unknown field {key!r}").format(key=key), key, DECK_FIELDS),
            )
    deck_id = data.get("deck")
    if deck_id is None:
        chk.add((1, 1), _("missing field 'deck' (the stable deck id)"))
    elif not isinstance(deck_id, str) or not DECK_ID_RE.match(deck_id):
        chk.add(
            _pos(data, "deck"),
            _("bad deck id {id!r}: lowercase letters, digits, '-', '_' and '/'").format(id=deck_id),
        )
    elif len(deck_id) > MAX_ID_LENGTH:
        chk.add(_pos(data, "deck"), too_long_id_message("deck", deck_id))
    name = data.get("name")
    if name is None:
        chk.add((1, 1), _("missing field 'name'"))
    elif not isinstance(name, str) or not name.strip():
        chk.add(_pos(data, "name"), _("name must be non-empty text"))
    description = _text(chk, data, "description", None)
    deck_tags = _tags(chk, data, None)
    raw_cards = data.get("cards")
    cards: list[Card] = []
    if raw_cards is None:
        chk.add((1, 1), _("missing field 'cards' (a list, possibly empty)"))
    elif not isinstance(raw_cards, list):
        chk.add(_pos(data, "cards"), _("cards must be a list"))
    else:
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_cards):
            card = _card(chk, raw, index, deck_tags, _pos(data, "cards"))
            if card is None:
                continue
            if card.id in seen:
                chk.add(
                    (card.line, card.column),
                    _("duplicate id (first used on line {line})").format(line=seen[card.id]),
                    card.id,
                )
                continue
            seen[card.id] = card.line
            cards.append(card)
    valid_id = deck_id if isinstance(deck_id, str) and DECK_ID_RE.match(deck_id) else None
    if chk.problems:
        return DeckCheck(None, valid_id, tuple(cards), tuple(chk.problems))
    assert isinstance(deck_id, str) and isinstance(name, str)
    deck = Deck(
        id=deck_id,
        name=name.strip(),
        description=description,
        tags=deck_tags,
        cards=tuple(cards),
        path=path,
        bundled=bundled,
    )
    return DeckCheck(deck, deck_id, deck.cards, ())


def load_deck(path: Path, bundled: bool = False) -> Deck:
    """Load and validate one deck file.

    Raises:
        DeckProblems: listing every problem, or the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DeckProblems(
            [
                _("{path}:1:1: not UTF-8 text ({reason} at byte {byte})").format(
                    path=path, reason=describe_decode_error(error), byte=error.start
                )
            ]
        ) from None
    except OSError as error:
        raise DeckProblems(
            [_("{path}: cannot read: {reason}").format(path=path, reason=describe_os_error(error))]
        ) from None
    return load_deck_text(text, str(path), path=path, bundled=bundled)


def deck_id_taken(path: object, deck_id: str, other: object) -> str:
    """The problem of a deck file whose deck id another file already uses."""
    return _("{path}:1:1: deck id {id!r} is already used by {other}").format(
        path=path, id=deck_id, other=other
    )


def load_decks(sources: Iterable[DeckSource]) -> list[Deck]:
    """Load many deck files, collecting every problem of every file (and deck ids used twice).

    Raises:
        DeckProblems: listing every problem of every file.
    """
    decks: list[Deck] = []
    problems: list[str] = []
    owners: dict[str, Path] = {}
    for source in sources:
        try:
            deck = load_deck(source.path, bundled=source.bundled)
        except DeckProblems as error:
            problems.extend(error.problems)
            continue
        if deck.id in owners:
            problems.append(deck_id_taken(source.path, deck.id, owners[deck.id]))
            continue
        owners[deck.id] = source.path
        decks.append(deck)
    if problems:
        raise DeckProblems(problems)
    return decks
