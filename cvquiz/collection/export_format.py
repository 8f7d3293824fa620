"""The format of ``cvquiz export json``, checked field by field before a restore writes anything.

A restore takes a file from anywhere (an old backup, one edited by hand, one crafted to break cvquiz), so every
value is checked for its type and its range before the first row is written: a stability must be a positive
number, a study day a real date, a count must fit in SQLite's integers, and so on. The first bad value is
reported with its JSON path (``cards[12].schedule.stability: must be > 0``) and nothing is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from cvquiz.i18n import _
from cvquiz.model import CardType

__all__ = ["ExportFormatError", "check_export"]

INT64 = 2**63 - 1
COUNT_MAX = 2**31 - 1
STABILITY_MAX = 1e9
"""Days; far beyond any real memory (the longest interval is 100 years), but finite."""
YEARS = (1970, 9999)


class ExportFormatError(ValueError):
    """A value of an export that is not what the format says.

    Attributes:
        path: where it is, as a JSON path (``cards[12].schedule.stability``).
        problem: what is wrong with it.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


Check = Callable[[Any, str], None]

CARD_TYPES = ("basic", "reversed", "cloze", "compute", "code")


def _fail(path: str, problem: str) -> ExportFormatError:
    return ExportFormatError(path, problem)


def _int(low: int, high: int) -> Check:
    def check(value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _fail(
                path, _("must be a whole number from {low} to {high}").format(low=low, high=high)
            )

    return check


def _positive(high: float) -> Check:
    def check(value: Any, path: str) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _fail(path, _("must be a finite number"))
        if value <= 0:
            raise _fail(path, _("must be > 0"))
        if value > high:
            raise _fail(path, _("must be at most {high:g}").format(high=high))

    return check


def _between(low: float, high: float) -> Check:
    def check(value: Any, path: str) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _fail(path, _("must be a finite number"))
        if not low <= value <= high:
            raise _fail(path, _("must be from {low:g} to {high:g}").format(low=low, high=high))

    return check


def _bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise _fail(path, _("must be true or false"))


def _flag(value: Any, path: str) -> None:
    """True/false, or 0/1 as the state snapshots of the review log store them."""
    if not isinstance(value, bool) and value not in (0, 1):
        raise _fail(path, _("must be true or false"))


def _text(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise _fail(path, _("must be text"))


def _name(value: Any, path: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, _("must be non-empty text"))


def _one_of(*choices: object) -> Check:
    def check(value: Any, path: str) -> None:
        if isinstance(value, bool) or value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            raise _fail(path, _("must be one of {choices}").format(choices=shown))

    return check


def _time(value: Any, path: str) -> None:
    problem = _("must be a time in ISO 8601 between 1970 and 9999 (2026-03-02T09:00:00.000Z)")
    if not isinstance(value, str) or len(value) > 40:
        raise _fail(path, problem)
    try:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError
        when.timestamp()
    except (ValueError, OverflowError, OSError):
        raise _fail(path, problem) from None
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise _fail(path, problem)


def _day(value: Any, path: str) -> None:
    problem = _("must be a date (YYYY-MM-DD) between 1970 and 9999")
    if not isinstance(value, str) or len(value) != 10:
        raise _fail(path, problem)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _fail(path, problem) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _fail(path, problem)


def _optional(check: Check) -> Check:
    def optional(value: Any, path: str) -> None:
        if value is not None:
            check(value, path)

    return optional


def _list_of(check: Check) -> Check:
    def checked(value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _fail(path, _("must be a list"))
        for index, item in enumerate(value):
            check(item, f"{path}[{index}]")

    return checked


def _bilingual(value: Any, path: str) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, dict) or not set(value) <= {"zh", "en"}:
        raise _fail(path, _("must be text or an object with zh and en"))
    for lang, text in value.items():
        _text(text, f"{path}.{lang}")


def _object(
    fields: Mapping[str, Check], *, partial: bool = False, optional: tuple[str, ...] = ()
) -> Check:
    """An object with these fields (all required unless ``partial`` or ``optional``); other keys are not
    checked."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _fail(path, _("must be an object"))
        for key, field_check in fields.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                if partial or key in optional:
                    continue
                raise _fail(where, _("is missing"))
            field_check(value[key], where)

    return check


_CARD_TYPES = tuple(t.value for t in CardType)
_ROW_ID = _int(1, INT64)
_SIZE = _int(0, INT64)
_COUNT = _int(0, COUNT_MAX)
_STATE = _int(0, 3)

_SCHEDULE: dict[str, Check] = {
    "state": _STATE,
    "step": _optional(_int(0, 1000)),
    "stability": _optional(_positive(STABILITY_MAX)),
    "difficulty": _optional(_between(1, 10)),
    "due": _optional(_time),
    "last_review": _optional(_time),
    "reps": _COUNT,
    "lapses": _COUNT,
    "suspended": _flag,
    "buried_until": _optional(_day),
    "leech": _flag,
    "due_day": _optional(_day),
}

_DECK = _object(
    {
        "id": _name,
        "name": _name,
        "description": _optional(_bilingual),
        "tags": _list_of(_text),
        "path": _optional(_text),
        "bundled": _bool,
        "active": _bool,
        "position": _SIZE,
    }
)
_DECK_FILE = (
    _object(  # mtime_ns -1 and digest "": a file the next sync reads again (see collection.sync)
        {
            "path": _name,
            "mtime_ns": _int(-1, INT64),
            "size": _SIZE,
            "digest": _text,
            "deck_id": _name,
        }
    )
)


def _content(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise _fail(path, _("must be an object"))
    _name(value.get("id"), f"{path}.id")
    _one_of(*CARD_TYPES)(value.get("type", "basic"), f"{path}.type")
    for key in ("question", "answer", "explanation", "starter", "solution"):
        if value.get(key) is not None:
            _bilingual(value[key], f"{path}.{key}")
    if value.get("hints") is not None:
        _list_of(_bilingual)(value["hints"], f"{path}.hints")
    if value.get("judge") is not None:
        _object({"reference": _name})(value["judge"], f"{path}.judge")
    if value.get("tags") is not None:
        _list_of(_text)(value["tags"], f"{path}.tags")
    if value.get("generator") is not None:
        _text(value["generator"], f"{path}.generator")
    if value.get("params") is not None and not isinstance(value["params"], dict):
        raise _fail(f"{path}.params", _("must be an object"))


_CARD = _object(
    {
        "pk": _ROW_ID,
        "deck_id": _name,
        "card_id": _name,
        "ord": _int(0, COUNT_MAX),
        "type": _one_of(*CARD_TYPES),
        "content": _content,
        "content_hash": _text,
        "tags": _list_of(_text),
        "line": _SIZE,
        "position": _SIZE,
        "active": _bool,
        "added_at": _time,
        "modified_at": _time,
        "schedule": _object(_SCHEDULE),
    }
)
_REVIEW = _object(
    {
        "id": _ROW_ID,
        "card_pk": _ROW_ID,
        "reviewed_at": _time,
        "study_day": _day,
        "rating": _int(1, 4),
        "duration_ms": _optional(_int(0, INT64)),
        "answer": _optional(_text),
        "correct": _optional(_bool),
        "seed": _optional(_int(-INT64 - 1, INT64)),
        "state_before": _STATE,
        "state_after": _STATE,
        "before": _object(_SCHEDULE, partial=True),
        "after": _object(_SCHEDULE, partial=True),
    }
)
_ATTEMPT = _object(
    {
        "id": _ROW_ID,
        "card_pk": _ROW_ID,
        "attempted_at": _time,
        "study_day": _day,
        "source": _one_of("drill", "try"),
        "code": _text,
        "passed": _bool,
        "cases": _COUNT,
        "failed": _COUNT,
        "kind": _optional(_name),
        "summary": _text,
        "seconds": _between(0, 1e9),
    }
)
_EXPORT = _object(
    {
        "migrations": _list_of(_text),
        "decks": _list_of(_DECK),
        "deck_files": _list_of(_DECK_FILE),
        "cards": _list_of(_CARD),
        "reviews": _list_of(_REVIEW),
        "code_attempts": _list_of(_ATTEMPT),
    },
    optional=("code_attempts",),  # exports made before code cards have none
)


def check_export(data: Any) -> None:
    """Check every field of a parsed export for its type and range (format and version are checked before).

    Raises:
        ExportFormatError: at the first bad value, with its JSON path.
    """
    _EXPORT(data, "")
    if "code_attempts" in data:  # exports made before code cards have none
        _list_of(_ATTEMPT)(data["code_attempts"], "code_attempts")
    for index, card in enumerate(data["cards"]):
        if card["content"]["id"] != card["card_id"]:
            raise _fail(
                f"cards[{index}].content.id",
                _("must be the card's id {id!r}").format(id=card["card_id"]),
            )
    _check_references(data)


def _check_references(data: Mapping[str, Any]) -> None:
    """Refuse what SQLite would refuse in the middle of the restore, named by its JSON path instead.

    Ids are unique within their list (a card also by deck, id and ordinal), and every row points at a deck or
    card the export has.
    """

    def unique(items: str, key: Callable[[Any], Any], field: str) -> None:
        seen: dict[Any, int] = {}
        for index, item in enumerate(data.get(items, ())):
            value = key(item)
            if value in seen:
                raise _fail(
                    f"{items}[{index}].{field}",
                    _("{value!r} is also at {other}; it must be unique").format(
                        value=value, other=f"{items}[{seen[value]}]"
                    ),
                )
            seen[value] = index

    unique("decks", lambda deck: deck["id"], "id")
    unique("deck_files", lambda file: file["path"], "path")
    unique("cards", lambda card: card["pk"], "pk")
    unique("cards", lambda card: (card["deck_id"], card["card_id"], card["ord"]), "card_id")
    unique("reviews", lambda review: review["id"], "id")
    unique("code_attempts", lambda attempt: attempt["id"], "id")
    decks = {deck["id"] for deck in data["decks"]}
    for index, card in enumerate(data["cards"]):
        if card["deck_id"] not in decks:
            raise _fail(
                f"cards[{index}].deck_id",
                _("no deck in the export has the id {id!r}").format(id=card["deck_id"]),
            )
    cards = {card["pk"] for card in data["cards"]}
    for items in ("reviews", "code_attempts"):
        for index, row in enumerate(data.get(items, ())):
            if row["card_pk"] not in cards:
                raise _fail(
                    f"{items}[{index}].card_pk",
                    _("no card in the export has the pk {pk}").format(pk=row["card_pk"]),
                )
