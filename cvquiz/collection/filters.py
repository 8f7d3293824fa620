"""The one deck / tag / state filter: which cards a drill, a statistic, an export or a search covers.

A `CardFilter` says what a person asked for (``--deck``, ``--tag``, a state); `check` refuses a deck or a tag that
matches nothing, with the closest one, in one message; `where` turns a filter into one SQL condition on the
``cards`` (``c``) and ``schedule`` (``s``) tables.

Decks nest two ways, and a filter follows both: by id on ``/`` segment boundaries (``practice`` covers
``practice/conv``, never ``practicex``; ``practice/`` covers only the decks under it) and by display name on ``::`` (``CV Interview::Practice`` covers
``CV Interview::Practice::Losses``; names compare case-insensitively, as Anki compares them). Tags nest on
``::`` (``losses`` covers ``losses::focal``) and compare case-insensitively; the tag ``leech`` also matches
cards flagged as leeches. A ``*`` in a deck or a tag stands for any text, as in Anki's search (``prac*``,
``*::Losses``, ``loss*``); a deck pattern covers the decks under the ones it names.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvquiz.errors import CardNotFoundError

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "STATES",
    "CardFilter",
    "UnknownFilterError",
    "check",
    "deck_ids",
    "escape_like",
    "where",
]

STATES: dict[str, tuple[int, ...]] = {
    "new": (0,),
    "learning": (1, 3),
    "review": (2,),
}
"""The states a filter can name, and the schedule states each covers (learning includes relearning)."""

MAX_TAG_TERMS = 64
"""Up to this many tags, a tag filter is a chain of ``LIKE`` conditions (quickest); more go through one JSON list."""


@dataclass(frozen=True)
class CardFilter:
    """Which cards to cover.

    Attributes:
        decks: deck ids or display names, each with the decks nested under it. Empty means every deck.
        tags: tags, each with its children. Empty means every tag.
        states: names from `STATES`. Empty means every state.
        deck_ids: the exact ids ``decks`` were resolved to already (`deck_ids`), or None to resolve them here.
    """

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    deck_ids: tuple[str, ...] | None = None

    @property
    def everything(self) -> bool:
        """True when the filter leaves nothing out."""
        return not (self.decks or self.tags or self.states)


class UnknownFilterError(CardNotFoundError):
    """A ``--deck`` or ``--tag`` that matches nothing in the collection."""


def escape_like(text: str) -> str:
    """Escape ``text`` for a ``LIKE ... ESCAPE '\\'`` pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob(pattern: str) -> re.Pattern[str]:
    """A ``*`` wildcard pattern (anything, ``::`` and ``/`` included) as a case-insensitive regex."""
    return re.compile(
        ".*".join(re.escape(p) for p in pattern.split("*")), re.IGNORECASE | re.DOTALL
    )


def _glob_matcher(want: str) -> Callable[[str, str], bool]:
    """A deck pattern with ``*``: the decks it names by id or name, and (so) the decks under them."""
    glob = _glob(want.strip())

    def matches(deck_id: str, name: str) -> bool:
        ids, names = deck_id.split("/"), name.split("::")
        return any(glob.fullmatch("/".join(ids[:n])) for n in range(1, len(ids) + 1)) or any(
            glob.fullmatch("::".join(names[:n])) for n in range(1, len(names) + 1) if name
        )

    return matches


def _matcher(want: str) -> Callable[[str, str], bool]:
    """Return a test of (deck id, display name) for one ``--deck`` value."""
    if "*" in want:
        return _glob_matcher(want)
    stem = want.rstrip("/")
    children = stem + "/"
    whole = not want.endswith("/")  # "cv" is the deck and those under it; "cv/" only those under it
    wanted = want.strip().rstrip(":").casefold()
    nested = wanted + "::"

    def matches(deck_id: str, name: str) -> bool:
        if (whole and deck_id == stem) or deck_id.startswith(children):
            return True
        lowered = name.casefold()
        return bool(wanted) and (lowered == wanted or lowered.startswith(nested))

    return matches


def _deck_matches(want: str, deck_id: str, name: str) -> bool:
    return _matcher(want)(deck_id, name)


def _decks(conn: sqlite3.Connection, retired: bool) -> list[tuple[str, str]]:
    sql = "SELECT id, name FROM decks" + ("" if retired else " WHERE active = 1")
    return [(str(i), str(n or "")) for i, n in conn.execute(sql)]


def deck_ids(conn: sqlite3.Connection, decks: Iterable[str], retired: bool = False) -> list[str]:
    """Return the ids of the decks that ``decks`` cover (each by id or display name, with nested decks).

    Args:
        conn: the collection connection.
        decks: what was asked for.
        retired: include decks whose file is gone (statistics cover their history).
    """
    tests = [_matcher(w) for w in decks]
    return [i for i, name in _decks(conn, retired) if any(test(i, name) for test in tests)]


def _tag_strings(conn: sqlite3.Connection) -> set[str]:
    tags: set[str] = {"leech"}
    for (text,) in conn.execute("SELECT DISTINCT tags FROM cards WHERE active = 1"):
        tags.update(str(text).split())
    return tags


