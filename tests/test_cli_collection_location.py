"""Where the collection is: a named one's folder must exist, the default one is made and announced once;
and the JSON conventions every command keeps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app

runner = CliRunner()


def test_a_named_collection_in_a_missing_folder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "typo" / "collection.sqlite"
    for argv, env in (
        (["--collection", str(target), "decks"], {}),
        (["decks"], {"CVQUIZ_COLLECTION": str(target)}),
    ):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        result = runner.invoke(app, argv)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            f"Error: {tmp_path / 'typo'}: no such folder"
        )
        assert str(target) in lines[0]
        assert not (tmp_path / "typo").exists()  # no silent new collection


def test_the_default_collection_is_created_and_announced_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CVQUIZ_COLLECTION")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    created = tmp_path / "xdg" / "cvquiz" / "collection.sqlite"
    assert created.is_file()
    assert result.stderr.splitlines()[0] == f"Created a new collection at {created}"
    again = runner.invoke(app, ["status"])
    assert again.exit_code == 0 and "Created" not in again.stderr


def test_json_conventions(user_decks: Path) -> None:
    (user_decks / "mine.yaml").write_text(
        "deck: mine\nname: 我的卡片\ncards:\n  - id: a\n    question: 什么是 IoU？\n    answer: 交并比\n",
        encoding="utf-8",
    )
    decks = runner.invoke(app, ["decks", "--json"])
    assert decks.exit_code == 0
    assert '"name": "我的卡片"' in decks.stdout and "\\u" not in decks.stdout  # UTF-8, not escaped
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", status["now"])  # UTC, with Z
    assert status["now"] == "2026-03-02T09:00:00.000Z"
    hits = json.loads(runner.invoke(app, ["search", "IoU", "--json"]).stdout)
    assert hits[0]["question"] == {"zh": "什么是 IoU？", "en": "什么是 IoU？"}  # always {zh, en}
    shown = json.loads(runner.invoke(app, ["show", "mine/a", "--json"]).stdout)
    assert shown["content"]["answer"] == {"zh": "交并比", "en": "交并比"}
    missing = runner.invoke(app, ["show", "nothing-like-this", "--json"])
    assert missing.exit_code == 1 and missing.stdout == ""
    error = json.loads(missing.stderr)[
        "error"
    ]  # an error under --json is one JSON object on stderr
    assert error == {
        "type": "CardNotFoundError",
        "message": "no card matches 'nothing-like-this' (try cvquiz search TEXT)",
        "exit_code": 1,
        "problems": ["no card matches 'nothing-like-this' (try cvquiz search TEXT)"],
    }
