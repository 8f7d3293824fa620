"""Settings: defaults equal py-fsrs', bad values are refused with the range, writes are atomic."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import fsrs
import pytest

from cvquiz.config import (
    DEFAULT_PARAMETERS,
    VALIDATORS,
    Settings,
    get_setting,
    load_settings,
    parse_steps,
    set_setting,
)
from cvquiz.errors import ConfigError


def test_defaults_match_py_fsrs() -> None:
    scheduler = fsrs.Scheduler()
    assert tuple(scheduler.parameters) == DEFAULT_PARAMETERS
    assert Settings().learning_steps == tuple(scheduler.learning_steps)
    assert Settings().relearning_steps == tuple(scheduler.relearning_steps)
    assert Settings().desired_retention == scheduler.desired_retention


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_set_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    set_setting(path, "desired_retention", "0.85")
    set_setting(path, "learning_steps", "30s 5m 1h")
    set_setting(path, "fuzz", "false")
    set_setting(path, "decks.losses.new_per_day", "5")
    settings = load_settings(path)
    assert settings.desired_retention == 0.85
    assert settings.learning_steps == (
        timedelta(seconds=30),
        timedelta(minutes=5),
        timedelta(hours=1),
    )
    assert settings.fuzz is False
    assert settings.limits_for("losses") == (5, 200)
    assert settings.limits_for("other") == (20, 200)


def test_set_edits_the_file_and_keeps_what_the_person_wrote(tmp_path: Path) -> None:
    """Comments, key order and values equal to the defaults survive ``config set`` (they were dropped)."""
    path = tmp_path / "c.toml"
    path.write_text(
        "# my settings\nfuzz = true  # the default, said out loud\nnew_per_day = 20\n\n"
        "[decks.losses]\nnew_per_day = 3 # fewer\n",
        encoding="utf-8",
    )
    set_setting(path, "reviews_per_day", "100")
    set_setting(path, "new_per_day", "25")
    set_setting(path, "decks.activations.reviews_per_day", "50")
    set_setting(path, "decks.losses.reviews_per_day", "40")
    text = path.read_text(encoding="utf-8")
    for kept in (
        "# my settings\n",
        "fuzz = true  # the default, said out loud\n",
        "new_per_day = 3 # fewer",
    ):
        assert kept in text
    assert text.index("fuzz") < text.index("new_per_day = 25") < text.index("[decks.losses]")
    settings = load_settings(path)
    assert (settings.new_per_day, settings.reviews_per_day) == (25, 100)
    assert settings.limits_for("activations") == (25, 50)
    assert settings.limits_for("losses") == (3, 40)


def test_every_setting_set_as_config_show_prints_it_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    for key in VALIDATORS:
        set_setting(path, key, get_setting(Settings(), key).value)
    assert load_settings(path) == Settings()
    assert set(tomllib.loads(path.read_text(encoding="utf-8"))) == set(VALIDATORS)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("desired_retention", "1.5", "expected a number from 0.70 to 0.99"),
        ("new_per_day", "-1", "expected a whole number from 0 to 9999"),
        ("rollover_hour", "24", "expected a whole number from 0 to 23"),
        ("leech_action", "delete", "expected one of tag, suspend"),
        ("learning_steps", "1x", "could not read step '1x'"),
        ("parameters", "1,2,3", "expected 21 finite FSRS-6 weights"),
        ("parameters", "0.2," * 20 + "nan", "weight 20 is nan; FSRS-6 weights are finite numbers"),
        ("colour", "red", "unknown setting 'colour'"),
    ],
)
def test_bad_values_are_refused_and_nothing_written(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    path = tmp_path / "c.toml"
    set_setting(path, "new_per_day", "10")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match=message):
        set_setting(path, key, value)
    assert path.read_bytes() == before


def test_empty_steps_allowed() -> None:
    assert parse_steps("") == ()


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("new_per_day = 'many'\n")
    with pytest.raises(ConfigError, match=r"c.toml: new_per_day: expected a whole number"):
        load_settings(path)