def check(conn: sqlite3.Connection, flt: CardFilter, retired: bool = False) -> None:
    """Refuse a deck or tag that matches nothing, so a typo is an error rather than "nothing to study".

    Raises:
        UnknownFilterError: one line per deck or tag that matches nothing, each with the closest one there is.
        UsageError: for a state that is not one of `STATES`.
    """
    problems: list[str] = []
    if flt.decks:
        known = _decks(conn, retired)
        ids = [i for i, _ in known]
        for want in flt.decks:
            if not any(_deck_matches(want, i, n) for i, n in known):
                close = difflib.get_close_matches(want.rstrip("/"), ids, n=1, cutoff=0.5)
                problems.append(_unknown("deck", want, close))
    if flt.tags:
        tags = sorted(_tag_strings(conn))
        lowered = [t.casefold() for t in tags]
        for want in flt.tags:
            key = want.casefold()
            if "*" in want:
                if not _tag_globs(want, tags):
                    problems.append(_unknown("tag", want, []))
                continue
            if not any(t == key or t.startswith(key + "::") for t in lowered):
                close = difflib.get_close_matches(want, tags, n=1, cutoff=0.6)
                problems.append(_unknown("tag", want, close))
    bad = [s for s in flt.states if s not in STATES]
    if bad:
        from cvquiz.errors import UsageError
        from cvquiz.i18n import _

        raise UsageError(
            _("unknown card state {state!r}: use {states}").format(
                state=bad[0], states=", ".join(STATES)
            )
        )
    if problems:
        raise UnknownFilterError("\n".join(problems))


def unknown_deck(conn: sqlite3.Connection, deck_id: str) -> str | None:
    """Return why ``deck_id`` names no deck of the collection (with the closest id), or None when it does."""
    from cvquiz.i18n import _

    ids = [i for i, _name in _decks(conn, retired=False)]
    if deck_id in ids:
        return None
    message = _("no deck {deck!r}").format(deck=deck_id)
    close = difflib.get_close_matches(deck_id, ids, n=1, cutoff=0.5)
    if close:
        message = _("{problem} (did you mean {name!r}?)").format(problem=message, name=close[0])
    return message


def _tag_globs(want: str, tags: Iterable[str]) -> list[str]:
    """The tags a ``*`` pattern names (each with its children, as a plain tag would be)."""
    glob = _glob(want)
    return sorted(t for t in tags if glob.fullmatch(t))


def _tags_of(conn: sqlite3.Connection, wanted: Iterable[str]) -> list[str]:
    """The tags asked for, with each ``*`` pattern replaced by the tags it names."""
    out: list[str] = []
    known: list[str] | None = None
    for want in wanted:
        if "*" not in want:
            out.append(want)
            continue
        if known is None:
            known = sorted(_tag_strings(conn))
        out += _tag_globs(want, known)
    return out


def _unknown(what: str, want: str, close: list[str]) -> str:
    from cvquiz.i18n import _

    if what == "deck":
        message = _("no deck {deck!r}").format(deck=want)
        hint = _("cvquiz decks lists them")
    else:
        message = _("no card has the tag {tag!r}").format(tag=want)
        hint = _("cvquiz stats --json lists every tag")
    if close:
        message = _("{problem} (did you mean {name!r}?)").format(problem=message, name=close[0])
    return _("{problem}; {hint}").format(problem=message, hint=hint)


def where(
    conn: sqlite3.Connection,
    flt: CardFilter,
    params: dict[str, Any],
    cards: str = "c",
    schedule: str = "s",
    retired: bool = False,
    prefix: str = "flt_",
) -> str:
    """Return one SQL condition selecting the cards ``flt`` covers (``1`` when it covers everything).

    Deck filters are resolved to ids here (the decks table is small); tags and states become conditions on
    the ``cards`` and ``schedule`` aliases.

    Args:
        conn: the collection connection.
        flt: the filter.
        params: the query's named parameters; the condition's values are added to it (keys start ``prefix``).
        cards: the alias of the cards table.
        schedule: the alias of the schedule table (only read for states and the leech tag).
        retired: let deck filters cover retired decks too.
        prefix: the start of the parameter names (one query with several conditions gives each its own).
    """
    clauses: list[str] = []
    if flt.decks:
        ids = deck_ids(conn, flt.decks, retired) if flt.deck_ids is None else list(flt.deck_ids)
        params[f"{prefix}decks"] = json.dumps(ids)
        clauses.append(f"{cards}.deck_id IN (SELECT value FROM json_each(:{prefix}decks))")
    if flt.tags:
        tags = _tags_of(conn, flt.tags)
        parts = []
        if len(tags) > MAX_TAG_TERMS:
            # a pattern naming many tags (``tag:*`` over an Anki import's): one condition over a JSON list, as a
            # chain of ORs that long would pass SQLite's expression depth limit (1,000)
            likes = [
                like
                for tag in tags
                for like in (f"% {escape_like(tag)} %", f"% {escape_like(tag)}::%")
            ]
            params[f"{prefix}tags"] = json.dumps(likes)
            parts.append(
                f"EXISTS (SELECT 1 FROM json_each(:{prefix}tags) WHERE {cards}.tags LIKE value ESCAPE '\\')"
            )
        else:
            for i, tag in enumerate(tags):
                params[f"{prefix}tag{i}"] = f"% {escape_like(tag)} %"
                params[f"{prefix}tagc{i}"] = f"% {escape_like(tag)}::%"
                parts.append(
                    f"{cards}.tags LIKE :{prefix}tag{i} ESCAPE '\\' OR {cards}.tags LIKE :{prefix}tagc{i} ESCAPE '\\'"
                )
        if any(tag.casefold() == "leech" for tag in tags):
            parts.append(f"{schedule}.leech = 1")
        clauses.append("(" + (" OR ".join(parts) or "0") + ")")
    if flt.states:
        states = sorted({s for name in flt.states for s in STATES.get(name, ())})
        clauses.append(f"{schedule}.state IN ({', '.join(str(s) for s in states)})")
    return " AND ".join(clauses) if clauses else "1"
