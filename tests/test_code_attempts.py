"""Code-card attempts in the collection: the migration upgrades a collection with rows in it, attempts are
recorded at once, read back in order and counted per period and failure kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from cvquiz.collection import Collection
from cvquiz.collection.code_attempts import (
    NewAttempt,
    attempt_counts,
    attempts_of,
    card_content,
    last_code,
    record_attempt,
)
from cvquiz.collection.stats_queries import Scope

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = """\
deck: mine
name: Mine
cards:
  - id: plain
    question: q
    answer: a
  - id: flip
    type: code
    question: Reverse the rows.
    starter: |
      def reverse_rows(a):
          pass
    solution: |
      def reverse_rows(a):
          return a[::-1].copy()
    judge: {reference: reverse_rows}
"""


def synced(tmp_path: Path, empty_bundled: Path, stop_before: str | None = None) -> Collection:
    user = tmp_path / "decks"
    user.mkdir(exist_ok=True)
    (user / "mine.yaml").write_text(DECK, encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite", stop_before=stop_before)
    col.sync_decks(empty_bundled, user, NOW)
    return col


def attempt(
    pk: int, at: int, passed: bool, kind: str | None, day: str = "2026-03-02"
) -> NewAttempt:
    return NewAttempt(
        pk, at, day, "drill", f"code {at}", passed, 28, 0 if passed else 3, kind, "s", 0.5
    )


def test_the_migration_upgrades_a_collection_that_has_reviews(
    tmp_path: Path, empty_bundled: Path
) -> None:
    col = synced(tmp_path, empty_bundled, stop_before="m005_code_attempts")
    assert "code_attempts" not in {r[0] for r in col.conn.execute("SELECT name FROM sqlite_master")}
    cards_before = col.conn.execute("SELECT COUNT(*) FROM cards").fetchone()
    col.close()
    col = Collection.open(tmp_path / "c.sqlite")
    assert "m005_code_attempts" in col.migrations()
    assert col.conn.execute("SELECT COUNT(*) FROM cards").fetchone() == cards_before
    assert col.conn.execute("SELECT COUNT(*) FROM code_attempts").fetchone() == (0,)


def test_attempts_are_recorded_and_read_back_in_order(tmp_path: Path, empty_bundled: Path) -> None:
    col = synced(tmp_path, empty_bundled)
    (pk,) = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'flip'").fetchone()
    assert card_content(col, pk)["type"] == "code"
    assert last_code(col, pk) is None
    second = record_attempt(col, attempt(pk, 2_000, True, None))
    first = record_attempt(col, attempt(pk, 1_000, False, "shape"))
    assert [a.id for a in attempts_of(col, (pk,))] == [first, second]
    assert last_code(col, pk) == "code 2000"
    # committed at once: another connection sees them
    other = Collection.open(tmp_path / "c.sqlite")
    assert len(attempts_of(other, (pk,))) == 2


def test_attempts_are_counted_by_period_scope_and_kind(tmp_path: Path, empty_bundled: Path) -> None:
    col = synced(tmp_path, empty_bundled)
    (pk,) = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'flip'").fetchone()
    for at, passed, kind in (
        (1, False, "shape"),
        (2, False, "tolerance"),
        (3, False, "shape"),
        (4, True, None),
    ):
        record_attempt(col, attempt(pk, at, passed, kind))
    record_attempt(col, attempt(pk, 5, False, "timeout", day="2026-01-01"))
    counts = attempt_counts(col, date(2026, 2, 1), date(2026, 3, 2), Scope())
    assert (counts.attempts, counts.passed, counts.cards) == (4, 1, 1)
    assert counts.kinds == (("shape", 2), ("tolerance", 1))
    assert attempt_counts(col, date(2026, 2, 1), date(2026, 3, 2), Scope(("other",))).attempts == 0
    assert attempt_counts(col, date(2026, 2, 1), date(2026, 3, 2), Scope(("mine",))).attempts == 4


def test_stats_count_code_attempts_and_their_failure_kinds(
    tmp_path: Path, empty_bundled: Path
) -> None:
    import io

    from rich.console import Console

    from cvquiz.cli.commands_stats import render_stats
    from cvquiz.config import Settings
    from cvquiz.stats import collection_stats

    col = synced(tmp_path, empty_bundled)
    (pk,) = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'flip'").fetchone()
    for at, passed, kind in (
        (1, False, "shape"),
        (2, False, "timeout"),
        (3, False, "shape"),
        (4, True, None),
    ):
        record_attempt(col, attempt(pk, at, passed, kind))
    result = collection_stats(col, NOW, Settings())
    assert (result.code.attempts, result.code.passed, result.code.cards) == (4, 1, 1)
    assert result.code.pass_rate == 0.25
    assert [(f.kind, f.count) for f in result.code.failures] == [("shape", 2), ("timeout", 1)]
    out = io.StringIO()
    render_stats(Console(file=out, width=80), result)
    text = out.getvalue()
    assert "Code cards, last 30 days: 4 attempts at 1 card, 1 passed (25.0%)" in text
    assert "Most common failures: wrong shape 2, timeout 1" in text


def test_a_json_backup_keeps_the_attempts(tmp_path: Path, empty_bundled: Path) -> None:
    import io
    import json

    from cvquiz.collection.backup import export_json, restore_json

    col = synced(tmp_path, empty_bundled)
    (pk,) = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'flip'").fetchone()
    record_attempt(col, attempt(pk, 1_700_000_000_000, False, "shape"))
    record_attempt(col, attempt(pk, 1_700_000_001_000, True, None))
    buffer = io.StringIO()
    export_json(col, buffer, NOW)
    data = json.loads(buffer.getvalue())
    assert [a["passed"] for a in data["code_attempts"]] == [False, True]
    fresh = Collection.open(tmp_path / "restored.sqlite")
    restore_json(fresh, data)
    assert attempts_of(fresh, (pk,)) == attempts_of(col, (pk,))
    # an export from before code cards (no code_attempts key) still restores
    del data["code_attempts"]
    older = Collection.open(tmp_path / "older.sqlite")
    restore_json(older, data)
    assert attempts_of(older, (pk,)) == []
