"""Merging an Anki review log: entries no Anki writes are left out and counted, never stored or a traceback.

The package is cvquiz's own export of a studied card, with one review-log row added by hand (as a damaged or
hand-made package would hold it); the collection afterwards must still make a JSON backup that restores.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app
from cvquiz.collection import Collection
from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.review_policy import record_review

runner = CliRunner()
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # conftest's CVQUIZ_NOW


@pytest.fixture
def exported(tmp_path: Path, cvquiz_env: dict[str, str]) -> Path:
    """``losses`` exported with progress: one card reviewed once (a day ago)."""
    assert runner.invoke(app, ["decks"]).exit_code == 0
    col = Collection.open(Path(cvquiz_env["CVQUIZ_COLLECTION"]))
    (pk,) = col.conn.execute(
        "SELECT pk FROM cards WHERE deck_id = 'losses' AND type = 'basic' ORDER BY pk LIMIT 1"
    ).fetchone()
    record_review(col, pk, Rating.GOOD, NOW - timedelta(days=1), Settings(fuzz=False))
    col.close()
    out = tmp_path / "l.apkg"
    result = runner.invoke(
        app, ["export", "anki", "--deck", "losses", "--with-progress", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def with_entry(package: Path, target: Path, *, id_: str, time: str, ease: str, type_: str) -> Path:
    """Copy ``package`` to ``target`` with one more revlog row, a copy of the first with these columns."""
    with zipfile.ZipFile(package) as zf:
        blob = zf.read("collection.anki2")
    db = target.with_suffix(".anki2")
    db.write_bytes(blob)
    conn = sqlite3.connect(db)
    conn.execute(
        f"INSERT INTO revlog SELECT {id_}, cid, usn, {ease}, ivl, lastIvl, factor, {time}, {type_}"
        " FROM revlog LIMIT 1"
    )
    conn.commit()
    conn.close()
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("collection.anki2", db.read_bytes())
        zf.writestr("media", "{}")
    return target


def _reviews(env: dict[str, str]) -> int:
    conn = sqlite3.connect(env["CVQUIZ_COLLECTION"])
    try:
        return int(conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])
    finally:
        conn.close()


BAD = {
    "before 1970": {"id_": "-5"},
    "year 3170843": {"id_": "99999999999999999"},
    "end of year 9999": {"id_": "253402300799000"},
    "negative time taken": {"id_": "id + 3600000", "time": "-99999999999"},
    "time taken past Anki's cap": {"id_": "id + 3600000", "time": "2147483648"},
    "type 9": {"id_": "id + 3600000", "type_": "9"},
    "ease 9": {"id_": "id + 3600000", "ease": "9"},
}


@pytest.mark.parametrize("columns", BAD.values(), ids=BAD.keys())
def test_entries_no_anki_writes_are_left_out_and_counted(
    exported: Path, tmp_path: Path, cvquiz_env: dict[str, str], columns: dict[str, str]
) -> None:
    package = with_entry(
        exported, tmp_path / "x.apkg", **{"time": "time", "ease": "3", "type_": "type", **columns}
    )
    result = runner.invoke(app, ["import", "anki", str(package)])
    assert result.exit_code == 0, result.output
    assert "Merged 0 reviews from Anki into 0 cards." in result.stderr
    assert "1 already in cvquiz; 1 unreadable" in result.stderr
    assert "reschedule" not in result.stderr
    assert _reviews(cvquiz_env) == 1
    # the backup the collection makes restores
    backup = tmp_path / "b.json"
    assert runner.invoke(app, ["export", "json", "-o", str(backup)]).exit_code == 0
    restored = tmp_path / "restored.sqlite"
    result = runner.invoke(app, ["--collection", str(restored), "import", "json", str(backup)])
    assert result.exit_code == 0, result.output


def test_a_good_entry_beside_them_is_merged(
    exported: Path, tmp_path: Path, cvquiz_env: dict[str, str]
) -> None:
    package = with_entry(
        exported, tmp_path / "x.apkg", id_="id + 3600000", time="8000", ease="3", type_="1"
    )
    result = runner.invoke(app, ["import", "anki", str(package)])
    assert result.exit_code == 0, result.output
    assert "Merged 1 review from Anki into 1 card." in result.stderr
    assert "unreadable" not in result.stderr
    assert _reviews(cvquiz_env) == 2


def test_installed_command_reports_a_far_future_entry_without_a_traceback(
    exported: Path, tmp_path: Path, cvquiz_env: dict[str, str]
) -> None:
    exe = shutil.which("cvquiz")
    if exe is None:  # pragma: no cover - installed in every test environment
        pytest.skip("cvquiz is not installed")
    package = with_entry(
        exported, tmp_path / "x.apkg", id_="99999999999999999", time="time", ease="3", type_="1"
    )
    proc = subprocess.run(
        [exe, "import", "anki", str(package)],
        env={**os.environ, **cvquiz_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "1 unreadable" in proc.stderr
