"""``cvquiz config show`` and ``cvquiz config set``: values, ranges, per-deck limits, nothing written on error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.config import ALLOWED, VALIDATORS, DeckLimits, load_settings

runner = CliRunner()


def config_path(env: dict[str, str]) -> Path:
    return Path(env["CVQUIZ_CONFIG"])


def show_json() -> dict[str, Any]:
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_every_setting_has_an_allowed_range() -> None:
    assert set(ALLOWED) == set(VALIDATORS)


def test_show_lists_defaults(cvquiz_env: dict[str, str]) -> None:
    data = show_json()
    assert data["path"] == cvquiz_env["CVQUIZ_CONFIG"]
    rows = {row["key"]: row for row in data["settings"]}
    assert set(rows) == set(ALLOWED)
    assert rows["desired_retention"]["value"] == "0.9"
    assert rows["learning_steps"]["value"] == "1m 10m"
    assert rows["fuzz"]["value"] == "true"
    assert rows["parameters"]["value"].split(", ")[20] == "0.1542"
    assert not any(row["changed"] for row in rows.values())
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0 and "desired_retention" in result.stdout
    assert "0.70 to 0.99" in result.stdout


@pytest.mark.parametrize(
    ("key", "value", "check"),
    [
        ("desired_retention", "0.85", lambda s: s.desired_retention == 0.85),
        ("learning_steps", "30s 5m 1h", lambda s: s.learning_steps == (timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=1))),
        ("learning_steps", "", lambda s: s.learning_steps == ()),
        ("relearning_steps", "", lambda s: s.relearning_steps == ()),
        ("maximum_interval", "365", lambda s: s.maximum_interval == 365),
        ("fuzz", "off", lambda s: s.fuzz is False),
        ("new_per_day", "0", lambda s: s.new_per_day == 0),
        ("reviews_per_day", "500", lambda s: s.reviews_per_day == 500),
        ("rollover_hour", "0", lambda s: s.rollover_hour == 0),
        ("leech_threshold", "4", lambda s: s.leech_threshold == 4),
        ("leech_action", "suspend", lambda s: s.leech_action == "suspend"),
        ("review_order", "retrievability", lambda s: s.review_order == "retrievability"),
        ("decks.losses.new_per_day", "5", lambda s: s.deck_limits["losses"] == DeckLimits(new_per_day=5)),
        ("decks.cv/.reviews_per_day", "50", lambda s: s.limits_for("cv/conv") == (20, 50)),
    ],
)  # fmt: skip
def test_set_writes_a_value_that_loads_back(
    cvquiz_env: dict[str, str], key: str, value: str, check: Any
) -> None:
    result = runner.invoke(app, ["config", "set", key, value])
    assert result.exit_code == 0, result.output
    assert check(load_settings(config_path(cvquiz_env)))
    rows = {row["key"]: row for row in show_json()["settings"]}
    assert rows[key]["changed"]


def test_set_parameters(cvquiz_env: dict[str, str]) -> None:
    weights = list(fsrs.Scheduler().parameters)
    weights[20] = 0.5
    text = ", ".join(str(w) for w in weights)
    assert runner.invoke(app, ["config", "set", "parameters", text]).exit_code == 0
    assert load_settings(config_path(cvquiz_env)).parameters == tuple(weights)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("desired_retention", "1.5", "0.70 to 0.99"),
        ("desired_retention", "abc", "0.70 to 0.99"),
        ("maximum_interval", "0", "1 to 36500"),
        ("new_per_day", "-1", "0 to 9999"),
        ("rollover_hour", "24", "0 to 23"),
        ("leech_threshold", "x", "1 to 99"),
        ("leech_action", "delete", "tag, suspend"),
        ("review_order", "random", "overdue, retrievability"),
        ("fuzz", "maybe", "true or false"),
        ("learning_steps", "10", "1m 10m"),
        ("parameters", "1, 2, 3", "21"),
        ("parameters", ", ".join(["0.5"] * 4 + ["11"] + ["0.5"] * 16), "weight 4 is 11; FSRS-6 allows 1 to 10"),
        ("decks.losses.new_per_day", "lots", "0 to 9999"),
        ("decks.losses.color", "red", "decks.DECK.new_per_day"),
        ("desired_retentoin", "0.9", "unknown setting"),
    ],
)  # fmt: skip
def test_bad_values_are_rejected_with_the_range(
    cvquiz_env: dict[str, str], key: str, value: str, message: str
) -> None:
    assert runner.invoke(app, ["config", "set", "new_per_day", "7"]).exit_code == 0
    before = config_path(cvquiz_env).read_bytes()
    result = runner.invoke(app, ["config", "set", key, value])
    assert result.exit_code == 2
    assert message in result.stderr and "Error:" in result.stderr
    assert "Traceback" not in result.output
    assert config_path(cvquiz_env).read_bytes() == before


def test_a_bad_config_file_is_reported(cvquiz_env: dict[str, str]) -> None:
    path = config_path(cvquiz_env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("desired_retention = 2\n")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert "desired_retention" in result.stderr and "0.70 to 0.99" in result.stderr


def test_get_prints_one_value_as_set_reads_it(cvquiz_env: dict[str, str]) -> None:
    assert runner.invoke(app, ["config", "set", "learning_steps", "2m 15m"]).exit_code == 0
    result = runner.invoke(app, ["config", "get", "learning_steps"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2m 15m"
    data = json.loads(runner.invoke(app, ["config", "get", "fuzz", "--json"]).stdout)
    assert data == {
        "key": "fuzz",
        "value": "true",
        "default": "true",
        "changed": False,
        "allowed": ALLOWED["fuzz"],
    }


def test_get_a_per_deck_limit_falls_back_to_the_global_one(cvquiz_env: dict[str, str]) -> None:
    assert runner.invoke(app, ["config", "set", "new_per_day", "12"]).exit_code == 0
    assert runner.invoke(app, ["config", "get", "decks.losses.new_per_day"]).stdout.strip() == "12"
    assert runner.invoke(app, ["config", "set", "decks.losses.new_per_day", "3"]).exit_code == 0
    assert runner.invoke(app, ["config", "get", "decks.losses.new_per_day"]).stdout.strip() == "3"


def test_a_per_deck_limit_for_no_deck_is_kept_with_a_warning(cvquiz_env: dict[str, str]) -> None:
    """A deck that is not (yet) in the collection may be meant for later: kept, but the typo is named."""
    result = runner.invoke(app, ["config", "set", "decks.los.new_per_day", "5"])
    assert result.exit_code == 0, result.output
    assert "no deck 'los' (did you mean 'losses'?)" in result.stderr
    assert load_settings(config_path(cvquiz_env)).deck_limits["los"] == DeckLimits(new_per_day=5)
    result = runner.invoke(app, ["config", "set", "decks.losses.new_per_day", "5"])
    assert result.exit_code == 0 and "no deck" not in result.stderr


@pytest.mark.parametrize("command", [["get", "new_per_dya"], ["set", "new_per_dya", "5"]])
def test_a_mistyped_setting_name_gets_the_closest_one(
    cvquiz_env: dict[str, str], command: list[str]
) -> None:
    result = runner.invoke(app, ["config", *command])
    assert result.exit_code != 0
    assert "unknown setting 'new_per_dya' (did you mean 'new_per_day'?)" in result.stderr
    assert not config_path(cvquiz_env).exists()


def test_a_refused_value_makes_no_settings_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings lock's folder was made before the value was checked: a refusal left it behind."""
    folder = tmp_path / "not-yet"
    monkeypatch.setenv("CVQUIZ_CONFIG", str(folder / "config.toml"))
    for args in (["new_per_day", "-1"], ["new_per_dya", "5"], ["decks.x.colour", "5"]):
        result = runner.invoke(app, ["config", "set", *args])
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert not folder.exists(), args
    assert runner.invoke(app, ["config", "set", "new_per_day", "5"]).exit_code == 0
    assert load_settings(folder / "config.toml").new_per_day == 5


