"""The search syntax: Anki's query language for what cvquiz has, parsed into a tree.

A query is terms separated by spaces; every term must match (``and`` may be written, or left out), ``or`` joins
alternatives, ``-`` negates a term or a group, and parentheses group. A term is plain text (``softmax``,
``"cross entropy"``, ``soft*max``) or ``key:value``:

- ``deck:losses`` (and the decks under it; ``deck:prac*``), ``tag:detection`` (and its children; ``tag:none``),
  ``card:losses/ce-grad-softmax`` or ``card:ce-*`` (card ids);
- ``is:new``, ``is:learn``, ``is:review``, ``is:due``, ``is:suspended``, ``is:buried``, ``is:leech``;
- ``prop:ivl>=10``, ``prop:due<=3``, ``prop:lapses>2``, ``prop:reps=0``, ``prop:s>30`` (stability, days),
  ``prop:d>7`` (difficulty, 1–10), ``prop:r<0.8`` (retrievability now);
- ``rated:N`` (rated in the last N study days, today being 1) and ``rated:N:E`` (with rating E, 1–4),
  ``introduced:N`` (first studied in the last N study days).

A backslash escapes the next character (``foo\\:bar`` is the text ``foo:bar``, ``\\*`` a literal star); a query
ending in a lone backslash is refused, as Anki refuses it. A query holds at most `MAX_TERMS` terms, nested at
most `MAX_DEPTH` deep, and ``prop:`` numbers stay within `PROPERTY_RANGES`, so that SQLite can run every query
that parses.

This module is pure Python: `cvquiz.collection.search` turns the tree into SQL. A mistake raises
`QuerySyntaxError` naming the column where it is (1-based), e.g. ``search: column 14: unknown property 'foo'
(did you mean 'reps'?)``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeAlias, dataclass_transform

from cvquiz.errors import UsageError
from cvquiz.i18n import _

__all__ = [
    "KEYS",
    "OPERATORS",
    "PROPERTIES",
    "STATES",
    "All",
    "And",
    "CardTerm",
    "DeckTerm",
    "IntroducedTerm",
    "Node",
    "Not",
    "Or",
    "Pattern",
    "PropTerm",
    "QuerySyntaxError",
    "RatedTerm",
    "StateTerm",
    "TagTerm",
    "TextTerm",
    "parse",
]

KEYS = ("deck", "tag", "card", "is", "prop", "rated", "introduced")
"""The search keys, as written before the colon."""

STATES = ("new", "learn", "review", "due", "suspended", "buried", "leech")
"""The values ``is:`` takes."""

PROPERTIES = ("ivl", "due", "lapses", "reps", "s", "d", "r")
"""The properties ``prop:`` compares: interval, days until due, lapses, reviews, stability, difficulty and
retrievability."""

WHOLE_PROPERTIES = frozenset({"ivl", "due", "lapses", "reps"})
"""Properties compared with whole numbers."""

OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
"""Comparison operators of ``prop:``, longest first so that ``<=`` is not read as ``<``."""

MAX_DAYS = 36_500
"""The longest span ``rated:`` and ``introduced:`` accept (a hundred years, the longest interval cvquiz
schedules)."""

PROPERTY_RANGES: dict[str, tuple[int, int]] = {
    "ivl": (0, MAX_DAYS),
    "due": (-MAX_DAYS, MAX_DAYS),
    "lapses": (0, 1_000_000_000),
    "reps": (0, 1_000_000_000),
    "s": (0, 1_000_000_000),  # the largest stability a collection holds (an imported one, too)
    "d": (1, 10),
    "r": (0, 1),
}
"""The numbers each ``prop:`` property compares with, inclusive: what the property can be (days of a hundred-year
interval, counts, FSRS difficulty 1–10, retrievability 0–1). A number outside is a mistake, and SQLite could not
take an arbitrarily large one."""

MAX_TERMS = 500
"""The most terms a query may hold: each is a level of the SQL expression tree, whose height SQLite limits
(1,000 by default)."""

MAX_DEPTH = 10
"""How deeply parentheses and ``-`` may nest, each counting one level (``-(a or b)`` is two). SQLite parses a
statement with a stack of 100 entries (its default) that a nested ``(a or b (...))`` fills at 15 levels; the
tests check the deepest, longest queries these limits allow."""


@dataclass_transform(frozen_default=True)
class _Value:
    """A small immutable value class: fields from the annotations, equality by type and fields, a repr.

    The search tree is built on every search; generating dataclass code for its fourteen node types would cost
    more at start-up than the search itself, so they share this one generic implementation.
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        cls._fields = tuple(
            name
            # (not inspect.get_annotations: importing inspect costs more than this module)
            for name, kind in cls.__dict__.get("__annotations__", {}).items()  # noqa: RUF063
            if "ClassVar" not in kind
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        values = dict(zip(self._fields, args, strict=False)) | kwargs
        for name in self._fields:
            value = values[name] if name in values else getattr(type(self), name)
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, f) == getattr(other, f) for f in self._fields
        )

    def __hash__(self) -> int:
        return hash((type(self), *(getattr(self, f) for f in self._fields)))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"


