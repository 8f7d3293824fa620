"""The round trip with the real Anki: cvquiz exports with progress, Anki reviews, cvquiz imports the reviews back.

Once per module: a small deck is studied in cvquiz, exported with progress, imported into a fresh Anki
collection with FSRS on, reviewed there through Anki's scheduler API (plain reviews, a cram review in a
filtered deck that does not reschedule, a "set due date"), meanwhile reviewed in cvquiz too, and exported
from Anki as a current-format ``.colpkg`` and as a legacy-format ``.apkg`` with scheduling. Expected values
come from Anki's own database (read with SQL here) and from py-fsrs directly, never from the code under test.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

anki_collection = pytest.importorskip("anki.collection")
from anki.generic_pb2 import Empty  # noqa: E402
from anki.import_export_pb2 import ExportAnkiPackageOptions, ExportLimit  # noqa: E402

from cvquiz.anki.exporter import AnkiExportOptions, export_anki, note_guid  # noqa: E402
from cvquiz.anki.package_reader import read_package  # noqa: E402
from cvquiz.cards.anki_packages import import_package  # noqa: E402
from cvquiz.collection import Collection  # noqa: E402
from cvquiz.config import Settings  # noqa: E402
from cvquiz.model import Rating  # noqa: E402
from cvquiz.review_policy import record_review  # noqa: E402

pytestmark = pytest.mark.slow

SETTINGS = Settings(fuzz=False)
DECK = """
deck: trip
name: Trip
cards:
  - {id: a, question: alpha question, answer: alpha}
  - {id: b, question: beta question, answer: beta}
  - {id: c, type: reversed, question: gamma question, answer: gamma}
  - {id: d, type: cloze, question: "{{c1::delta}} and {{c2::epsilon}}"}
  - {id: e, question: eta question, answer: eta}
  - {id: f, question: theta question, answer: theta}
  - id: g
    type: compute
    generator: conv2d_output_shape
    params: {stride: [1], dilation: [1], groups: [1], padding: [0, 1], square: [true]}
"""
REAL_NOW = datetime.fromtimestamp(int(time.time()), UTC)
"""Anki stamps its reviews with the real clock: cvquiz's own reviews are placed around it."""
EXPORTED = REAL_NOW - timedelta(days=20)


@dataclass
class Trip:
    """The module's round trip."""

    tmp: Path
    col: Collection
    pks: dict[str, int]
    before: list[tuple[int, int, int]]
    colpkg: Path
    apkg: Path
    anki_revlog: list[tuple[str, int, int, int, int, int]]
    results: list[Any]


def _pk(col: Collection, card: str, ord_: int = 0) -> int:
    row = col.conn.execute(
        "SELECT pk FROM cards WHERE deck_id = 'trip' AND card_id = ? AND ord = ?", (card, ord_)
    ).fetchone()
    return int(row[0])


def _study(col: Collection, pk: int, ratings: list[int], start: datetime) -> datetime:
    when = start
    for rating in ratings:
        outcome = record_review(col, pk, Rating(rating), when, SETTINGS, duration_ms=3000)
        assert outcome.after.due is not None
        when = max(outcome.after.due, when + timedelta(minutes=1))
    return when


def _answer(anki: Any, cid: int, rating: int) -> None:
    """Answer a card through Anki's v3 scheduler (rating 1-4, as Anki's log stores it)."""
    card = anki.get_card(cid)
    card.start_timer()
    states = anki._backend.get_scheduling_states(cid)
    answer = anki.sched.build_answer(card=card, states=states, rating=rating - 1)
    anki.sched.answer_card(answer)


def _cid(anki: Any, guid: str, ord_: int = 0) -> int:
    return int(
        anki.db.scalar(
            "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? AND c.ord = ?",
            guid,
            ord_,
        )
    )