def test_a_name_like_no_setting_lists_them_all(cvquiz_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["config", "get", "zzz"])
    assert result.exit_code != 0
    assert "known: desired_retention" in result.stderr


def test_bad_values_are_refused_in_chinese() -> None:
    from _english import english_words

    for key, value, expected in (
        ("desired_retention", "2", "应为 0.70 至 0.99 的数，实际为 '2'"),
        ("new_per_day", "x", "应为 0 至 9999 的整数，实际为 'x'"),
        ("fuzz", "maybe", "应为 true 或 false，实际为 'maybe'"),
        ("learning_steps", "1q", "无法读取步长 '1q'"),
        ("parameters", "1 2", "应为 21 个有限的 FSRS-6 权重，实际有 2 个"),
        ("decks.x.other", "1", "按牌组的设置项是 decks.DECK.new_per_day"),
    ):
        result = runner.invoke(app, ["--lang", "zh", "config", "set", key, value])
        assert result.exit_code != 0 and expected in result.stderr, result.stderr
        assert english_words(result.stderr, allow={key, "maybe", "true", "false"}) == []


PARALLEL_SETTINGS = {
    "new_per_day": "5",
    "reviews_per_day": "50",
    "leech_threshold": "6",
    "rollover_hour": "3",
    "desired_retention": "0.85",
    "backup_interval": "10",
    "leech_action": "suspend",
    "maximum_interval": "3650",
}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_parallel_sets_keep_every_setting(cvquiz_env: dict[str, str]) -> None:
    # each `config set` reads the file, adds its value and replaces it: without the lock, the last to
    # replace it dropped what the others had written meanwhile
    env = dict(os.environ)
    sets = [
        subprocess.Popen(
            ["cvquiz", "config", "set", key, value],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, value in PARALLEL_SETTINGS.items()
    ]
    for process in sets:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    with config_path(cvquiz_env).open("rb") as handle:
        saved = tomllib.load(handle)
    assert {key: str(value) for key, value in saved.items()} == PARALLEL_SETTINGS
