"""The per-deck counts the collection keeps (deck_tally, m013) equal counting the cards, whatever writes them.

``cvquiz decks`` reads them instead of counting every card; triggers keep them. These tests change cards and
schedule rows at random, with the statements any writer could run, and count the cards directly after each
change; `Collection.deck_summaries` is compared with the count it replaced.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cvquiz import clock
from cvquiz.collection import Collection

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAYS = [(NOW.date() + timedelta(days=d)).isoformat() for d in range(-5, 6)]
DECKS = ["a", "b", "c/d"]

DIRECT = """
    SELECT c.deck_id,
           CASE WHEN s.state = 2 AND s.suspended = 0 THEN COALESCE(s.due_day, '') ELSE '' END,
           COUNT(*), SUM(s.state = 0 AND s.suspended = 0), SUM(s.suspended != 0),
           SUM(s.state = 2 AND s.suspended = 0)
    FROM cards c JOIN schedule s ON s.card_pk = c.pk WHERE c.active = 1
    GROUP BY 1, 2 ORDER BY 1, 2
"""

COUNTED = """
    SELECT d.id, d.entries, t.study, t.new, t.due, t.suspended
    FROM decks d LEFT JOIN (
        SELECT c.deck_id AS deck_id, COUNT(*) AS study, SUM(s.state = 0 AND s.suspended = 0) AS new,
               SUM(CASE WHEN s.state = 2 THEN s.due_day <= :today ELSE s.state != 0 AND s.due < :end END
                   AND s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= :today)) AS due,
               SUM(s.suspended) AS suspended
        FROM cards c JOIN schedule s ON s.card_pk = c.pk WHERE c.active = 1 GROUP BY c.deck_id
    ) t ON t.deck_id = d.id
    WHERE d.active = 1 ORDER BY d.name