class QuerySyntaxError(UsageError):
    """A search query that cannot be read; the message names the column (1-based) of the problem.

    Attributes:
        column: where the problem is.
        problem: what it is, without the column.
    """

    def __init__(self, column: int, problem: str) -> None:
        self.column = column
        self.problem = problem
        super().__init__(
            _("search: column {column}: {problem}").format(column=column, problem=problem)
        )


class Pattern(_Value):
    """Text to match, with ``*`` wildcards: the literal pieces between the stars.

    ``soft*max`` is ``("soft", "max")``; ``*`` alone is ``("", "")``; text without a star is one piece.
    """

    parts: tuple[str, ...]

    @property
    def has_wildcard(self) -> bool:
        """True when the pattern holds a ``*``."""
        return len(self.parts) > 1

    @property
    def text(self) -> str:
        """The pattern written back, stars included (literal stars are not told apart)."""
        return "*".join(self.parts)

    def matches(self, value: str) -> bool:
        """Return True when the whole of ``value`` matches, ignoring case."""
        value = value.casefold()
        parts = [p.casefold() for p in self.parts]
        if len(parts) == 1:
            return value == parts[0]
        if not (value.startswith(parts[0]) and value.endswith(parts[-1])):
            return False
        pos = len(parts[0])
        end = len(value) - len(parts[-1])
        for part in parts[1:-1]:
            found = value.find(part, pos, end)
            if found < 0:
                return False
            pos = found + len(part)
        return pos <= end


class All(_Value):
    """Every card (the empty query)."""


class TextTerm(_Value):
    """Cards whose question, answer, explanation or generator holds the text (any case, either language)."""

    pattern: Pattern


class DeckTerm(_Value):
    """Cards of the decks the pattern names (by id or display name), and of the decks under them."""

    pattern: Pattern


class TagTerm(_Value):
    """Cards with a tag the pattern names, or one under it; ``None`` means cards without any tag."""

    pattern: Pattern | None


class CardTerm(_Value):
    """Cards whose ``deck/id`` or card id the pattern names."""

    pattern: Pattern


class StateTerm(_Value):
    """Cards in a state (one of `STATES`)."""

    state: str


class PropTerm(_Value):
    """Cards whose property compares to a number (``ivl >= 10``)."""

    name: str
    op: str
    value: float


class RatedTerm(_Value):
    """Cards rated in the last ``days`` study days (today is 1), with rating ``ease`` when given."""

    days: int
    ease: int | None = None


class IntroducedTerm(_Value):
    """Cards first studied in the last ``days`` study days."""

    days: int


class Not(_Value):
    """Cards the inner query does not match."""

    node: Node


class And(_Value):
    """Cards every inner query matches."""

    nodes: tuple[Node, ...]


class Or(_Value):
    """Cards any inner query matches."""

    nodes: tuple[Node, ...]


Node: TypeAlias = (
    All
    | TextTerm
    | DeckTerm
    | TagTerm
    | CardTerm
    | StateTerm
    | PropTerm
    | RatedTerm
    | IntroducedTerm
    | Not
    | And
    | Or
)


# --- reading the text into tokens ---------------------------------------------------------------------------


class _Token(_Value):
    kind: str  # "(", ")", "-", "term"
    column: int  # 1-based
    raw: str = ""  # a term as written: quotes and backslashes kept


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token(c, i + 1))
            i += 1
        elif (
            c == "-"
        ):  # a minus starting a term negates it (inside a term it is text: ``max-pool``)
            tokens.append(_Token("-", i + 1))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in "()":
                if text[i] == "\\":
                    if i + 1 == n:  # as Anki: nothing is left to escape
                        raise QuerySyntaxError(
                            i + 1,
                            _(
                                "a backslash escapes the character after it, and there is none (to find a backslash, write \\\\)"
                            ),
                        )
                    i += 2
                elif text[i] == '"':
                    i = _closing_quote(text, i) + 1
                else:
                    i += 1
            tokens.append(_Token("term", start + 1, text[start : min(i, n)]))
    return tokens


