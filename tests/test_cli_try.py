"""``cvquiz try`` through the installed command: exit codes 0 / 1 / 2, the JSON verdict, and the attempt it records."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH"
)

CORRECT = "def reverse_rows(a):\n    return a[::-1].copy()\n"
WRONG = "def reverse_rows(a):\n    return a[:, ::-1].copy()\n"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cvquiz", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def env(cvquiz_env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **cvquiz_env, "COLUMNS": "80"}


def attempts(env: dict[str, str]) -> list[tuple[Any, ...]]:
    with sqlite3.connect(env["CVQUIZ_COLLECTION"]) as conn:
        return conn.execute(
            "SELECT source, passed, kind, code FROM code_attempts ORDER BY id"
        ).fetchall()


def test_a_passing_file_exits_0_and_is_recorded(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(CORRECT, encoding="utf-8")
    result = run(env, "try", "code/reverse-rows", str(path))
    assert result.returncode == 0, result.stderr
    assert "✓ passed all" in result.stdout
    assert attempts(env) == [("try", 1, None, CORRECT)]


def test_a_failing_file_exits_1_and_prints_the_json_verdict(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "mine.py"
    path.write_text(WRONG, encoding="utf-8")
    result = run(env, "try", "code/reverse-rows", str(path), "--json")
    assert result.returncode == 1, result.stderr
    verdict = json.loads(result.stdout)
    assert list(verdict) == [
        "card",
        "passed",
        "cases",
        "failed",
        "first_failure",
        "timed_out",
        "seconds",
    ]
    assert verdict["card"] == "code/reverse-rows"
    assert verdict["passed"] is False and verdict["timed_out"] is False
    assert 0 < verdict["failed"] <= verdict["cases"]
    failure = verdict["first_failure"]
    assert list(failure) == ["case", "inputs", "expected", "got", "message"]
    assert failure["case"] >= 1 and "a" in failure["inputs"]
    assert failure["expected"] == failure["inputs"]["a"][::-1]
    assert failure["got"] == [row[::-1] for row in failure["inputs"]["a"]]
    assert "differ" in failure["message"]
    assert attempts(env)[0][:3] == ("try", 0, "tolerance")


@pytest.mark.parametrize(
    ("card", "content", "message"),
    [
        ("code/no-such-card", CORRECT, "no card matches"),
        ("losses/ce-setup", CORRECT, "not a code card"),
        (
            "code/reverse-rows",
            "def flip(a):\n    return a\n",
            "no function reverse_rows (it defines: flip)",
        ),
        ("code/reverse-rows", None, "cannot read: no such file"),
        ("code/reverse-rows", b"\xff\xfe def", "not UTF-8 text"),
    ],
)
def test_usage_errors_exit_2_and_record_nothing(
    env: dict[str, str], tmp_path: Path, card: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "mine.py"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = run(env, "try", card, str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert attempts(env) == []


def test_the_verdict_speaks_chinese(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(WRONG, encoding="utf-8")
    result = run(env, "--lang", "zh", "try", "code/reverse-rows", str(path))
    assert result.returncode == 1
    assert "个用例中有" in result.stdout and "期望" in result.stdout
