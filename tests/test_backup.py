"""``cvquiz export json`` and the JSON restore: a round trip that loses nothing, and refusals that are clear."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvquiz import clock
from cvquiz.cli.app import app
from cvquiz.collection import Collection
from cvquiz.collection.backup import export_json, restore_json, restore_json_file
from cvquiz.collection.scheduling import bury, suspend
from cvquiz.config import Settings
from cvquiz.errors import CollectionError
from cvquiz.model import Rating
from cvquiz.review_policy import record_review

runner = CliRunner()
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = {
    "decks": "id",
    "deck_files": "path",
    "cards": "pk",
    "schedule": "card_pk",
    "reviews": "id",
}
DECK = """deck: mine
name: 'Mine::测试'
description: {zh: 中文, en: English}
tags: [mine]
cards:
  - id: plain
    question: {zh: 问题, en: question}
    answer: a
    tags: [x::y]
  - id: both-ways
    type: reversed
    question: front
    answer: back
  - id: holes
    type: cloze
    question: '{{c1::one}} and {{c2::two}}'
"""


def dump(col: Collection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: col.conn.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
        for table, key in TABLES.items()
    }


def fresh(path: Path, bundled: Path, decks: Path) -> Collection:
    col = Collection.open(path)
    col.sync_decks(bundled, decks, NOW)
    return col


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "mine.yaml").write_text(DECK, encoding="utf-8")
    return folder


def study(col: Collection, seed: int, steps: int, fuzz: bool = True) -> None:
    """A varied history: every rating, answers, durations, burying, a leech, a suspension."""
    rng = random.Random(seed)
    settings = Settings(fuzz=fuzz, leech_threshold=1)
    pks = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk")]
    now = NOW
    for i in range(steps):
        pk = rng.choice(pks)
        now = now + timedelta(milliseconds=rng.randrange(0, 5 * 86_400_000))
        record_review(
            col,
            pk,
            rng.choice(list(Rating)),
            now,
            settings,
            duration_ms=rng.choice([None, rng.randrange(0, 60_000)]),
            answer=rng.choice([None, "3×3 — 答案", "[1, 2]"]),
            correct=rng.choice([None, True, False]),
            seed=rng.choice([None, rng.randrange(2**62)]),
        )
        if i % 7 == 3:
            bury(col, rng.choice(pks), now, settings)
    suspend(col, pks[:1])


def test_round_trip_through_the_cli_loses_nothing(
    tmp_path: Path, empty_bundled: Path, decks: Path, cvquiz_env: dict[str, str]
) -> None:
    source = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    study(source, seed=1, steps=60)
    before = dump(source)
    source.close()
    out = tmp_path / "backup" / "a.json"
    result = runner.invoke(
        app, ["--collection", str(tmp_path / "a.sqlite"), "export", "json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "60 reviews" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (
        data["format"] == "cvquiz-collection" and data["exported_at"] == "2026-03-02T09:00:00.000Z"
    )
    review = data["reviews"][0]
    assert review["reviewed_at"].endswith("Z") and datetime.fromisoformat(review["reviewed_at"])
    card = next(c for c in data["cards"] if c["schedule"]["last_review"])
    assert set(card["schedule"]) >= {
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
    }
    assert card["schedule"]["due"].endswith("Z")

    target = fresh(tmp_path / "b.sqlite", empty_bundled, decks)  # synced, never studied
    counts = restore_json_file(target, out)
    assert (counts.decks, counts.reviews) == (1, 60)
    assert dump(target) == before
    again = io.StringIO()
    export_json(target, again, NOW)
    assert json.loads(again.getvalue()) == data
    # the restored deck files are known: a sync finds nothing to do
    assert target.sync_decks(empty_bundled, decks, NOW).parsed == 0
    target.close()


def test_export_to_stdout(decks: Path, empty_bundled: Path, cvquiz_env: dict[str, str]) -> None:
    col = fresh(Path(cvquiz_env["CVQUIZ_COLLECTION"]), empty_bundled, decks)
    col.close()
    result = runner.invoke(app, ["export", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "cvquiz-collection"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32), steps=st.integers(0, 25), fuzz=st.booleans())
def test_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory,
    decks: Path,
    empty_bundled: Path,
    seed: int,
    steps: int,
    fuzz: bool,
) -> None:
    folder = tmp_path_factory.mktemp("rt")
    source = fresh(folder / "a.sqlite", empty_bundled, decks)
    study(source, seed, steps, fuzz)
    buffer = io.StringIO()
    export_json(source, buffer, NOW)
    target = fresh(folder / "b.sqlite", empty_bundled, decks)
    restore_json(target, json.loads(buffer.getvalue()))
    assert dump(target) == dump(source)
    source.close()
    target.close()


def test_refuses_a_collection_with_history(
    tmp_path: Path, empty_bundled: Path, decks: Path
) -> None:
    source = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    study(source, seed=2, steps=5)
    buffer = io.StringIO()
    export_json(source, buffer, NOW)
    data = json.loads(buffer.getvalue())
    before = dump(source)
    with pytest.raises(CollectionError, match=r"is not empty .*5 reviews.*new collection"):
        restore_json(source, data)
    assert dump(source) == before
    other = fresh(tmp_path / "b.sqlite", empty_bundled, decks)
    suspend(other, [1])
    with pytest.raises(CollectionError, match="not empty"):
        restore_json(other, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {"hello": 1}, "not a cvquiz collection export"),
        (lambda d: {**d, "version": 99}, "version 99"),
        (lambda d: {**d, "migrations": [*d["migrations"], "m999_future"]}, "newer cvquiz"),
        (lambda d: {**d, "cards": [{"pk": 1}]}, r"the export: cards\[0\]\.deck_id: is missing"),
        # what SQLite would refuse mid-restore is named by its JSON path first
        (
            lambda d: {**d, "reviews": [{**d["reviews"][0], "card_pk": 999}]},
            r"reviews\[0\]\.card_pk: no card in the export has the pk 999",
        ),
        (
            lambda d: {**d, "reviews": [*d["reviews"], d["reviews"][0]]},
            r"reviews\[3\]\.id: 1 is also at reviews\[0\]; it must be unique",
        ),
        (
            lambda d: {**d, "cards": [*d["cards"], {**d["cards"][0], "pk": 999}]},
            r"cards\[\d+\]\.card_id: \('.+', '.+', 0\) is also at cards\[0\]",
        ),
        (
            lambda d: {**d, "cards": [{**d["cards"][0], "deck_id": "nope"}, *d["cards"][1:]]},
            r"cards\[0\]\.deck_id: no deck in the export has the id 'nope'",
        ),
        (
            lambda d: {**d, "decks": [*d["decks"], d["decks"][0]]},
            r"decks\[\d+\]\.id: '.+' is also at decks\[0\]",
        ),
        (lambda d: {**d, "decks": [{**d["decks"][0], "active": "yes"}]}, "true or false"),
    ],
)
def test_rejects_what_is_not_an_export(
    tmp_path: Path, empty_bundled: Path, decks: Path, change: Any, message: str
) -> None:
    source = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    study(source, seed=3, steps=3)
    buffer = io.StringIO()
    export_json(source, buffer, NOW)
    target = fresh(tmp_path / "b.sqlite", empty_bundled, decks)
    before = dump(target)
    with pytest.raises(CollectionError, match=message):
        restore_json(target, change(json.loads(buffer.getvalue())))
    assert dump(target) == before


def test_restore_file_errors(tmp_path: Path, empty_bundled: Path, decks: Path) -> None:
    col = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    with pytest.raises(CollectionError, match="cannot read"):
        restore_json_file(col, tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CollectionError, match=r"bad.json:1:2: not valid JSON"):
        restore_json_file(col, bad)


def test_times_are_milliseconds_in_utc() -> None:
    ms = clock.to_ms(datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC))
    assert clock.iso_utc(ms) == "2026-03-02T09:00:00.123Z"


def test_export_json_takes_the_file_with_o_like_the_other_exports(
    tmp_path: Path, empty_bundled: Path, decks: Path, cvquiz_env: dict[str, str]
) -> None:
    fresh(tmp_path / "a.sqlite", empty_bundled, decks).close()
    out = tmp_path / "o.json"
    args = ["--collection", str(tmp_path / "a.sqlite"), "export", "json"]
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "cvquiz-collection"
    result = runner.invoke(app, [*args, str(out), "-o", str(out)])
    assert result.exit_code == 2
    assert "as an argument or with -o, not both" in result.stderr


def _bad_card(d: dict[str, Any], index: int, path: str, value: Any) -> dict[str, Any]:
    cards = json.loads(json.dumps(d["cards"]))
    node = cards[index]
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    return {**d, "cards": cards}


def _bad_review(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**d, "reviews": [{**d["reviews"][0], key: value}, *d["reviews"][1:]]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _bad_card(d, 4, "schedule.stability", -1.5),
            "cards[4].schedule.stability: must be > 0",
        ),
        (
            lambda d: _bad_card(d, 4, "schedule.stability", float("nan")),
            "cards[4].schedule.stability: must be a finite number",
        ),
        (
            lambda d: _bad_card(d, 3, "schedule.stability", float("inf")),
            "cards[3].schedule.stability: must be a finite number",
        ),
        (
            lambda d: _bad_card(d, 0, "schedule.reps", 10**30),
            "cards[0].schedule.reps: must be a whole number from 0 to 2147483647",
        ),
        (
            lambda d: _bad_card(d, 0, "schedule.difficulty", 11),
            "cards[0].schedule.difficulty: must be from 1 to 10",
        ),
        (
            lambda d: _bad_card(d, 1, "schedule.due_day", "yesterday"),
            "cards[1].schedule.due_day: must be a date",
        ),
        (lambda d: _bad_card(d, 1, "added_at", "2026-13-45"), "cards[1].added_at: must be a time"),
        (
            lambda d: _bad_card(d, 2, "content.id", "other"),
            "cards[2].content.id: must be the card's id",
        ),
        (lambda d: _bad_card(d, 2, "type", "essay"), "cards[2].type: must be one of"),
        (
            lambda d: _bad_review(d, "study_day", "0000-00-00"),
            "reviews[0].study_day: must be a date",
        ),
        (
            lambda d: _bad_review(d, "study_day", "10000-01-01"),
            "reviews[0].study_day: must be a date",
        ),
        (
            lambda d: _bad_review(d, "rating", 5),
            "reviews[0].rating: must be a whole number from 1 to 4",
        ),
        (lambda d: _bad_review(d, "seed", 2**64), "reviews[0].seed: must be a whole number"),
        (
            lambda d: _bad_review(d, "before", {"stability": 0}),
            "reviews[0].before.stability: must be > 0",
        ),
        (lambda d: {**d, "decks": "all of them"}, "decks: must be a list"),
        (lambda d: {**d, "code_attempts": [{"id": 1}]}, "code_attempts[0].card_pk: is missing"),
    ],
)
def test_a_bad_value_is_named_by_its_json_path_and_nothing_is_imported(
    tmp_path: Path, empty_bundled: Path, decks: Path, change: Any, message: str
) -> None:
    source = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    study(source, seed=3, steps=3)
    buffer = io.StringIO()
    export_json(source, buffer, NOW)
    data = json.loads(buffer.getvalue())
    assert len(data["cards"]) == 5 and data["reviews"]
    target = fresh(tmp_path / "b.sqlite", empty_bundled, decks)
    before = dump(target)
    with pytest.raises(CollectionError) as caught:
        restore_json(target, change(data), source="crafted.json")
    assert str(caught.value).startswith(f"crafted.json: {message}"), str(caught.value)
    assert str(caught.value).endswith("; nothing was imported")
    assert dump(target) == before


def test_a_deeply_nested_file_is_refused(tmp_path: Path, empty_bundled: Path, decks: Path) -> None:
    col = fresh(tmp_path / "a.sqlite", empty_bundled, decks)
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "cvquiz-collection", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    before = dump(col)
    with pytest.raises(CollectionError, match=r"deep\.json: not valid JSON: nested too deeply"):
        restore_json_file(col, deep)
    assert dump(col) == before