def _closing_quote(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i
        else:
            i += 1
    raise QuerySyntaxError(start + 1, _("this quote is never closed"))


def _unquote(raw: str) -> tuple[str, list[int]]:
    """Drop the quotes of a term, keeping backslash escapes; also return each kept character's raw offset."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == '"':
            i += 1
            continue
        if c == "\\" and i + 1 < len(raw):
            out += [c, raw[i + 1]]
            where += [i, i + 1]
            i += 2
            continue
        out.append(c)
        where.append(i)
        i += 1
    return "".join(out), where


def _split_key(body: str) -> int | None:
    """The index of the first colon that is not escaped, or None."""
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
        elif body[i] == ":":
            return i
        else:
            i += 1
    return None


def _pattern(body: str) -> Pattern:
    """Split escaped text on its unescaped stars and drop the escapes."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            current.append(body[i + 1])
            i += 2
        elif c == "*":
            parts.append("".join(current))
            current = []
            i += 1
        else:
            current.append(c)
            i += 1
    parts.append("".join(current))
    return Pattern(tuple(parts))


# --- terms ----------------------------------------------------------------------------------------------------


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.5)
    return _(" (did you mean {close!r}?)").format(close=close[0]) if close else ""


def _term(token: _Token) -> Node:
    body, where = _unquote(token.raw)

    def col(offset: int) -> int:
        return token.column + (where[offset] if offset < len(where) else len(token.raw))

    colon = _split_key(body)
    if colon is None:
        if not body:
            raise QuerySyntaxError(token.column, _("empty quotes: put the text to find inside"))
        return TextTerm(_pattern(body))
    key = body[:colon].lower()
    value = body[colon + 1 :]
    value_col = col(colon + 1)
    if key not in KEYS:
        raise QuerySyntaxError(
            token.column,
            _("unknown search key {key!r}{hint}; to find the text, write {escaped}").format(
                key=body[:colon],
                hint=_did_you_mean(key, KEYS),
                escaped=body.replace(":", "\\:"),
            ),
        )
    if not value:
        raise QuerySyntaxError(
            value_col,
            _("{key}: needs a value, e.g. {example}").format(key=key, example=_EXAMPLES[key]),
        )
    if key == "deck":
        return DeckTerm(_pattern(value))
    if key == "tag":
        return TagTerm(None if value.lower() == "none" else _pattern(value))
    if key == "card":
        return CardTerm(_pattern(value))
    if key == "is":
        state = value.lower()
        if state == "learning":
            state = "learn"
        if state not in STATES:
            raise QuerySyntaxError(
                value_col,
                _("unknown state {state!r}{hint}: use {states}").format(
                    state=value, hint=_did_you_mean(state, STATES), states=", ".join(STATES)
                ),
            )
        return StateTerm(state)
    if key == "prop":
        return _prop(value, value_col)
    if key == "rated":
        return _rated(value, value_col)
    return IntroducedTerm(_days(value, value_col, "introduced"))


_EXAMPLES = {
    "deck": "deck:losses",
    "tag": "tag:detection",
    "card": "card:losses/ce-grad-softmax",
    "is": "is:due",
    "prop": "prop:ivl>=10",
    "rated": "rated:7",
    "introduced": "introduced:7",
}


def _prop(value: str, column: int) -> PropTerm:
    name_end = 0
    while name_end < len(value) and (value[name_end].isalnum() or value[name_end] == "_"):
        name_end += 1
    name = value[:name_end].lower()
    if not name:
        raise QuerySyntaxError(
            column,
            _("prop: needs a property and a comparison, e.g. prop:ivl>=10 ({names})").format(
                names=", ".join(PROPERTIES)
            ),
        )
    if name not in PROPERTIES:
        hint = _did_you_mean(name, PROPERTIES)
        if hint:
            problem = _("unknown property {name!r}{hint}").format(name=value[:name_end], hint=hint)
        else:
            problem = _("unknown property {name!r}: use {names}").format(
                name=value[:name_end], names=", ".join(PROPERTIES)
            )
        raise QuerySyntaxError(column, problem)
    rest = value[name_end:]
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise QuerySyntaxError(
            column + name_end,
            _("prop:{name} needs a comparison: one of {ops}, e.g. prop:{name}>=10").format(
                name=name, ops=" ".join(OPERATORS)
            ),
        )
    number = rest[len(op) :]
    number_col = column + name_end + len(op)
    try:
        amount = float(number)
    except ValueError:
        amount = float("nan")
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise QuerySyntaxError(
            number_col,
            _("prop:{name} compares with a number, not {value!r}").format(name=name, value=number),
        )
    if name in WHOLE_PROPERTIES and not amount.is_integer():
        raise QuerySyntaxError(
            number_col,
            _("prop:{name} compares with a whole number, not {value!r}").format(
                name=name, value=number
            ),
        )
    least, most = PROPERTY_RANGES[name]
    if not least <= amount <= most:
        raise QuerySyntaxError(
            number_col,
            _("prop:{name} compares with a number from {least} to {most}, not {value!r}").format(
                name=name, least=least, most=most, value=number
            ),
        )
    return PropTerm(name, op, amount)


