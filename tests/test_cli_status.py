"""``cvquiz status``: counts, today's work, retention and forecast, driven by CVQUIZ_NOW."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from typer.testing import CliRunner

from cvquiz import clock
from cvquiz.cli.app import app
from cvquiz.collection import Collection
from cvquiz.collection.scheduling import suspend
from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.review_policy import record_review

runner = CliRunner()
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # conftest's CVQUIZ_NOW
PLAIN = Settings(fuzz=False)


def status_json(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = runner.invoke(app, ["status", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def studied(cvquiz_env: dict[str, str]) -> dict[str, Any]:
    """A collection of the bundled decks with a known history; returns what the test needs to know."""
    assert runner.invoke(app, ["decks"]).exit_code == 0
    col = Collection.open(Path(cvquiz_env["CVQUIZ_COLLECTION"]))
    pks = [r[0] for r in col.conn.execute("SELECT pk FROM cards WHERE ord = 0 ORDER BY pk LIMIT 8")]
    a, b, c, d, e, f, g, h = pks
    # three cards due two days ago (Easy: 8 days), one far in the future
    for pk in (a, b, c):
        record_review(col, pk, Rating.EASY, NOW - timedelta(days=10), PLAIN)
    record_review(col, d, Rating.EASY, NOW - timedelta(days=5), PLAIN)  # due in 3 days
    # review-state reviews within 30 days: a pass and a lapse; one older than 30 days
    record_review(col, e, Rating.EASY, NOW - timedelta(days=60), PLAIN)
    old = record_review(col, e, Rating.EASY, NOW - timedelta(days=52), PLAIN)  # too old to count
    record_review(col, f, Rating.EASY, NOW - timedelta(days=25), PLAIN)
    kept = record_review(col, f, Rating.EASY, NOW - timedelta(days=17), PLAIN)  # a pass
    assert (
        old.after.due
        and kept.after.due
        and min(old.after.due, kept.after.due) > NOW + timedelta(days=7)
    )
    record_review(col, g, Rating.EASY, NOW - timedelta(days=25), PLAIN)
    record_review(col, g, Rating.AGAIN, NOW - timedelta(days=17), PLAIN)  # a lapse: relearning, due
    # today: one new card into learning, 40 s spent
    record_review(col, h, Rating.GOOD, NOW - timedelta(minutes=2), PLAIN, duration_ms=40_000)
    memory = col.conn.execute(
        "SELECT stability, last_review FROM schedule WHERE state = 2 AND suspended = 0"
    ).fetchall()
    col.close()
    return {"pks": pks, "memory": memory, "path": cvquiz_env["CVQUIZ_COLLECTION"]}


def test_status_counts_today_and_forecast(studied: dict[str, Any]) -> None:
    data = status_json()
    assert data["study_day"] == "2026-03-02"
    assert (data["new"], data["learning"], data["review"]) == (19, 2, 3)
    assert (data["studied_cards"], data["studied_reviews"], data["time_today_ms"]) == (1, 1, 40_000)
    assert data["retention"] == 0.5 and data["retention_reviews"] == 2
    assert [d["due"] for d in data["forecast"]] == [5, 0, 0, 1, 0, 0, 0]
    assert [d["day"] for d in data["forecast"]][:2] == ["2026-03-02", "2026-03-03"]


def test_estimated_retention_agrees_with_py_fsrs(studied: dict[str, Any]) -> None:
    data = status_json()
    scheduler = fsrs.Scheduler()
    expected = [
        scheduler.get_card_retrievability(
            fsrs.Card(
                card_id=1,
                state=fsrs.State.Review,
                stability=s,
                difficulty=5.0,
                due=NOW,
                last_review=clock.from_ms(last),
            ),
            NOW,
        )
        for s, last in studied["memory"]
    ]
    assert data["review_cards"] == len(expected) == 6
    assert data["estimated_retention"] == pytest.approx(sum(expected) / len(expected), rel=1e-9)


def test_cvquiz_now_moves_the_study_day(studied: dict[str, Any]) -> None:
    # 03:59 the next morning still belongs to 2026-03-02 (rollover 04:00, TZ=UTC in the tests)
    data = status_json(env={"CVQUIZ_NOW": "2026-03-03T03:59:00+00:00"})
    assert data["study_day"] == "2026-03-02" and data["studied_reviews"] == 1
    data = status_json(env={"CVQUIZ_NOW": "2026-03-03T04:00:00+00:00"})
    assert data["study_day"] == "2026-03-03" and data["studied_reviews"] == 0
    assert data["new"] == 20 and data["review"] == 3
    later = status_json(env={"CVQUIZ_NOW": "2026-03-05T12:00:00+00:00"})
    assert later["review"] == 4  # d fell due


def test_suspended_cards_leave_counts_and_forecast(studied: dict[str, Any]) -> None:
    col = Collection.open(Path(studied["path"]))
    suspend(col, studied["pks"][:3])
    col.close()
    data = status_json()
    assert data["review"] == 0 and data["forecast"][0]["due"] == 2


def test_status_text(studied: dict[str, Any]) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Today 2026-03-02" in text and "new 19" in text and "review 3" in text
    assert "Studied 1 card (1 review, 0 again) in 40s" in text
    assert "50.0%" in text and "Due in the next 7 days" in text and "today" in text


def test_status_on_a_fresh_collection() -> None:
    data = status_json()
    assert data["studied_reviews"] == 0 and data["retention"] is None
    assert data["estimated_retention"] is None and data["new"] == 20


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed")
def test_installed_command(studied: dict[str, Any]) -> None:
    done = subprocess.run(
        ["cvquiz", "status", "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["review"] == 3


def test_the_sql_retention_estimate_equals_the_numpy_one(cvquiz_env: dict[str, str]) -> None:
    """``status`` averages retrievability inside SQLite; ``stats`` keeps NumPy: the two agree to 1e-9."""
    import random

    from cvquiz.collection.activity import review_memory, review_memory_mean
    from cvquiz.scheduler import mean_retrievability

    assert runner.invoke(app, ["decks"]).exit_code == 0
    col = Collection.open(Path(cvquiz_env["CVQUIZ_COLLECTION"]))
    rng = random.Random(7)
    pks = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk LIMIT 300")]
    for pk in pks:
        when = NOW - timedelta(days=rng.uniform(0, 400), minutes=rng.randrange(1440))
        for _ in range(rng.randrange(1, 5)):
            record_review(col, pk, Rating(rng.randrange(1, 5)), when, Settings())
            when += timedelta(days=rng.uniform(0, 30))
    suspend(col, pks[:10])
    for offset in (
        timedelta(0),
        timedelta(days=3, hours=5),
        timedelta(days=-2),
        timedelta(days=900),
    ):
        now_ms = clock.to_ms(NOW + offset)
        for parameters in (Settings().parameters, tuple(fsrs.Scheduler().parameters)):
            count, mean = review_memory_mean(col, now_ms, parameters)
            ref_count, ref_mean = mean_retrievability(review_memory(col), now_ms, parameters)
            assert count == ref_count > 50
            assert mean == pytest.approx(ref_mean, rel=1e-9, abs=1e-12)
    col.close()