def _snapshot(anki: Any) -> dict[str, Any]:
    return {t: anki.db.all(f"SELECT * FROM {t} ORDER BY 1") for t in ("cards", "notes", "revlog")}


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trip]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        tmp = tmp_path_factory.mktemp("trip")
        decks, bundled = tmp / "decks", tmp / "bundled"
        decks.mkdir()
        bundled.mkdir()
        (decks / "trip.yaml").write_text(DECK, encoding="utf-8")
        col = Collection.open(tmp / "cvquiz.sqlite")
        col.sync_decks(bundled, decks, EXPORTED - timedelta(days=30))
        pks = {
            name: _pk(col, card, ord_)
            for name, card, ord_ in [
                ("a", "a", 0),
                ("b", "b", 0),
                ("c0", "c", 0),
                ("c1", "c", 1),
                ("d1", "d", 1),
                ("e", "e", 0),
                ("f", "f", 0),
                ("g", "g", 0),
            ]
        }
        _study(col, pks["a"], [3, 3, 3], EXPORTED - timedelta(days=15))
        _study(col, pks["b"], [3, 1, 3, 3], EXPORTED - timedelta(days=12))
        _study(col, pks["d1"], [4], EXPORTED - timedelta(days=10))
        _study(col, pks["g"], [3], EXPORTED - timedelta(days=10))
        # two reviews in one millisecond, the last of a second: the export moves the second review 1 ms
        # later, into the next second, which is the last review time Anki must find in the card
        same = EXPORTED - timedelta(days=5) + timedelta(milliseconds=999)
        record_review(col, pks["e"], Rating.GOOD, same, SETTINGS)
        record_review(col, pks["f"], Rating.GOOD, same, SETTINGS)
        package = tmp / "cvquiz.apkg"
        export_anki(col, package, EXPORTED, SETTINGS, AnkiExportOptions(with_progress=True))

        (tmp / "anki").mkdir()
        anki = anki_collection.Collection(str(tmp / "anki" / "collection.anki2"))
        anki.set_config("fsrs", True)
        anki.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(
                package_path=str(package),
                options=anki_collection.ImportAnkiPackageOptions(with_scheduling=True),
            )
        )
        snapshot = _snapshot(anki)
        assert anki._backend.check_database() == []
        assert _snapshot(anki) == snapshot  # Check Database changes nothing
        # in cvquiz, before and after Anki's reviews (Anki's are at the real time)
        _study(col, pks["a"], [1], REAL_NOW - timedelta(hours=2))
        guid = {name: note_guid("trip", name) for name in "abcdef"}
        _answer(anki, _cid(anki, guid["a"]), 3)
        _answer(anki, _cid(anki, guid["b"]), 2)
        _answer(anki, _cid(anki, guid["c"], 0), 3)
        _answer(anki, _cid(anki, guid["c"], 1), 1)
        _answer(anki, _cid(anki, guid["d"], 1), 4)  # c2: never studied in cvquiz
        _answer(anki, _cid(anki, note_guid("trip", "g", 0)), 3)  # the problem with g's progress
        _answer(anki, _cid(anki, note_guid("trip", "g", 1)), 3)  # another problem: not merged
        _study(col, pks["b"], [3], REAL_NOW + timedelta(hours=3))
        # the user fixes a typo of c on the phone
        note = anki.get_note(anki.db.scalar("SELECT id FROM notes WHERE guid = ?", guid["c"]))
        note["Back"] = "gamma!"
        anki.update_note(note)
        # a cram review (filtered deck without rescheduling) and a "set due date"
        did = anki.decks.new_filtered("Cram")
        cram = anki.decks.get(did)
        cram["resched"] = False
        cram["terms"] = [["deck:Trip card:1 -is:new", 100, 0]]
        anki.decks.save(cram)
        anki.sched.rebuild_filtered_deck(did)
        _answer(anki, _cid(anki, guid["e"]), 3)
        anki.sched.empty_filtered_deck(did)
        anki.sched.set_due_date([_cid(anki, guid["f"])], "5")

        anki_revlog = [
            tuple(row)
            for row in anki.db.all(
                """SELECT n.guid, c.ord, r.id, r.ease, r.type, r.factor FROM revlog r
                   JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid ORDER BY r.id"""
            )
        ]
        before = col.conn.execute(
            "SELECT card_pk, reviewed_at, rating FROM reviews ORDER BY id"
        ).fetchall()
        colpkg = tmp / "phone.colpkg"
        anki.export_anki_package(
            out_path=str(tmp / "phone.apkg"),
            options=ExportAnkiPackageOptions(with_scheduling=True, legacy=True),
            limit=ExportLimit(whole_collection=Empty()),
        )
        anki.export_collection_package(str(colpkg), include_media=True, legacy=False)

        results = []
        for path in (colpkg, tmp / "phone.apkg", colpkg):
            results.append(
                import_package(
                    path,
                    lambda: col,
                    SETTINGS,
                    REAL_NOW,
                    decks_dir=decks,
                    bundled_dir=bundled,
                )
            )
        yield Trip(tmp, col, pks, before, colpkg, tmp / "phone.apkg", anki_revlog, results)
        col.close()
    time.tzset()


