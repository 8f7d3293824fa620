"""Shared fixtures: every test runs against its own collection, decks folder and settings, at a fixed time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Tests never assert on time: hypothesis's per-example deadline is off (a loaded machine, or a first call that
# imports a module, takes longer than 200 ms and made property tests fail at random).
settings.register_profile("cvquiz", deadline=None)
settings.load_profile("cvquiz")

FIXED_NOW = "2026-03-02T09:00:00+00:00"


@pytest.fixture(autouse=True)
def cvquiz_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Point every CVQUIZ_* path into tmp_path, fix the clock and the time zone, clear the language."""
    env = {
        # a named collection's folder must exist (cvquiz creates only its default one): tmp_path does
        "CVQUIZ_COLLECTION": str(tmp_path / "collection.sqlite"),
        "CVQUIZ_DECKS": str(tmp_path / "data" / "decks"),
        "CVQUIZ_CONFIG": str(tmp_path / "config" / "config.toml"),
        "CVQUIZ_CACHE": str(tmp_path / "cache"),
        "CVQUIZ_NOW": FIXED_NOW,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("CVQUIZ_LANG", "LC_ALL", "LC_MESSAGES", "VISUAL", "EDITOR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    if hasattr(os, "tzset"):
        os.tzset()
    from cvquiz import i18n

    i18n.set_language("en")
    yield env
    i18n.set_language("en")
    monkeypatch.undo()
    if hasattr(os, "tzset"):
        os.tzset()


@pytest.fixture
def user_decks(cvquiz_env: dict[str, str]) -> Path:
    """The user's decks folder, created."""
    path = Path(cvquiz_env["CVQUIZ_DECKS"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def empty_bundled(tmp_path: Path) -> Path:
    """An empty folder to stand in for the bundled decks."""
    path = tmp_path / "bundled"
    path.mkdir()
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI the installed ``cvquiz`` must be there: a test that would skip for want of it fails instead."""
    import shutil

    if os.environ.get("CI") and shutil.which("cvquiz") is None:
        raise pytest.UsageError(
            "CI: the cvquiz command is not on PATH (pip install -e '.[test]' first)"
        )
