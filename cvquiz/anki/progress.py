"""Learning progress written into a package's collection after genanki has built it.

genanki writes every card as new. With ``--with-progress`` this module rewrites the rows of the cards a user
has studied, and adds their review history, so that Anki's "Import any learning progress" brings them in as
the cards they are in cvquiz. It works on the package's SQLite database (Anki's schema 11) with plain SQL:

* ``col``: ``crt`` (the collection's day 0) becomes the start of the export's study day, and the config says
  scheduler v2 with cvquiz's rollover hour and the UTC offset at ``crt``. Anki counts review due dates in days
  since ``crt`` and, on import, shifts them by how far the package's day count is ahead of the target's, so a
  card due in three days at export time is due three days after the export day in the user's collection.
* ``cards`` (matched by note GUID and template ordinal): ``type`` 1 learning / 2 review / 3 relearning;
  ``queue`` 1 intraday learning (``due`` in epoch seconds), 3 learning across days and 2 review (``due`` in
  days since ``crt``), -1 suspended; ``ivl`` in days; ``factor`` 2500 (SM-2's starting ease, for users
  without FSRS); ``left`` the learning steps still to go; ``data`` the FSRS memory state as Anki keeps it:
  ``{"s": stability, "d": difficulty, "dr": desired retention, "decay": w20, "lrt": last review (s)}``.
* ``revlog``: one row per cvquiz review: ``id`` its time in ms (made unique), ``ease`` the rating, ``ivl`` and
  ``lastIvl`` in days (negative seconds while learning), ``time`` in ms (Anki's 60 s cap), ``type`` 0 learn,
  1 review, 2 relearn.

Cards that are new in cvquiz are left as genanki wrote them (so are their histories, if they were reset).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cvquiz import clock
from cvquiz.collection.export_queries import ExportReview

__all__ = ["CardProgress", "ProgressReport", "Timing", "write_progress"]

DAY_MS = 86_400_000
STARTING_EASE = 2500
"""SM-2's starting ease in permille, as Anki gives a card that graduates."""
MAX_ANSWER_MS = 60_000
"""Anki caps the time recorded for one answer at 60 s by default."""


@dataclass(frozen=True)
class Timing:
    """What the progress rows need besides the cards.

    Attributes:
        today: the study day of the export (it becomes Anki's day 0).
        rollover_hour: the local hour study days start.
        desired_retention: the user's desired retention.
        decay: the FSRS-6 decay (``w[20]``).
        learning_steps: how many learning steps there are.
        relearning_steps: how many relearning steps there are.
    """

    today: date
    rollover_hour: int
    desired_retention: float
    decay: float
    learning_steps: int
    relearning_steps: int


@dataclass(frozen=True)
class CardProgress:
    """One studied card to write.

    Attributes:
        guid: its note's GUID in the package.
        ord: its template ordinal in Anki (cloze cN is N - 1).
        schedule: its cvquiz schedule row.
        reviews: its logged reviews, oldest first.
    """

    guid: str
    ord: int
    schedule: dict[str, Any]
    reviews: Sequence[ExportReview]


@dataclass(frozen=True)
class ProgressReport:
    """What was written.

    Attributes:
        cards: card rows rewritten.
        reviews: revlog rows added.
    """

    cards: int
    reviews: int


def _day(ms: int, rollover: int) -> date:
    return clock.study_day(clock.from_ms(ms), rollover)


def _days(row: dict[str, Any], rollover: int) -> int:
    """The review interval of a schedule row in whole days (at least 1)."""
    if row.get("due_day") and row.get("last_review") is not None:
        gap = (date.fromisoformat(row["due_day"]) - _day(row["last_review"], rollover)).days
    else:
        gap = round((row["due"] - row["last_review"]) / DAY_MS)
    return max(gap, 1)