def test_packages_are_the_formats_under_test(trip: Trip) -> None:
    assert read_package(trip.colpkg).version == 3  # collection.anki21b, zstd
    assert read_package(trip.apkg).version == 2  # collection.anki21


def test_the_log_holds_both_sides_reviews(trip: Trip) -> None:
    rated = [r for r in trip.anki_revlog if r[3] > 0 and not (r[4] == 3 and r[5] == 0)]
    ords = {("a", 0): "a", ("b", 0): "b", ("c", 0): "c0", ("c", 1): "c1", ("d", 0): "d1"}
    ords |= {("d", 1): "d2", ("e", 0): "e", ("f", 0): "f"}
    guid_names = {note_guid("trip", n): n for n in "abcdef"}
    guid_names[note_guid("trip", "g", 0)] = "g"
    ords[("g", 0)] = "g"
    rated = [r for r in rated if r[0] in guid_names]  # g's other problems stay in Anki
    expected = set(trip.before)
    pks = dict(trip.pks)
    pks["d2"] = _pk(trip.col, "d", 2)
    for guid, ord_, rid, ease, _type, _factor in rated:
        pk = pks[ords[(guid_names[guid], ord_)]]
        if not any(p == pk and abs(at - rid) < 1000 and r == ease for p, at, r in expected):
            expected.add((pk, rid, ease))
    logged = set(trip.col.conn.execute("SELECT card_pk, reviewed_at, rating FROM reviews"))
    assert logged == expected
    # Anki's six answers, not the cram review nor the due date
    assert len(logged) == len(trip.before) + 6


def test_the_summary_says_what_was_merged_and_left_out(trip: Trip) -> None:
    first = trip.results[0].reviews
    assert (first.reviews, first.cards) == (6, 6)
    assert first.skipped.cram == 1 and first.skipped.rescheduled == 1
    assert first.skipped.other_problems == 1
    assert (
        first.skipped.already_logged == len(trip.before) - 2
    )  # the two cvquiz reviews after export
    assert [(d.deck, d.reviews, d.cards) for d in first.decks] == [("trip", 6, 6)]
    assert first.edited == ("trip/c",) and first.notes == {}  # its progress merged all the same


def _fsrs_replay(reviews: list[tuple[int, int]]) -> Any:
    import fsrs

    scheduler = fsrs.Scheduler(
        parameters=tuple(SETTINGS.parameters),
        desired_retention=SETTINGS.desired_retention,
        learning_steps=tuple(SETTINGS.learning_steps),
        relearning_steps=tuple(SETTINGS.relearning_steps),
        maximum_interval=SETTINGS.maximum_interval,
        enable_fuzzing=False,
    )
    card = None
    due = None
    last_days = 0
    for at, rating in reviews:
        when = datetime.fromtimestamp(at / 1000, UTC)
        if card is None:
            card = fsrs.Card(card_id=1, due=when)
        due = _anki_ordered_due(scheduler, card, rating, when, last_days)
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), when)
        if card.state == fsrs.State.Review:
            last_days = round((due - when) / timedelta(days=1))
    return card, due


def _anki_ordered_due(scheduler: Any, card: Any, rating: int, now: datetime, last_days: int) -> Any:
    """py-fsrs' due, with the order Anki keeps between the buttons of a review card (rslib review.rs,
    passing_fsrs_review_intervals): Hard at least a day and longer than the last interval when FSRS
    lengthens it, Good at least a day longer than Hard, Easy than Good."""
    import fsrs

    due = scheduler.review_card(card, fsrs.Rating(rating), now)[0].due
    if card.state != fsrs.State.Review or rating == 1:
        return due
    previous = 0
    for passing in (2, 3, 4):
        days = (scheduler.review_card(card, fsrs.Rating(passing), now)[0].due - now).days
        longer = last_days + 1 if days > last_days else 0
        days = max(days, longer, 1 if passing == 2 else previous + 1)
        previous = days
        if passing == rating:
            return now + timedelta(days=days)
    raise AssertionError(rating)


