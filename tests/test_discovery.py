"""Which files are deck files: one answer for sync, ``check`` and the card services."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvquiz.deckfile.discovery import deck_files, deck_id_of, expand_deck_paths
from cvquiz.errors import DeckProblems


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"deck: {path.stem}\nname: x\ncards: []\n", encoding="utf-8")


def test_deck_files_skip_hidden_files_and_folders(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "a.yaml",
        "my/b.yml",
        "my/deeper/c.yaml",
        ".hidden.yaml",
        ".git/config.yaml",
        ".github/workflows/ci.yml",
        "my/.d.yaml.swp",
        "notes.txt",
    )
    (tmp_path / "folder.yaml").mkdir()
    found = [p.relative_to(tmp_path).as_posix() for p in deck_files(tmp_path)]
    assert found == ["a.yaml", "my/b.yml", "my/deeper/c.yaml"]
    assert [p.name for p in deck_files(tmp_path, recursive=False)] == ["a.yaml"]
    assert deck_files(tmp_path / "absent") == []


def test_a_hidden_folder_above_the_root_does_not_hide_it(tmp_path: Path) -> None:
    root = tmp_path / ".config" / "decks"
    _touch(root, "a.yaml")
    assert [p.name for p in deck_files(root)] == ["a.yaml"]


def test_expand_deck_paths_takes_named_files_and_refuses_missing_ones(tmp_path: Path) -> None:
    _touch(tmp_path, "x/a.yaml", "x/.git/b.yaml", "named.txt")
    assert expand_deck_paths([tmp_path / "named.txt", tmp_path / "x"]) == [
        tmp_path / "named.txt",
        tmp_path / "x" / "a.yaml",
    ]
    with pytest.raises(DeckProblems, match=r"nothing\.yaml: no such file or folder"):
        expand_deck_paths([tmp_path / "nothing.yaml"])


def test_deck_id_of_reads_the_deck_line(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("\ufeff# mine\ndeck: 'my/notes'  # id\nname: x\n", encoding="utf-8")
    assert deck_id_of(path) == "my/notes"
    path.write_text("name: x\n", encoding="utf-8")
    assert deck_id_of(path) is None
    assert deck_id_of(tmp_path / "absent.yaml") is None
