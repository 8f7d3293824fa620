"""``cvquiz export anki`` and ``cvquiz export text`` through CliRunner and the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app

runner = CliRunner()


def test_export_anki_json_result(tmp_path: Path) -> None:
    out = tmp_path / "conv.apkg"
    result = runner.invoke(
        app, ["export", "anki", "--deck", "convolution", "-o", str(out), "--lang", "en", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == str(out)
    assert data["decks"] == 1 and data["notes"] > 10 and data["cards"] >= data["notes"]
    assert data["studied"] == data["reviews"] == 0
    with zipfile.ZipFile(out) as zf:
        assert "collection.anki2" in zf.namelist()


def test_export_anki_default_file_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", "anki", "-d", "pooling", "--with-progress"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cvquiz.apkg").is_file()
    assert result.stdout == ""
    assert "Wrote cvquiz.apkg: 1 deck, " in result.stderr
    assert "Import any learning progress" in result.stderr
    assert not list(tmp_path.glob(".cvquiz.apkg.*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--deck", "nope"], 1, "Error: no deck 'nope'"),
        (["--tag", "no-such-tag"], 1, "Error: no card has the tag 'no-such-tag'"),
        (["--lang", "fr"], 2, "Error: --lang must be zh, en or both, not 'fr'"),
    ],
)
def test_export_anki_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    out = tmp_path / "x.apkg"
    result = runner.invoke(app, ["export", "anki", "-o", str(out), *args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert not out.exists()


def test_instances_must_be_positive(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "anki", "-o", str(tmp_path / "x.apkg"), "-n", "0"])
    assert result.exit_code == 2


def test_export_text_follows_the_display_language(tmp_path: Path) -> None:
    out = tmp_path / "conv.txt"
    result = runner.invoke(
        app, ["--lang", "zh", "export", "text", "-d", "convolution", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "#separator:tab\n#html:true\n#notetype:Basic\n#deck:CV Interview::Convolution\n"
    )
    assert "卷积" in text
    assert "已写入" in result.stderr and "条笔记" in result.stderr  # the summary speaks zh too


def test_installed_command_writes_a_package(tmp_path: Path, cvquiz_env: dict[str, str]) -> None:
    exe = shutil.which("cvquiz")
    if exe is None:  # pragma: no cover - the package is installed in every test environment
        pytest.skip("cvquiz is not installed")
    out = tmp_path / "pool.apkg"
    proc = subprocess.run(
        [exe, "export", "anki", "--deck", "pooling", "--lang", "both", "-o", str(out)],
        env={**os.environ, **cvquiz_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "Wrote" in proc.stderr
    assert zipfile.is_zipfile(out)