def test_states_equal_a_py_fsrs_replay_of_the_merged_log(trip: Trip) -> None:
    for pk in {*trip.pks.values(), _pk(trip.col, "d", 2)}:
        reviews = trip.col.conn.execute(
            "SELECT reviewed_at, rating FROM reviews WHERE card_pk = ? ORDER BY reviewed_at",
            (pk,),
        ).fetchall()
        state, step, stability, difficulty, due, last, reps = trip.col.conn.execute(
            """SELECT state, step, stability, difficulty, due, last_review, reps FROM schedule
               WHERE card_pk = ?""",
            (pk,),
        ).fetchone()
        if not reviews:
            assert state == 0
            continue
        card, due_expected = _fsrs_replay(reviews)
        assert (state, step, reps) == (int(card.state), card.step, len(reviews))
        assert stability == pytest.approx(card.stability, rel=1e-12)
        assert difficulty == pytest.approx(card.difficulty, rel=1e-12)
        assert last == reviews[-1][0]
        assert abs(due - due_expected.timestamp() * 1000) < 1


def test_each_review_records_the_states_around_it(trip: Trip) -> None:
    pk = trip.pks["b"]  # an Anki review landed before cvquiz's last review of it
    rows = trip.col.conn.execute(
        "SELECT before, after FROM reviews WHERE card_pk = ? ORDER BY reviewed_at", (pk,)
    ).fetchall()
    for (_, after), (before, _) in itertools.pairwise(rows):
        assert {k: v for k, v in json.loads(before).items() if k != "siblings"} == json.loads(after)
    sched = trip.col.conn.execute(
        "SELECT state, stability, due FROM schedule WHERE card_pk = ?", (pk,)
    ).fetchone()
    last = json.loads(rows[-1][1])
    assert (last["state"], last["stability"], last["due"]) == tuple(sched)


def test_importing_again_changes_nothing(trip: Trip) -> None:
    for result in trip.results[1:]:
        assert (result.reviews.reviews, result.reviews.cards) == (0, 0)
    snapshot = trip.col.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    schedule = trip.col.conn.execute("SELECT * FROM schedule ORDER BY card_pk").fetchall()
    import_package(
        trip.apkg,
        lambda: trip.col,
        SETTINGS,
        REAL_NOW,
        decks_dir=trip.tmp / "decks",
        bundled_dir=trip.tmp / "bundled",
    )
    assert trip.col.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall() == snapshot
    assert trip.col.conn.execute("SELECT * FROM schedule ORDER BY card_pk").fetchall() == schedule


def test_installed_command_dry_run_writes_nothing(trip: Trip, tmp_path: Path) -> None:
    exe = shutil.which("cvquiz")
    if exe is None:  # pragma: no cover - installed in every test environment
        pytest.skip("cvquiz is not installed")
    copy = tmp_path / "c.sqlite"
    src = sqlite3.connect(trip.tmp / "cvquiz.sqlite")
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    kept = json.dumps([list(r) for r in trip.before])
    dst.execute(
        """DELETE FROM reviews WHERE json_array(card_pk, reviewed_at, rating)
           NOT IN (SELECT value FROM json_each(?))""",
        (kept,),
    )  # the collection as it was before the import
    dst.commit()
    dst.close()
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(copy),
        "CVQUIZ_DECKS": str(trip.tmp / "decks"),
        "CVQUIZ_NOW": REAL_NOW.isoformat(),
    }
    proc = subprocess.run(
        [exe, "import", "anki", str(trip.colpkg), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["trip: would add 6 reviews to 6 cards"]
    assert "Would merge 6 reviews from Anki into 6 cards." in proc.stderr
    assert "1 answer to a compute problem beyond the first" in proc.stderr
    assert "1 cram review" in proc.stderr and "1 reschedule" in proc.stderr
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == len(trip.before)
    conn.close()