def _days(text: str, column: int, key: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise QuerySyntaxError(
            column,
            _("{key}: takes a number of days from 1 to {most}, not {value!r}").format(
                key=key, most=MAX_DAYS, value=text
            ),
        )
    return int(text)


def _rated(value: str, column: int) -> RatedTerm:
    days_text, sep, ease_text = value.partition(":")
    days = _days(days_text, column, "rated")
    if not sep:
        return RatedTerm(days)
    if ease_text not in ("1", "2", "3", "4"):
        raise QuerySyntaxError(
            column + len(days_text) + 1,
            _(
                "rated:{days}: the rating is 1 (again), 2 (hard), 3 (good) or 4 (easy), not {value!r}"
            ).format(days=days, value=ease_text),
        )
    return RatedTerm(days, int(ease_text))


# --- the grammar ----------------------------------------------------------------------------------------------


class _Parser:
    """query := or;  or := and ('or' and)*;  and := unary+;  unary := '-' unary | '(' or ')' | term."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0  # parentheses and '-' open around the current token
        self.terms = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _word(self, token: _Token | None) -> str | None:
        if token is not None and token.kind == "term" and token.raw.lower() in ("or", "and"):
            return token.raw.lower()
        return None

    def parse(self) -> Node:
        if not self.tokens:
            return All()
        node = self._or()
        token = self._peek()
        if token is not None:  # only a stray ')' stops the top level
            raise QuerySyntaxError(
                token.column,
                _("this ')' has no '(' to close (to find a parenthesis, put the text in quotes)"),
            )
        return node

    def _or(self) -> Node:
        nodes = [self._and()]
        while self._word(self._peek()) == "or":
            token = self.tokens[self.pos]
            self.pos += 1
            following = self._peek()
            if following is None or following.kind == ")" or self._word(following):
                raise QuerySyntaxError(token.column, _("'or' needs a search on both sides"))
            nodes.append(self._and())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def _and(self) -> Node:
        nodes: list[Node] = []
        while True:
            token = self._peek()
            if token is None or token.kind == ")":
                break
            word = self._word(token)
            if word == "or":
                if not nodes:
                    raise QuerySyntaxError(token.column, _("'or' needs a search on both sides"))
                break
            if word == "and":
                self.pos += 1
                following = self._peek()
                if not nodes or following is None or following.kind == ")" or self._word(following):
                    raise QuerySyntaxError(token.column, _("'and' needs a search on both sides"))
                continue
            nodes.append(self._unary())
        if not nodes:
            token = self._peek()
            column = token.column if token is not None else len(self.text) + 1
            raise QuerySyntaxError(column, _("a search is missing here"))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def _unary(self) -> Node:
        token = self.tokens[self.pos]
        if token.kind in "(-":
            self.depth += 1
            try:
                return self._nested()
            finally:
                self.depth -= 1
        self.pos += 1
        if token.kind == ")":  # pragma: no cover - _and stops before a ')'
            raise QuerySyntaxError(token.column, _("this ')' has no '(' to close"))
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(
                token.column,
                _("the search is too long: at most {most} terms").format(most=MAX_TERMS),
            )
        return _term(token)

    def _nested(self) -> Node:
        """A negation or a group: checked to nest at most `MAX_DEPTH` deep (each level is a Python call)."""
        token = self.tokens[self.pos]
        self.pos += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                token.column,
                _("the search nests parentheses and '-' too deeply: at most {most} levels").format(
                    most=MAX_DEPTH
                ),
            )
        if token.kind == "-":
            following = self._peek()
            if following is None or following.kind == ")" or self._word(following):
                raise QuerySyntaxError(
                    token.column, _("'-' must stand right before the search it negates")
                )
            return Not(self._unary())
        following = self._peek()  # token is a '('
        if following is not None and following.kind == ")":
            raise QuerySyntaxError(token.column, _("empty parentheses"))
        node = self._or()
        closing = self._peek()
        if closing is None or closing.kind != ")":
            raise QuerySyntaxError(
                token.column,
                _("this '(' is never closed (to find a parenthesis, put the text in quotes)"),
            )
        self.pos += 1
        return node


def parse(text: str) -> Node:
    """Parse a search query.

    Args:
        text: the query, as typed (an empty query matches every card).

    Returns:
        The query's tree.

    Raises:
        QuerySyntaxError: for anything that cannot be read, naming the column.
    """
    return _Parser(text).parse()