"""
"""What ``decks`` counted before the tally: every live card, one by one."""


def tally(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM deck_tally ORDER BY 1, 2").fetchall()


def schedule_values(rng: random.Random) -> dict[str, object]:
    state = rng.choice([0, 1, 2, 2, 3])
    due_ms = clock.to_ms(NOW + timedelta(hours=rng.randint(-100, 100)))
    return {
        "state": state,
        "suspended": int(rng.random() < 0.2),
        "due_day": rng.choice(DAYS) if state == 2 and rng.random() < 0.95 else None,
        "due": None if state == 0 else due_ms,
        "buried_until": rng.choice([None, None, None, DAYS[4], DAYS[5], DAYS[6], DAYS[9]]),
    }


def new_collection(path: Path, stop_before: str | None = None) -> Collection:
    col = Collection.open(path, stop_before=stop_before, now=NOW)
    with col.transaction():
        col.conn.executemany(
            "INSERT INTO decks (id, name, tags, bundled, active, position) VALUES (?, ?, '[]', 0, 1, ?)",
            [(deck, deck.upper(), n) for n, deck in enumerate(DECKS)],
        )
    return col


def add_card(conn: sqlite3.Connection, rng: random.Random, pk: int) -> None:
    conn.execute(
        """INSERT INTO cards (pk, deck_id, card_id, ord, type, content, content_hash, added_at, modified_at,
                              active)
           VALUES (?, ?, ?, 0, 'basic', '{}', 'h', 0, 0, ?)""",
        (pk, rng.choice(DECKS), f"card-{pk}", int(rng.random() < 0.9)),
    )
    if rng.random() < 0.95:  # a card without a schedule row counts nowhere
        values = schedule_values(rng)
        conn.execute(
            f"INSERT INTO schedule (card_pk, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
            (pk, *values.values()),
        )


def change_at_random(conn: sqlite3.Connection, rng: random.Random, pks: list[int]) -> None:
    """One change any writer of the collection could make."""
    pk = rng.choice(pks)
    kind = rng.randrange(9)
    if kind <= 2:  # a review, a forget, a suspend or a bury: some schedule columns
        values = schedule_values(rng)
        columns = rng.sample(list(values), rng.randint(1, len(values)))
        sets = ", ".join(f"{c} = :{c}" for c in columns)
        conn.execute(f"UPDATE schedule SET {sets} WHERE card_pk = :pk", {**values, "pk": pk})
    elif kind == 3:  # the same change to many cards at once (a bulk action)
        conn.execute(
            "UPDATE schedule SET suspended = ? WHERE card_pk % 3 = ?",
            (rng.randint(0, 1), rng.randrange(3)),
        )
    elif kind == 4:  # a card retired or brought back by a sync
        conn.execute("UPDATE cards SET active = 1 - active WHERE pk = ?", (pk,))
    elif kind == 5:  # a deck renamed (as m007 did)
        conn.execute("UPDATE cards SET deck_id = ? WHERE pk = ?", (rng.choice(DECKS), pk))
    elif kind == 6:  # a schedule row deleted and written again (a restore)
        conn.execute("DELETE FROM schedule WHERE card_pk = ?", (pk,))
        if rng.random() < 0.7:
            values = schedule_values(rng)
            conn.execute(
                f"INSERT INTO schedule (card_pk, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
                (pk, *values.values()),
            )
    elif (
        kind == 7
    ):  # a card deleted (its schedule row first: the foreign key wants it), another added
        conn.execute("DELETE FROM schedule WHERE card_pk = ?", (pk,))
        conn.execute("DELETE FROM cards WHERE pk = ?", (pk,))
        pks.remove(pk)
        new_pk = max(pks, default=0) + 1000
        add_card(conn, rng, new_pk)
        pks.append(new_pk)
    else:  # a change the tally does not follow (content, reps), which must leave it alone
        conn.execute("UPDATE schedule SET reps = reps + 1 WHERE card_pk = ?", (pk,))
        conn.execute("UPDATE cards SET content = '{\"x\": 1}' WHERE pk = ?", (pk,))


@pytest.mark.parametrize("seed", range(6))
def test_the_tally_equals_counting_the_cards_after_any_change(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    col = new_collection(tmp_path / "c.sqlite")
    conn = col.conn
    pks = list(range(1, 61))
    with col.transaction():
        for pk in pks:
            add_card(conn, rng, pk)
    assert tally(conn) == conn.execute(DIRECT).fetchall()
    assert tally(conn)  # the cards are counted somewhere
    for _ in range(150):
        with col.transaction():
            change_at_random(conn, rng, pks)
        assert tally(conn) == conn.execute(DIRECT).fetchall()
        assert conn.execute("SELECT COUNT(*) FROM deck_tally WHERE study = 0").fetchone() == (0,)


def summaries_as_counted(col: Collection, now: datetime) -> list[tuple[object, ...]]:
    today = clock.study_day(now, 4).isoformat()
    _, end = col.day_bounds(now, 4)
    rows = col.conn.execute(COUNTED, {"today": today, "end": end}).fetchall()
    return [(r[0], r[1], *(v or 0 for v in r[2:])) for r in rows]


def summaries(col: Collection, now: datetime) -> list[tuple[object, ...]]:
    return [
        (s.id, s.cards, s.study_cards, s.new, s.due, s.suspended)
        for s in col.deck_summaries(now, 4)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_deck_summaries_count_what_counting_every_card_counts(tmp_path: Path, seed: int) -> None:
    rng = random.Random(100 + seed)
    col = new_collection(tmp_path / "c.sqlite")
    pks = list(range(1, 201))
    with col.transaction():
        for pk in pks:
            add_card(col.conn, rng, pk)
        for _ in range(100):
            change_at_random(col.conn, rng, pks)
    due_somewhere = 0
    for hours in (-30, 0, 5, 20, 47, 100):  # yesterday to days later, across the 4 a.m. rollover
        now = NOW + timedelta(hours=hours)
        assert summaries(col, now) == summaries_as_counted(col, now)
        due_somewhere += sum(row[4] for row in summaries(col, now))  # type: ignore[misc]
    assert due_somewhere > 0


def test_an_older_collection_gets_its_tally_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    rng = random.Random(7)
    col = new_collection(path, stop_before="m013_deck_tally")
    with col.transaction():
        for pk in range(1, 101):
            add_card(col.conn, rng, pk)
    before = col.conn.execute(DIRECT).fetchall()
    col.close()
    upgraded = Collection.open(path, now=NOW)
    assert tally(upgraded.conn) == before
    assert summaries(upgraded, NOW) == summaries_as_counted(upgraded, NOW)
