"""The bundled decks ship inside the wheel, so a ``pip install .`` finds them from any folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_the_decks_and_the_schema(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    builder = builders.WheelBuilder(str(ROOT))
    wheel = Path(next(iter(builder.build(directory=str(tmp_path), versions=["standard"]))))
    names = set(zipfile.ZipFile(wheel).namelist())
    decks = {p.name for p in (ROOT / "decks").glob("*.yaml")}
    assert decks and {f"cvquiz/decks/{name}" for name in decks} <= names
    assert "cvquiz/deckfile/deck.schema.json" in names
    assert "cvquiz/py.typed" in names


def test_installed_layout_finds_decks_inside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cvquiz.paths as paths

    package = tmp_path / "site-packages" / "cvquiz"
    (package / "decks").mkdir(parents=True)
    monkeypatch.setattr(paths, "__file__", str(package / "paths.py"))
    assert paths.bundled_decks_dir() == package / "decks"


def test_checkout_layout_finds_the_top_level_decks() -> None:
    from cvquiz.paths import bundled_decks_dir

    assert bundled_decks_dir() == ROOT / "decks"
