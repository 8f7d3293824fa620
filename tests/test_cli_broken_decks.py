"""A broken deck file blocks nothing: every command that syncs works, warns once per file, and exits 0.

Each command runs as the installed ``cvquiz`` in a subprocess, as a person meets it. The collection first syncs
a good deck; then that file is broken (its cards must stay as last synced) and a second file that never loaded
appears (it must be left out).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH"
)

MINE = """\
deck: mine
name: Mine
cards:
  - id: alpha
    question: What does alpha blending mix?
    answer: Two images, weighted.
  - id: beta
    question: Second question
    answer: Second answer
"""


@pytest.fixture
def broken_env(user_decks: Path, cvquiz_env: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **cvquiz_env, "COLUMNS": "80"}
    mine = user_decks / "mine.yaml"
    mine.write_text(MINE, encoding="utf-8")
    first = run(env, "decks")
    assert first.returncode == 0 and "Warning" not in first.stderr, first.stderr
    mine.write_text(
        MINE.replace("    answer: Second answer", "    anwser: Second answer").replace(
            "alpha blending", "CHANGED"
        ),
        encoding="utf-8",
    )
    (user_decks / "fresh.yaml").write_text(
        "deck: fresh\nname: Fresh\ncards:\n  - id: x\n    question: 'unclosed\n    answer: y\n",
        encoding="utf-8",
    )
    return env


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cvquiz", *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )


def assert_warned_once_each(stderr: str, decks: Path) -> None:
    warnings = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 2, stderr
    mine, fresh = sorted(warnings, key=lambda line: "fresh" in line)
    assert str(decks / "mine.yaml") in mine and "unknown field 'anwser'" in mine
    assert "stay as last synced" in mine and "cvquiz check" in mine
    assert str(decks / "fresh.yaml") in fresh and "skipped until it loads" in fresh
    assert (
        "fresh.yaml:5:15: this quote is never closed" in fresh
    )  # where it opens, not the file's end


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("decks", "--json"), "", '"id": "mine"'),
        (("status",), "", ""),
        (("stats",), "", ""),
        (("search", "alpha blending"), "", "mine/alpha"),
        (("show", "mine/alpha"), "", "Two images, weighted."),
        (("drill", "--deck", "mine"), "\n3\n", ""),
    ],
)
def test_every_syncing_command_works_around_a_broken_deck(
    broken_env: dict[str, str],
    user_decks: Path,
    args: tuple[str, ...],
    stdin: str,
    expected: str,
) -> None:
    result = run(broken_env, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert_warned_once_each(result.stderr, user_decks)
    if args[0] == "drill":
        with sqlite3.connect(broken_env["CVQUIZ_COLLECTION"]) as conn:
            rated = conn.execute(
                "SELECT c.card_id FROM reviews r JOIN cards c ON c.pk = r.card_pk"
            ).fetchall()
        assert rated == [("alpha",)]  # the card as last synced is studied


def test_exports_keep_the_last_synced_cards(
    broken_env: dict[str, str], user_decks: Path, tmp_path: Path
) -> None:
    out = tmp_path / "backup.json"
    result = run(
        broken_env, "export", "json", "-o", str(out)
    )  # a backup of the collection: no sync
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    mine = [c for c in data["cards"] if c["deck_id"] == "mine"]
    assert "alpha blending" in json.dumps(mine) and "CHANGED" not in json.dumps(mine)
    assert "fresh" not in {d["id"] for d in data["decks"]}

    apkg = tmp_path / "mine.apkg"
    result = run(broken_env, "export", "anki", "--deck", "mine", "-o", str(apkg))
    assert result.returncode == 0, result.stderr
    assert_warned_once_each(result.stderr, user_decks)
    assert apkg.stat().st_size > 0


def test_the_warning_speaks_chinese(broken_env: dict[str, str], user_decks: Path) -> None:
    from _english import english_words

    (user_decks / "tabs.yaml").write_text("deck: tabs\nname: T\n\tcards: []\n", encoding="utf-8")
    result = run(broken_env, "--lang", "zh", "decks", "--json")
    assert result.returncode == 0, result.stderr
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("警告："))
    assert len(warnings) == 3, result.stderr
    fresh, mine, tabs = warnings
    assert (
        f"{user_decks / 'mine.yaml'}:9:5: 卡片 'beta'：未知字段 'anwser'（是不是 'answer'？）——"
        in mine
    )
    assert "其卡片保持上次同步的状态；请运行 cvquiz check" in mine
    assert f"{user_decks / 'fresh.yaml'}:5:15: 这个引号没有闭合——" in fresh
    assert f"{user_decks / 'tabs.yaml'}:3:1: 读取不带引号的文本时，制表符（Tab）打乱了缩进" in tabs
    paths = str(user_decks.parent.parent)
    for line in warnings:
        assert (
            english_words(line.replace(paths, ""), allow={"anwser", "answer", "beta", "Tab"}) == []
        )
