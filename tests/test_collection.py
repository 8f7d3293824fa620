"""The collection file: migrations on open, deck sync that keeps history, two processes at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cvquiz.collection import Collection
from cvquiz.collection.migrations import migrations
from cvquiz.collection.store import MIGRATION_NAMES
from cvquiz.errors import CollectionError
from cvquiz.fileio import is_temp_file

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = """\
deck: mine
name: Mine
cards:
  - id: a
    question: qa
    answer: aa
  - id: b
    type: reversed
    question: qb
    answer: ab
"""


def open_col(tmp_path: Path) -> Collection:
    return Collection.open(tmp_path / "c.sqlite")


def add_review(col: Collection, pk: int) -> None:
    with col.transaction() as conn:
        conn.execute(
            "INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, state_before, state_after, before, after)"
            " VALUES (?, 0, '2026-03-02', 3, 0, 1, '{}', '{}')",
            (pk,),
        )


def card_rows(col: Collection) -> dict[tuple[str, int], tuple[int, int, str]]:
    return {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in col.conn.execute("SELECT card_id, ord, pk, active, content_hash FROM cards")
    }


def test_sync_adds_edits_retires_and_revives_without_losing_history(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    deck = user / "mine.yaml"
    deck.write_text(DECK)
    col = open_col(tmp_path)
    report = col.sync_decks(empty_bundled, user, NOW)
    assert (report.parsed, report.added) == (1, 3)
    rows = card_rows(col)
    assert set(rows) == {("a", 0), ("b", 0), ("b", 1)}
    pk_a = rows[("a", 0)][0]
    add_review(col, pk_a)

    # unchanged: nothing parsed
    report = col.sync_decks(empty_bundled, user, NOW)
    assert (report.parsed, report.skipped, report.added) == (0, 1, 0)

    # edit the text of card a: same row, new hash, history kept
    deck.write_text(DECK.replace("answer: aa", "answer: aa, edited"))
    report = col.sync_decks(empty_bundled, user, NOW)
    assert report.updated == 1
    rows2 = card_rows(col)
    assert rows2[("a", 0)][0] == pk_a and rows2[("a", 0)][2] != rows[("a", 0)][2]

    # remove card a: retired, not deleted
    deck.write_text(DECK.replace("  - id: a\n    question: qa\n    answer: aa\n", ""))
    report = col.sync_decks(empty_bundled, user, NOW)
    assert report.retired == 1
    assert card_rows(col)[("a", 0)][:2] == (pk_a, 0)
    assert (
        col.conn.execute("SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (pk_a,)).fetchone()[0]
        == 1
    )

    # bring it back: revived with its history
    deck.write_text(DECK)
    report = col.sync_decks(empty_bundled, user, NOW)
    assert report.revived == 1
    assert card_rows(col)[("a", 0)][:2] == (pk_a, 1)
    assert (
        col.conn.execute("SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (pk_a,)).fetchone()[0]
        == 1
    )

    # delete the file: the deck and its cards are retired, history stays
    deck.unlink()
    report = col.sync_decks(empty_bundled, user, NOW)
    assert report.removed_decks == ("mine",)
    assert all(active == 0 for _, active, _ in card_rows(col).values())
    assert col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1


def test_touched_but_identical_file_is_not_parsed(tmp_path: Path, empty_bundled: Path) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    deck = user / "mine.yaml"
    deck.write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    deck.write_text(DECK)  # same bytes, new mtime
    report = col.sync_decks(empty_bundled, user, NOW)
    assert (report.parsed, report.skipped) == (0, 1)


def test_a_sync_with_nothing_changed_takes_no_write_lock(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    other = sqlite3.connect(tmp_path / "c.sqlite", isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # another cvquiz writing (an import, say)
        col.conn.execute("PRAGMA busy_timeout = 0")  # so that waiting for it would fail at once
        report = col.sync_decks(empty_bundled, user, NOW)
    finally:
        other.close()
    assert (report.parsed, report.skipped) == (0, 1)


def test_a_sync_another_cvquiz_did_meanwhile_is_not_done_twice(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    other = open_col(tmp_path)
    synced_meanwhile = []

    def other_syncs(stage: str, done: int, total: int | None) -> None:
        if not synced_meanwhile:  # while this sync reads the files, another cvquiz syncs them
            synced_meanwhile.append(other.sync_decks(empty_bundled, user, NOW))

    report = col.sync_decks(empty_bundled, user, NOW, progress=other_syncs)
    assert synced_meanwhile[0].added == 3
    # compared again under the write lock: found synced, nothing to add
    assert (report.parsed, report.added, report.skipped) == (0, 0, 1)
    assert len(card_rows(col)) == 3
    other.close()


def test_a_broken_deck_keeps_its_last_synced_cards_and_blocks_no_other(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    before = col.conn.execute("SELECT * FROM cards ORDER BY pk").fetchall()
    (user / "mine.yaml").write_text(
        DECK.replace("answer: aa", "anwser: aa").replace("qb", "changed")
    )
    (user / "other.yaml").write_text(
        "deck: other\nname: O\ncards:\n  - id: x\n    question: q\n    answer: a\n"
    )
    report = col.sync_decks(empty_bundled, user, NOW)
    assert [(b.path, b.kept, b.problems) for b in report.broken] == [
        (str(user / "mine.yaml"), "mine", 2)  # the unknown field, and the answer it leaves missing
    ]
    assert "mine.yaml:6:5: card 'a': unknown field 'anwser'" in report.broken[0].problem
    rows = col.conn.execute("SELECT * FROM cards WHERE deck_id = 'mine' ORDER BY pk").fetchall()
    assert (
        rows == before
    )  # not even the card that parsed changed: the file is taken whole or not at all
    assert col.conn.execute("SELECT active FROM decks WHERE id = 'mine'").fetchone() == (1,)
    assert report.added == 1  # the other deck is synced all the same
    assert col.conn.execute("SELECT COUNT(*) FROM cards WHERE deck_id = 'other'").fetchone() == (1,)

    # Still broken next time (the file is tried again, reported again); fixed, it syncs.
    assert len(col.sync_decks(empty_bundled, user, NOW).broken) == 1
    (user / "mine.yaml").write_text(DECK.replace("qb", "changed"))
    report = col.sync_decks(empty_bundled, user, NOW)
    assert report.broken == () and report.updated == 2


def test_a_deck_file_that_never_loaded_is_left_out(tmp_path: Path, empty_bundled: Path) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "bad.yaml").write_text("deck: bad\nname: B\ncards:\n  - id: x\n    question: [\n")
    (user / "latin1.yaml").write_bytes(b"deck: l\nname: \xe9\ncards: []\n")
    (user / "good.yaml").write_text(DECK)
    report = open_col(tmp_path).sync_decks(empty_bundled, user, NOW)
    assert {Path(b.path).name: b.kept for b in report.broken} == {
        "bad.yaml": None,
        "latin1.yaml": None,
    }
    assert "not UTF-8" in next(b.problem for b in report.broken if "latin1" in b.path)
    decks = {r[0] for r in open_col(tmp_path).conn.execute("SELECT id FROM decks")}
    assert decks == {"mine"}


def test_two_files_with_one_deck_id(tmp_path: Path, empty_bundled: Path) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "a.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    (user / "b.yaml").write_text(DECK.replace("qa", "other text"))
    report = col.sync_decks(empty_bundled, user, NOW)
    assert [Path(b.path).name for b in report.broken] == ["b.yaml"]
    assert "deck id 'mine' is already used by" in report.broken[0].problem
    content = col.conn.execute("SELECT content FROM cards WHERE card_id = 'a'").fetchone()[0]
    assert json.loads(content)["question"] == "qa"  # the file that had the deck keeps it


def test_new_cards_follow_deck_then_file_order(tmp_path: Path, empty_bundled: Path) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    order = [r[0] for r in col.conn.execute("SELECT card_id FROM cards ORDER BY position, ord")]
    assert order == ["a", "b", "b"]


def test_an_old_collection_upgrades_with_its_rows(tmp_path: Path, empty_bundled: Path) -> None:
    names = [
        m.name
        for m in migrations.pending(
            Collection.open(tmp_path / "probe.sqlite", stop_before="m001_initial").db
        )
    ]
    assert names[0] == "m001_initial"
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    if len(names) == 1:
        # Only one migration so far: build a version-1 collection, then open it with the full set.
        col = Collection.open(tmp_path / "c.sqlite")
        assert col.migrations() == ["m001_initial"]
    else:
        col = Collection.open(tmp_path / "c.sqlite", stop_before=names[1])
        assert col.migrations() == ["m001_initial"]
    col.sync_decks(empty_bundled, user, NOW)
    pk = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'a'").fetchone()[0]
    add_review(col, pk)
    col.close()
    upgraded = Collection.open(tmp_path / "c.sqlite")
    assert upgraded.migrations() == names
    assert upgraded.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 3
    assert (
        upgraded.conn.execute("SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (pk,)).fetchone()[0]
        == 1
    )


def test_not_a_collection_is_a_clear_error(tmp_path: Path) -> None:
    from cvquiz.errors import CollectionError

    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CollectionError, match=r"junk\.sqlite"):
        Collection.open(path)


WRITER = textwrap.dedent(
    """
    import sys, json
    from pathlib import Path
    from cvquiz.collection import Collection
    col = Collection.open(Path(sys.argv[1]))
    for i in range(int(sys.argv[3])):
        with col.transaction() as conn:
            conn.execute(
                "INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, state_before, state_after, before, after)"
                " VALUES (1, ?, '2026-03-02', 3, 0, 1, '{}', ?)", (i, json.dumps(sys.argv[2])))
    print("ok")
    """
)


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path, empty_bundled: Path) -> None:
    path = tmp_path / "c.sqlite"
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    Collection.open(path).sync_decks(empty_bundled, user, NOW)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), name, "200"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    col = Collection.open(path)
    counts = dict(col.conn.execute("SELECT after, COUNT(*) FROM reviews GROUP BY after").fetchall())
    assert counts == {json.dumps("first"): 200, json.dumps("second"): 200}


def test_user_decks_new_cards_come_before_bundled_ones(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "shipped.yaml").write_text(DECK.replace("deck: mine", "deck: shipped"))
    user = tmp_path / "decks"
    user.mkdir()
    col = open_col(tmp_path)
    col.sync_decks(bundled, user, NOW)
    (user / "mine.yaml").write_text(DECK)
    col.sync_decks(bundled, user, NOW)
    order = [r[0] for r in col.conn.execute("SELECT deck_id FROM cards ORDER BY position, ord")]
    assert order == ["mine"] * 3 + ["shipped"] * 3


def test_migration_names_are_known_without_sqlite_utils(tmp_path: Path) -> None:
    from cvquiz.collection.store import MIGRATION_NAMES

    assert list(MIGRATION_NAMES) == [m.name for m in migrations._migrations]
    Collection.open(tmp_path / "c.sqlite").close()
    probe = (
        "import sys\nfrom pathlib import Path\nfrom cvquiz.collection import Collection\n"
        f"Collection.open(Path({str(tmp_path / 'c.sqlite')!r})).close()\n"
        "print('sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_deck_due_counts_agree_with_the_queue(tmp_path: Path, empty_bundled: Path) -> None:
    from datetime import timedelta

    from cvquiz.collection import queue
    from cvquiz.config import Settings
    from cvquiz.model import Rating
    from cvquiz.review_policy import record_review

    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    settings = Settings(fuzz=False)
    pks = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk")]
    record_review(col, pks[0], Rating.EASY, NOW, settings)  # to review, due in days
    record_review(col, pks[1], Rating.AGAIN, NOW, settings)  # learning, due in a minute
    for days in (0, 1, 3, 10, 30):
        when = NOW + timedelta(days=days, hours=1)
        (summary,) = col.deck_summaries(when, settings.rollover_hour)
        counts = queue.queue_counts(col, when, settings)
        assert summary.due == counts.learning + counts.review, days


def test_an_empty_sqlite_database_left_by_a_stopped_first_run_becomes_the_collection(
    tmp_path: Path,
) -> None:
    # cvquiz 0.1 switched a new file to WAL before its first migration: a kill there left this.
    path = tmp_path / "c.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    col = Collection.open(path)
    assert col.migrations() == list(MIGRATION_NAMES) and not col.read_only


def test_a_new_collection_appears_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvquiz.collection import store

    path = tmp_path / "c.sqlite"
    seen: list[list[str]] = []
    real = store.migrate

    def watch(
        conn: sqlite3.Connection, stop_before: str | None = None, now: datetime | None = None
    ) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(conn, stop_before, now)

    monkeypatch.setattr(store, "migrate", watch)
    Collection.open(path).close()
    # built beside it under a temporary name, and only then put in place (the second call finds it complete)
    assert "c.sqlite" not in seen[0] and [is_temp_file(n) for n in seen[0]] == [True]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite"]


def test_a_failed_creation_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvquiz.collection import store

    def full(conn: sqlite3.Connection, stop_before: str | None = None) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "migrate", full)
    with pytest.raises(CollectionError):
        Collection.open(tmp_path / "c.sqlite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (sqlite3.SQLITE_CORRUPT, "the collection is damaged"),
        (sqlite3.SQLITE_NOTADB, "the collection is damaged"),
        (sqlite3.SQLITE_READONLY, "the collection is read-only"),
        (sqlite3.SQLITE_FULL, "no space left on the disk"),
        (sqlite3.SQLITE_BUSY, "try again"),
    ],
)
def test_sqlite_errors_are_explained(code: int, words: str) -> None:
    from cvquiz.collection.store import explain_error

    error = sqlite3.OperationalError("some text")
    error.sqlite_errorcode = code
    message = str(explain_error(error, Path("/data/my collection.sqlite")))
    assert message.startswith("/data/my collection.sqlite: ") and words in message
    if code == sqlite3.SQLITE_CORRUPT:
        assert "sqlite3 '/data/my collection.sqlite' .recover" in message


def test_renamed_practice_decks_keep_their_cards_and_history(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    file = user / "practice-losses.yaml"
    entry = "cards:\n  - {id: a, question: q, answer: a}\n  - {id: b, question: q2, answer: a2}\n"
    file.write_text("deck: practice-losses\nname: Practice::Losses\n" + entry)
    col = Collection.open(tmp_path / "c.sqlite", stop_before="m007_practice_deck_ids")
    col.sync_decks(empty_bundled, user, NOW)
    pk = col.conn.execute("SELECT pk FROM cards WHERE card_id = 'a'").fetchone()[0]
    add_review(col, pk)
    col.close()
    # the new release ships the same file with the new id; the collection is migrated when opened
    file.write_text("deck: practice/losses\nname: Practice::Losses\n" + entry)
    upgraded = Collection.open(tmp_path / "c.sqlite")
    assert "m007_practice_deck_ids" in upgraded.migrations()
    report = upgraded.sync_decks(empty_bundled, user, NOW)
    assert (report.added, report.retired) == (0, 0)
    rows = upgraded.conn.execute("SELECT pk, deck_id FROM cards ORDER BY card_id").fetchall()
    assert rows[0] == (pk, "practice/losses") and rows[1][1] == "practice/losses"
    assert [d for (d,) in upgraded.conn.execute("SELECT id FROM decks")] == ["practice/losses"]
    assert upgraded.conn.execute(
        "SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (pk,)
    ).fetchone() == (1,)


def test_a_retired_card_leaves_the_deck_counts_forecast_and_memory(
    tmp_path: Path, empty_bundled: Path
) -> None:
    """The counts leave retired cards out by key when there are some, and read the index alone otherwise:
    both ways must count the same live cards."""
    from datetime import timedelta

    from cvquiz.collection import activity
    from cvquiz.config import Settings
    from cvquiz.model import Rating
    from cvquiz.review_policy import record_review

    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(DECK)
    col = open_col(tmp_path)
    col.sync_decks(empty_bundled, user, NOW)
    settings = Settings(fuzz=False)
    pk = {r[0]: r[1] for r in col.conn.execute("SELECT card_id, pk FROM cards WHERE ord = 0")}
    for card in ("a", "b"):
        record_review(col, pk[card], Rating.EASY, NOW, settings)  # to review, due in days
    today = NOW.date()
    week = today + timedelta(days=30)

    def counts() -> tuple[int, int, int, int, int]:
        (deck,) = col.deck_summaries(NOW, settings.rollover_hour)
        reviewed, _mean = activity.review_memory_mean(col, 0, settings.parameters)
        return (
            deck.cards,
            deck.study_cards,
            deck.new,
            sum(activity.due_counts(col, today, week).values()),
            reviewed,
        )

    assert counts() == (2, 3, 1, 2, 2)
    (user / "mine.yaml").write_text(
        DECK.split("  - id: b")[0]
    )  # card b (two review cards) is retired
    report = col.sync_decks(empty_bundled, user, NOW + timedelta(seconds=1))
    assert report.retired == 2
    assert counts() == (1, 1, 0, 1, 1)
