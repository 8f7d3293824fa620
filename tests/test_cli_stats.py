"""``cvquiz stats``, ``optimize`` and ``simulate`` on the command line, on collections with a known history."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from _english import english_words
from _learner import OTHER_W, simulate_log
from rich.cells import cell_len
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.cli.commands_stats import bar_chart
from cvquiz.collection import Collection
from cvquiz.config import DEFAULT_PARAMETERS, Settings, load_settings
from cvquiz.model import Rating
from cvquiz.review_policy import record_review

runner = CliRunner()
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # conftest's CVQUIZ_NOW
PLAIN = Settings(fuzz=False)


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result


def as_json(*args: str) -> Any:
    return json.loads(invoke(*args, "--json").stdout)


@pytest.fixture
def col(cvquiz_env: dict[str, str]) -> Any:
    """The bundled decks, synced, with the collection open for the test to write history into."""
    invoke("decks")
    collection = Collection.open(Path(cvquiz_env["CVQUIZ_COLLECTION"]))
    yield collection
    collection.close()


def deck_pks(col: Collection, deck: str) -> list[int]:
    rows = col.conn.execute(
        "SELECT pk FROM cards WHERE deck_id = ? AND ord = 0 ORDER BY position", (deck,)
    )
    return [r[0] for r in rows]


def some_deck(col: Collection) -> str:
    (deck,) = col.conn.execute("SELECT id FROM decks ORDER BY id LIMIT 1").fetchone()
    return str(deck)


def test_stats_on_one_screen_and_as_json(col: Collection) -> None:
    deck = some_deck(col)
    cards = deck_pks(col, deck)
    for i, pk in enumerate(cards[:6]):
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=i, hours=1), PLAIN)
    text = invoke("stats").stdout
    for expected in (
        "Streak: 6 days",
        "Mon",
        "True retention",
        "Cards due per day",
        "Decks",
        "Tags",
    ):
        assert expected in text
    data = as_json("stats", "--days", "14")
    assert data["streak"] == {"current": 6, "longest": 6, "study_days": 6, "studied_today": True}
    assert len(data["heatmap"]) == 365 and len(data["forecast"]) == 14
    assert sum(d["count"] for d in data["heatmap"]) == 6
    assert {g["key"] for g in data["by_deck"]} >= {deck}
    only = as_json("stats", "--deck", deck)
    assert [g["key"] for g in only["by_deck"]] == [deck]
    assert only["decks"] == [deck]


def test_stats_writes_an_html_report(col: Collection, tmp_path: Path) -> None:
    record_review(col, deck_pks(col, some_deck(col))[0], Rating.GOOD, NOW, PLAIN)
    report = tmp_path / "report.html"
    result = invoke("stats", "--html", str(report), "--json")
    json.loads(result.stdout)  # --json still prints JSON on stdout
    assert "Wrote the report" in result.stderr
    root = ET.fromstring(report.read_text(encoding="utf-8").removeprefix("<!DOCTYPE html>\n"))
    assert root.tag == "html"
    nested = runner.invoke(app, ["stats", "--html", str(tmp_path / "new" / "r.html")])
    assert nested.exit_code == 0 and (tmp_path / "new" / "r.html").is_file()  # as the exports do
    bad = runner.invoke(app, ["stats", "--html", str(tmp_path)])
    assert bad.exit_code == 1 and "cannot write: it is a folder" in bad.stderr


def test_stats_rejects_a_bad_period(col: Collection) -> None:
    result = runner.invoke(app, ["stats", "--days", "0"])
    assert result.exit_code == 2


def test_optimize_with_too_little_history_keeps_the_defaults(
    col: Collection, cvquiz_env: dict[str, str]
) -> None:
    record_review(col, deck_pks(col, some_deck(col))[0], Rating.GOOD, NOW, PLAIN)
    result = invoke("optimize")
    assert "too few" in result.stdout
    assert not Path(cvquiz_env["CVQUIZ_CONFIG"]).exists()
    data = as_json("optimize")
    assert data["enough"] is False and data["fitted"] is None


def learner_history(col: Collection) -> None:
    """Write the review log of a learner far from the default parameters (bulk SQL, like an import)."""
    pks = [r[0] for r in col.conn.execute("SELECT pk FROM cards ORDER BY pk LIMIT 250")]
    cards, days, ratings, states = simulate_log(OTHER_W, 250, 365, seed=3)
    rows = [
        (
            pks[c - 1],
            int(datetime.fromisoformat(d).replace(tzinfo=UTC).timestamp() * 1000) + 9 * 3_600_000,
            d,
            r,
            s,
        )
        for c, d, r, s in zip(cards, days, ratings, states, strict=True)
    ]
    with col.transaction() as conn:
        conn.executemany(
            """INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, state_before, state_after,
                                    before, after) VALUES (?, ?, ?, ?, ?, 2, '{}', '{}')""",
            rows,
        )


def test_optimize_fits_asks_and_saves(col: Collection, cvquiz_env: dict[str, str]) -> None:
    learner_history(col)
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    dry = invoke("optimize", "--dry-run")
    assert "log loss" in dry.stdout and "Dry run" in dry.stderr
    assert not config.exists()
    declined = invoke("optimize", input="n\n")
    assert "Not saved" in declined.stderr and not config.exists()
    data = as_json("optimize")
    assert data["enough"] and data["better"] and not data["saved"]
    assert data["fitted_eval"]["log_loss"] < data["current_eval"]["log_loss"]
    accepted = invoke("optimize", input="y\n")
    assert "Saved" in accepted.stderr
    assert load_settings(config).parameters == tuple(data["fitted"])
    assert load_settings(config).parameters != DEFAULT_PARAMETERS
    # with the fitted parameters in use, a second fit finds nothing better to save
    again = invoke("optimize", "--yes")
    assert "Saved" not in again.stderr
    assert as_json("optimize", "--yes")["saved"] is False


def test_optimize_json_saves_only_with_yes(col: Collection, cvquiz_env: dict[str, str]) -> None:
    learner_history(col)
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    assert as_json("optimize")["saved"] is False and not config.exists()
    assert as_json("optimize", "--yes", "--dry-run")["saved"] is False and not config.exists()
    data = as_json("optimize", "--yes")
    assert data["saved"] is True
    assert load_settings(config).parameters == tuple(data["fitted"])


def test_optimize_retention_suggests_one(col: Collection) -> None:
    for pk in deck_pks(col, some_deck(col))[:10]:
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=2), PLAIN)
    text = invoke("optimize", "--retention").stdout
    assert "Suggested desired retention" in text and "suggested" in text
    data = as_json("optimize", "--retention")
    assert 0.7 <= data["optimal"] <= 0.95
    assert len(data["simulation"]["scenarios"]) >= 4


def test_simulate_compares_scenarios_side_by_side(col: Collection) -> None:
    for pk in deck_pks(col, some_deck(col))[:10]:
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=2), PLAIN)
    data = as_json(
        "simulate", "--retention", "0.85", "--retention", "0.9", "--new", "10", "--days", "30"
    )
    scenarios = data["scenarios"]
    assert [(s["retention"], s["new_per_day"]) for s in scenarios] == [(0.85, 10), (0.9, 10)]
    assert all(sum(s["introduced"]) == 300 for s in scenarios)  # --new: cards keep coming
    assert data["new_cards"] is None and data["studied_cards"] == 10
    text = invoke("simulate", "-r", "0.8", "-r", "0.95", "--days", "20").stdout
    assert "Reviews per day over 20 days" in text
    assert "0.80" in text and "0.95" in text
    bad = runner.invoke(app, ["simulate", "--retention", "1.5"])
    assert bad.exit_code == 2


def test_the_commands_are_listed_and_help_stays_light() -> None:
    text = invoke("--help").stdout
    for name in ("stats", "optimize", "simulate"):
        assert name in text
    probe = (
        "import sys; from cvquiz.cli.app import app\n"
        "heavy = [m for m in ('numpy', 'fsrs_rs_python', 'plotext', 'sqlite_utils') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tags_and_names_with_markup_are_shown_as_typed(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    (user_decks / "mine.yaml").write_text(
        'deck: mine\nname: "Mine [bold]x[/bold]"\ncards:\n'
        '  - id: c1\n    question: q\n    answer: a\n    tags: ["w[b]", "a<b"]\n'
    )
    invoke("decks")
    with Collection.open(Path(cvquiz_env["CVQUIZ_COLLECTION"])) as col:
        record_review(col, deck_pks(col, "mine")[0], Rating.AGAIN, NOW, PLAIN)
    text = invoke("stats", "--deck", "mine").stdout
    assert "w[b]" in text and "a<b" in text
    data = as_json("stats", "--deck", "mine")
    assert data["by_deck"][0]["name"] == "Mine [bold]x[/bold]"


def test_bar_chart_draws_eighths_under_the_busiest_day() -> None:
    lines = bar_chart([16, 8, 1, 0, 2, 3, 4, 5], [f"d{i}" for i in range(8)], height=2)
    assert lines[0] == "16│█"  # only the busiest day reaches the top row
    # two rows are 16 eighths: 8 fills the lower row, 1..5 fill 1..5 eighths of it
    assert lines[1] == " 0│█ █ ▁   ▂ ▃ ▄ ▅"
    assert lines[2] == "  └" + "─" * 16
    assert lines[3] == "   d0            d7"


def test_a_deck_that_matches_nothing_is_an_error(col: Collection) -> None:
    for command in ("stats", "simulate"):
        result = runner.invoke(app, [command, "--deck", "no-such-deck"])
        assert result.exit_code == 1
        assert "no deck 'no-such-deck'" in result.stderr


def test_stats_of_an_empty_history(col: Collection) -> None:
    text = invoke("stats").stdout
    assert "Streak: 0 days" in text and "Nothing is due." in text


def chinese(*args: str, input: str | None = None) -> Any:
    """Run a command in Chinese; check that no output line is wider than an 80-column terminal."""
    result = invoke("--lang", "zh", *args, input=input)
    for line in (result.stdout + result.stderr).splitlines():
        assert cell_len(line) <= 80, line
    return result


def data_words(data: dict[str, Any]) -> set[str]:
    """The deck ids and tag names a stats screen shows: data, not interface text."""
    return {g["key"] for g in data["by_deck"]} | {g["name"] for g in data["by_tag"]}


def test_stats_speaks_chinese_at_80_columns(col: Collection) -> None:
    deck = some_deck(col)
    for i, pk in enumerate(deck_pks(col, deck)[:6]):
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=3 * i, hours=1), PLAIN)
        record_review(col, pk, Rating.AGAIN, NOW - timedelta(days=i, hours=2), PLAIN)
    text = chinese("stats").stdout
    assert english_words(text, allow=data_words(as_json("stats"))) == []
    assert re.search(r"^连续学习：7 天   最长 7 天   学习天数 10$", text, re.M)
    for expected in ("周一", "真实保持率", "每天到期的卡片", "牌组", "标签", "今天"):
        assert expected in text
    months = "".join(text.splitlines()[2].split())
    assert "月" in months and not any(m in months for m in ("Jan", "Dec"))
    english = invoke("stats").stdout
    assert "Streak: 7 days   longest 7   study days 10" in english and "Mon" in english
    assert not any("\u4e00" <= c <= "\u9fff" for c in english)
    for line in english.splitlines():
        assert cell_len(line) <= 80, line


def test_an_empty_stats_screen_speaks_chinese(col: Collection) -> None:
    text = chinese("stats").stdout
    assert english_words(text, allow=data_words(as_json("stats"))) == []
    assert "没有到期的卡片。" in text and "连续学习：0 天（今天还没有学习）" in text


def test_the_heatmap_aligns_chinese_month_names_by_cell() -> None:
    from cvquiz import i18n
    from cvquiz.cli.commands_stats import render_heatmap
    from cvquiz.stats import DayCount

    class Heat:
        heatmap: ClassVar[list[DayCount]] = [
            DayCount(str(date.fromordinal(date(2026, 1, 5).toordinal() + i)), i % 5)
            for i in range(98)
        ]

    i18n.set_language("zh")
    lines = render_heatmap(Heat())  # type: ignore[arg-type]
    grid = lines[1:8]
    assert [line[:3] for line in grid[::2]] == ["周一 ", "周三 ", "周五 ", "周日 "]
    # every row starts its first week at the same terminal cell, under the month names
    assert len({cell_len(line) - len(line.lstrip("周一二三四五六日 ")) for line in grid}) == 1
    assert lines[0].split() == ["1月", "2月", "3月", "4月"]
    assert cell_len(lines[0][: lines[0].index("2月")]) == 5 + 4  # February starts in week 4
    assert "少" in lines[-1] and "多" in lines[-1]


def test_optimize_and_simulate_speak_chinese(col: Collection) -> None:
    record_review(col, deck_pks(col, some_deck(col))[0], Rating.GOOD, NOW, PLAIN)
    text = chinese("optimize").stdout
    assert english_words(text) == [] and "太少" in text
    for pk in deck_pks(col, some_deck(col))[:10]:
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=2), PLAIN)
    result = chinese("simulate", "-r", "0.8", "-r", "0.95", "--days", "20")
    assert english_words(result.stdout) == [] and "20 天内每天的复习数" in result.stdout


def test_optimize_with_a_fit_speaks_chinese(col: Collection) -> None:
    learner_history(col)
    result = chinese("optimize", input="n\n")
    assert english_words(result.stdout + result.stderr) == []
    assert "对数损失" in result.stdout and "未保存" in result.stderr


@pytest.mark.slow
def test_suggested_retention_speaks_chinese(col: Collection) -> None:
    for pk in deck_pks(col, some_deck(col))[:10]:
        record_review(col, pk, Rating.GOOD, NOW - timedelta(days=2), PLAIN)
    result = chinese("optimize", "--retention")
    assert english_words(result.stdout + result.stderr) == []
    assert "建议的期望保持率" in result.stdout and "正在读取记录库" in result.stderr


def test_a_month_four_weeks_after_the_last_keeps_its_chinese_label() -> None:
    from cvquiz import i18n
    from cvquiz.cli.commands_stats import render_heatmap
    from cvquiz.stats import DayCount

    class Heat:  # Mondays 2026-10-05 and 2026-11-02: November starts four weeks after October
        heatmap: ClassVar[list[DayCount]] = [
            DayCount(str(date.fromordinal(date(2026, 9, 7).toordinal() + i)), 1 + i % 3)
            for i in range(91)
        ]

    i18n.set_language("zh")
    try:
        months = render_heatmap(Heat())[0].split()  # type: ignore[arg-type]
    finally:
        i18n.set_language("en")
    assert months == ["9月", "10月", "11月"]
