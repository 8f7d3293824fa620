"""Automatic backups: made before a migration and after study, thinned to 30 daily, 8 weekly and 12 monthly
copies under a fake clock, listed and restored (the collection as it was is backed up first)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.collection import Collection, backups
from cvquiz.collection.changes import suspend
from cvquiz.collection.store import MIGRATION_NAMES
from cvquiz.errors import CollectionError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; the tests run with TZ=UTC
runner = CliRunner()

DECK = "deck: mine\nname: Mine\ncards:\n  - id: a\n    question: q\n    answer: x\n  - id: b\n    question: r\n    answer: y\n"


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(DECK, encoding="utf-8")
    with Collection.open(tmp_path / "data" / "c.sqlite", now=NOW) as opened:
        opened.sync_decks(tmp_path / "none", decks, NOW)
        yield opened


def fake(collection: Path, when: datetime, reason: str = "") -> Path:
    """An empty file named as a backup made at ``when``."""
    folder = backups.backup_folder(collection)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{collection.stem}-{when.strftime('%Y-%m-%d-%H%M%S')}" + (
        f"-{reason}" if reason else ""
    )
    path = folder / f"{name}.sqlite"
    path.write_bytes(b"")
    return path


def kept_days(collection: Path) -> list[date]:
    return sorted({b.made_at.date() for b in backups.list_backups(collection)}, reverse=True)


# --- thinning -----------------------------------------------------------------------------------------


def test_a_backup_a_day_for_two_years_thins_to_30_daily_8_weekly_12_monthly(tmp_path: Path) -> None:
    collection = tmp_path / "c.sqlite"
    for i in range(730):
        fake(collection, NOW - timedelta(days=i, hours=-3))  # every day at 12:00
    backups.thin(collection, NOW)
    days = kept_days(collection)
    today = NOW.date()
    grace = [today, today - timedelta(days=1)]
    daily = [today - timedelta(days=i) for i in range(2, 32)]
    # then the newest of each earlier week: its Sunday (weeks run Monday to Sunday)
    last_daily = daily[-1]
    first_sunday = last_daily - timedelta(days=(last_daily.weekday() + 1) % 7 or 7)
    weekly = [first_sunday - timedelta(weeks=w) for w in range(8)]
    # then the newest of each earlier month: its last day
    month_end = weekly[-1].replace(day=1) - timedelta(days=1)
    monthly = []
    for _ in range(12):
        monthly.append(month_end)
        month_end = month_end.replace(day=1) - timedelta(days=1)
    assert days == grace + daily + weekly + monthly
    assert len(days) == 52


def test_within_a_day_the_newest_backup_stays(tmp_path: Path) -> None:
    collection = tmp_path / "c.sqlite"
    old_day = NOW - timedelta(days=5)
    morning = fake(collection, old_day.replace(hour=8))
    evening = fake(collection, old_day.replace(hour=20))
    today_early = fake(collection, NOW.replace(hour=1))  # today and yesterday keep every backup
    today_late = fake(collection, NOW.replace(hour=8))
    yesterday = fake(collection, NOW - timedelta(days=1))
    removed = backups.thin(collection, NOW)
    assert removed == [morning]
    assert all(p.exists() for p in (evening, today_early, today_late, yesterday))


def test_small_limits_walk_days_then_weeks_then_months() -> None:
    def made(y: int, m: int, d: int, h: int = 12) -> backups.BackupFile:
        return backups.BackupFile(
            Path(f"{y}{m:02}{d:02}{h:02}"), datetime(y, m, d, h, tzinfo=UTC), 0
        )

    today = date(2026, 3, 18)  # a Wednesday
    keep = [made(2026, 3, 18), made(2026, 3, 17, 8), made(2026, 3, 17, 9),  # grace: all stay
            made(2026, 3, 15, 20), made(2026, 3, 10), made(2026, 3, 9),  # daily x3 (newest of each day)
            made(2026, 3, 1), made(2026, 2, 19),  # weekly x2: Sunday 1 March; the week of 16-22 Feb
            made(2026, 1, 31)]  # monthly x1  # fmt: skip
    gone = [made(2026, 3, 15, 6),  # same day as a kept daily one
            made(2026, 2, 28),  # same week (23 Feb - 1 Mar) as 1 March
            made(2026, 2, 16),  # same week as 19 Feb
            made(2026, 1, 2),  # same month as 31 Jan
            made(2025, 12, 31)]  # limits used up  # fmt: skip
    assert sorted(b.path.name for b in backups.obsolete(keep + gone, today, 3, 2, 1)) == sorted(
        b.path.name for b in gone
    )


def test_files_that_are_not_this_collections_backups_are_never_touched(tmp_path: Path) -> None:
    collection = tmp_path / "c.sqlite"
    folder = backups.backup_folder(collection)
    for i in range(60):
        fake(collection, NOW - timedelta(days=400 + i))
    mine = folder / "notes.txt"
    other = (
        folder / "other-2020-01-01-000000.sqlite"
    )  # another collection's backup in the same folder
    mine.write_text("mine")
    other.write_bytes(b"")
    backups.thin(collection, NOW)
    assert mine.exists() and other.exists()


# --- making backups -------------------------------------------------------------------------------------


def test_a_backup_is_the_whole_collection(col: Collection) -> None:
    made = backups.back_up(col.conn, col.path, NOW, "manual")
    assert made.path.name == "c-2026-03-02-090000-manual.sqlite" and made.reason == "manual"
    copy = sqlite3.connect(made.path)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT COUNT(*) FROM cards").fetchone() == (2,)
    assert not list(made.path.parent.glob(".*.tmp"))
    again = backups.back_up(col.conn, col.path, NOW)  # the same second: a name of its own
    assert again.path != made.path and again.path.exists()


def test_study_is_backed_up_at_most_once_per_interval(col: Collection) -> None:
    pks = [pk for (pk,) in col.conn.execute("SELECT pk FROM cards")]
    now_ms = int(NOW.timestamp() * 1000)
    assert backups.maybe_back_up(col, NOW, 30) is None  # nothing studied yet
    suspend(col, pks[:1], now_ms)
    first = backups.maybe_back_up(col, NOW, 30)
    assert first is not None
    later = NOW + timedelta(minutes=10)
    suspend(col, pks[1:], now_ms + 600_000)
    assert backups.maybe_back_up(col, later, 30) is None  # too soon
    assert backups.maybe_back_up(col, NOW + timedelta(minutes=31), 30) is not None
    assert backups.maybe_back_up(col, NOW + timedelta(minutes=80), 30) is None  # nothing new since
    assert backups.maybe_back_up(col, NOW + timedelta(days=1), 0) is None  # 0: off


def test_an_existing_collection_is_backed_up_before_a_migration(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Collection.open(path, stop_before=MIGRATION_NAMES[-1], now=NOW).close()
    assert backups.list_backups(path) == []  # a new collection has nothing to lose
    Collection.open(path, now=NOW + timedelta(hours=1)).close()
    (made,) = backups.list_backups(path)
    assert made.reason == "before-upgrade" and made.made_at == NOW + timedelta(hours=1)
    old = sqlite3.connect(made.path)
    names = [r[0] for r in old.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == list(MIGRATION_NAMES[:-1])
    Collection.open(path, now=NOW + timedelta(hours=2)).close()  # up to date: no more backups
    assert len(backups.list_backups(path)) == 1


# --- restoring -----------------------------------------------------------------------------------------


def test_restore_puts_a_backup_back_and_saves_the_collection_first(col: Collection) -> None:
    path = col.path
    made = backups.back_up(col.conn, path, NOW)
    pks = [pk for (pk,) in col.conn.execute("SELECT pk FROM cards")]
    suspend(col, pks, int(NOW.timestamp() * 1000))
    col.close()
    result = backups.restore(path, made.path, NOW + timedelta(minutes=5), MIGRATION_NAMES)
    assert (
        result.cards == 2 and result.saved is not None and result.saved.reason == "before-restore"
    )
    with Collection.open(path) as back:
        assert back.conn.execute("SELECT SUM(suspended) FROM schedule").fetchone() == (0,)
    saved = sqlite3.connect(result.saved.path)
    assert saved.execute("SELECT SUM(suspended) FROM schedule").fetchone() == (2,)


def test_restore_refuses_what_is_not_a_sound_cvquiz_collection(
    col: Collection, tmp_path: Path
) -> None:
    col.close()
    before = col.path.read_bytes()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CollectionError, match=r"junk\.sqlite"):
        backups.restore(col.path, junk, NOW, MIGRATION_NAMES)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(CollectionError, match="not a cvquiz collection"):
        backups.restore(col.path, other, NOW, MIGRATION_NAMES)
    with pytest.raises(CollectionError, match="newer cvquiz"):
        backups.restore(col.path, col.path, NOW, MIGRATION_NAMES[:-1])
    assert col.path.read_bytes() == before and backups.list_backups(col.path) == []


def test_an_older_backup_is_upgraded_and_an_open_connection_keeps_writing(
    col: Collection, tmp_path: Path
) -> None:
    with Collection.open(tmp_path / "old.sqlite", stop_before=MIGRATION_NAMES[-1]) as old:
        made = backups.back_up(old.conn, old.path, NOW)
    result = backups.restore(col.path, made.path, NOW + timedelta(minutes=1), MIGRATION_NAMES)
    assert result.saved is not None
    # col's connection (a drill in another process, say) stays open on the same file and sees the backup
    assert col.migrations() == list(MIGRATION_NAMES)
    assert col.conn.execute("SELECT COUNT(*) FROM cards").fetchone() == (0,)
    with col.transaction() as conn:
        conn.execute(
            "INSERT INTO local_tags (deck_id, card_id, tag, added) VALUES ('d', 'c', 'kept', 0)"
        )
    with Collection.open(col.path) as again:
        assert again.conn.execute("SELECT tag FROM local_tags").fetchall() == [("kept",)]


def test_a_damaged_collection_is_kept_as_it_is_before_a_restore(col: Collection) -> None:
    made = backups.back_up(col.conn, col.path, NOW)
    col.close()
    damaged = b"SQLite format 3\x00" + b"\xff" * 4000
    col.path.write_bytes(damaged)
    result = backups.restore(col.path, made.path, NOW + timedelta(minutes=1), MIGRATION_NAMES)
    assert result.saved is not None and result.saved.path.read_bytes() == damaged


# --- the commands -----------------------------------------------------------------------------------------


def test_backups_and_restore_commands(cvquiz_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["backups"])
    assert result.exit_code == 0 and "No backups yet" in result.stderr
    assert runner.invoke(app, ["backups", "--now"]).exit_code == 0
    listed = runner.invoke(app, ["backups", "--json"])
    import json

    (row,) = json.loads(listed.stdout)
    assert (
        row["number"] == 1
        and row["reason"] == "manual"
        and row["made_at"] == "2026-03-02T09:00:00.000Z"
    )
    result = runner.invoke(app, ["restore", "1"])  # no terminal to ask on
    assert result.exit_code == 2 and "add --yes" in result.stderr
    result = runner.invoke(app, ["restore", "7", "--yes"])
    assert result.exit_code == 1 and "no backup '7'" in result.stderr
    result = runner.invoke(app, ["restore", "1", "--yes"])
    assert result.exit_code == 0, result.output
    assert "before-restore" in result.stderr


def test_the_installed_command_backs_up_after_a_change(
    cvquiz_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**os.environ, **cvquiz_env}
    cvquiz = [sys.executable, "-m", "cvquiz"]
    done = subprocess.run(
        [*cvquiz, "suspend", "losses/ce-setup"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [*cvquiz, "backups"], env=env, capture_output=True, text=True, check=True
    )
    assert "collection-2026-03-02-090000.sqlite" in listed.stdout
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["#", "made", "size", "file"]
    assert all(line == line.rstrip() for line in lines), lines  # piped: no row ends in spaces