def _revlog_interval(row: dict[str, Any], at_ms: int | None, rollover: int) -> int:
    """Anki's revlog interval for a schedule row: days for review cards, negative seconds while learning."""
    state = row.get("state") or 0
    if state == 0 or row.get("due") is None or row.get("last_review") is None:
        return 0
    if state == 2:
        return _days(row, rollover)
    start = row["last_review"] if at_ms is None else at_ms
    return -max(int(row["due"] - start) // 1000, 1)


def _card_columns(sched: dict[str, Any], timing: Timing) -> dict[str, Any]:
    state = int(sched["state"])
    rollover = timing.rollover_hour
    due_ms, last_ms = sched["due"], sched["last_review"]
    due_day = (
        date.fromisoformat(sched["due_day"]) if sched.get("due_day") else _day(due_ms, rollover)
    )
    day_index = (due_day - timing.today).days
    if state == 2:
        columns: dict[str, Any] = {"type": 2, "queue": 2, "due": day_index}
        columns.update(ivl=_days(sched, rollover), factor=STARTING_EASE, left=0)
    else:
        steps = timing.learning_steps if state == 1 else timing.relearning_steps
        intraday = last_ms is None or due_ms - last_ms < DAY_MS
        columns = {
            "type": state,
            "queue": 1 if intraday else 3,
            "due": due_ms // 1000 if intraday else day_index,
            "ivl": 0 if state == 1 else max(round(sched["stability"] or 1), 1),
            "factor": 0 if state == 1 else STARTING_EASE,
            "left": max(steps - int(sched["step"] or 0), 1),
        }
    if sched["suspended"]:
        columns["queue"] = -1
    memory: dict[str, Any] = {}
    if sched["stability"] is not None and sched["difficulty"] is not None:
        memory = {"s": round(sched["stability"], 4), "d": round(sched["difficulty"], 3)}
        # rounded as Anki stores them (rslib/src/storage/card/data.rs), so saving the card changes nothing
        memory.update(dr=round(timing.desired_retention, 2), decay=round(timing.decay, 3))
    if last_ms is not None:
        memory["lrt"] = last_ms // 1000
    columns["reps"] = int(sched["reps"])
    columns["lapses"] = int(sched["lapses"])
    columns["data"] = json.dumps(memory, separators=(",", ":"))
    return columns


_REVLOG_TYPE = {0: 0, 1: 0, 2: 1, 3: 2}
"""cvquiz state before a review → Anki revlog type (learn, review, relearn)."""


def _set_day_zero(conn: sqlite3.Connection, timing: Timing) -> None:
    start = clock.day_start(timing.today, timing.rollover_hour)
    offset = start.utcoffset()
    minutes_west = 0 if offset is None else -int(offset.total_seconds() // 60)
    (conf_text,) = conn.execute("SELECT conf FROM col").fetchone()
    conf = json.loads(conf_text)
    conf.update(schedVer=2, rollover=timing.rollover_hour, creationOffset=minutes_west)
    conn.execute("UPDATE col SET crt = ?, conf = ?", (int(start.timestamp()), json.dumps(conf)))


def write_progress(
    conn: sqlite3.Connection, cards: Iterable[CardProgress], timing: Timing
) -> ProgressReport:
    """Write studied cards' scheduling and review history into a package's collection.

    Args:
        conn: the package's collection, as genanki left it.
        cards: the studied cards (state learning, review or relearning); a card the package does not have
            (a cloze deletion only the other language has) is skipped.
        timing: the export's study day and the scheduler settings.

    Returns:
        How many card rows and revlog rows were written.

    Raises:
    """
    _set_day_zero(conn, timing)
    ids = {
        (guid, ord_): cid
        for guid, ord_, cid in conn.execute(
            "SELECT n.guid, c.ord, c.id FROM cards c JOIN notes n ON n.id = c.nid"
        )
    }
    used: set[int] = set()
    updates: list[dict[str, Any]] = []
    revlog: list[tuple[int, ...]] = []
    rollover = timing.rollover_hour
    for item in cards:
        cid = ids.get((item.guid, item.ord))
        if cid is None:
            continue
        columns = _card_columns(item.schedule, timing)
        last_rid: int | None = None
        for review in item.reviews:
            rid = review.reviewed_at
            while rid in used:  # revlog ids are unique; two reviews in one ms move apart by 1 ms
                rid += 1
            used.add(rid)
            kind = _REVLOG_TYPE[review.state_before]
            revlog.append(
                (
                    rid,
                    cid,
                    review.rating,
                    _revlog_interval(review.after, review.reviewed_at, rollover),
                    _revlog_interval(review.before, None, rollover),
                    0 if kind == 0 else STARTING_EASE,
                    min(review.duration_ms or 0, MAX_ANSWER_MS),
                    kind,
                )
            )
            last_rid = rid
        if last_rid is not None:
            # Anki's last review time is its last rated log entry's, in whole seconds; Check Database
            # rewrites any other value (rslib/src/storage/card/mod.rs, fix_card_properties)
            data = json.loads(columns["data"])
            data["lrt"] = last_rid // 1000
            columns["data"] = json.dumps(data, separators=(",", ":"))
        updates.append({**columns, "id": cid})
    conn.executemany(
        """UPDATE cards SET type = :type, queue = :queue, due = :due, ivl = :ivl, factor = :factor,
                            reps = :reps, lapses = :lapses, left = :left, data = :data
           WHERE id = :id""",
        updates,
    )
    conn.executemany(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        revlog,
    )
    return ProgressReport(cards=len(updates), reviews=len(revlog))
