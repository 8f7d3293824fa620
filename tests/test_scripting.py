"""docs/scripting.md holds: real --json sessions validate against its JSON Schema, every event and field is
documented, and its time-zone examples give the study days it says."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

pytestmark = pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed")

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "scripting.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "docs" / "drill-events.schema.json").read_text(encoding="utf-8"))

DECK = """\
deck: script
name: Script
cards:
  - {id: alpha, question: First question, answer: First answer}
  - {id: beta, question: Second question, answer: Second answer}
  - id: conv
    type: compute
    generator: conv2d_output_shape
    params: {batch: [1], channels: [3], size: [8], square: [true], out_channels: [8], kernel: [3],
             stride: [2], padding: [1], dilation: [1], groups: [1]}
"""


def drill(env: dict[str, str], lines: list[str], *args: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["cvquiz", "drill", "--deck", "script", "--json", *args],
        input="".join(line + "\n" for line in lines),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def drill_while_another_command_changes(env: dict[str, str]) -> list[dict[str, Any]]:
    """A drill that rates a card, sees ``cvquiz suspend`` change the collection, then tries to undo."""
    proc = subprocess.Popen(
        ["cvquiz", "drill", "--deck", "script", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    events: list[dict[str, Any]] = []

    def until(kind: str) -> None:
        while not events or events[-1]["event"] != kind:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, f"the drill ended before a {kind!r} event"
            events.append(json.loads(line))

    def send(line: str) -> None:
        proc.stdin.write(line + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]

    try:
        until("card")
        send("")
        until("answer")
        send("1")
        until("card")
        subprocess.run(["cvquiz", "suspend", "script/conv"], env=env, check=True, timeout=60)
        send("u")
        until("cannot-undo")
        send("q")
        until("summary")
    finally:
        proc.stdin.close()
        proc.stdout.read()
        proc.stdout.close()
        proc.wait(timeout=60)
    return events


def drill_while_another_cvquiz_writes(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """A drill (in this process, its busy timeout made short) whose rating meets another cvquiz writing."""
    from typer.testing import CliRunner

    from cvquiz.cli.app import app
    from cvquiz.collection import store

    subprocess.run(["cvquiz", "status"], env=env, check=True, capture_output=True, timeout=60)
    monkeypatch.setattr(store, "FIRST_WAIT_MS", 10)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    with closing(sqlite3.connect(env["CVQUIZ_COLLECTION"], isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # an import, say, holding the write lock all along
        result = CliRunner().invoke(
            app, ["drill", "--deck", "script", "--json"], input="\n1\nq\n", env=env
        )
        other.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_real_sessions_validate_against_the_schema(
    user_decks: Path, cvquiz_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_decks / "script.yaml").write_text(DECK, encoding="utf-8")
    config = Path(cvquiz_env["CVQUIZ_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('leech_threshold = 1\nnew_order = "deck"\n', encoding="utf-8")
    env = {**os.environ, **cvquiz_env, "CVQUIZ_SEED": "1"}
    events = drill(
        env,
        # nothing to undo yet; alpha: where, help, reveal, maybe (a notice), Easy; beta: suspend, undo,
        # bury, undo, Again; conv: 111x111 (unreadable), give up, Enter (Again), undo that; quit
        ["u", "e", "?", "", "maybe", "4", "s", "u", "b", "u", "", "1", "111x111", "", "", "u", "q"],
    )
    later = {**env, "CVQUIZ_NOW": "2026-03-20T09:00:00+00:00"}
    # whatever comes first (a recall card: reveal; the compute card: give up), each is rated Again:
    # alpha, in review since its Easy, lapses and is a leech at threshold 1
    events += drill(later, ["", "1"] * 3 + ["q"])
    # the day before, nothing of the leech is due: the one event is "done"
    earlier = {**env, "CVQUIZ_NOW": "2026-03-19T09:00:00+00:00"}
    events += drill(earlier, [], "--new", "0", "--tag", "leech")
    events += code_card_events(user_decks, env)
    # another command changes the collection during a drill: the drill's undo waits for cvquiz undo
    other = {**env, "CVQUIZ_COLLECTION": str(user_decks.parent / "other.sqlite")}
    events += drill_while_another_command_changes(other)
    # another cvquiz writes for longer than the busy timeout: the rating waits, is not saved, is asked again
    busy = {**env, "CVQUIZ_COLLECTION": str(user_decks.parent / "busy.sqlite")}
    events += drill_while_another_cvquiz_writes(busy, monkeypatch)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for event in events:
        validator.validate(event)
    seen = {e["event"] for e in events}
    declared = {branch["properties"]["event"]["const"] for branch in SCHEMA["oneOf"]}
    assert seen == declared, declared - seen


CODE_DECK = """\
deck: code-script
name: Code script
cards:
  - id: rev
    type: code
    question: Write reverse_rows(a).
    starter: |
      def reverse_rows(a):
          \"\"\"The rows of a 2-D array in reverse order, as a new array.\"\"\"
    judge: {reference: reverse_rows, inputs: matrix}
    solution: |
      def reverse_rows(a):
          return a[::-1].copy()
    hints: [A slice is a view.]
"""


def code_card_events(user_decks: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    """A code card answered with files in --json mode: a hint, help, a missing file, a wrong file, a fix."""
    (user_decks / "code-script.yaml").write_text(CODE_DECK, encoding="utf-8")
    folder = user_decks.parent
    (folder / "view.py").write_text("def reverse_rows(a):\n    return a[::-1]\n", encoding="utf-8")
    (folder / "right.py").write_text("def reverse_rows(a):\n    return a[::-1].copy()\n", "utf-8")
    lines = [
        "h",
        "?",
        str(folder / "missing.py"),
        str(folder / "view.py"),
        "e",
        str(folder / "right.py"),
    ]
    result = subprocess.run(
        ["cvquiz", "drill", "--deck", "code-script", "--json"],
        input="".join(line + "\n" for line in [*lines, "", "q"]),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    # after the rating the card is shown again (a learning card, learnt ahead as nothing else is left): q
    assert kinds == [
        "card",
        "hint",
        "help",
        "unreadable",
        "answer",
        "answer",
        "rated",
        "card",
        "summary",
    ]
    card, first, second = events[0], events[4], events[5]
    assert card["type"] == "code" and card["starter"].startswith("def reverse_rows(a):")
    assert (first["proposed"], first["attempts"], first["attempt"]["passed"]) == (1, 1, False)
    assert first["attempt"]["first_failure"]["message"]  # the difference, named
    assert (second["proposed"], second["attempts"], second["attempt"]["passed"]) == (2, 2, True)
    assert second["path"] == str(folder / "right.py")
    assert events[-1]["code_answered"] == 1 and events[-1]["code_passed"] == 1
    return events


def test_every_event_and_field_is_documented() -> None:
    table = DOC[DOC.index("## `--json` events") : DOC.index("## Exit codes")]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 3:
            for name in re.findall(r"`([a-z-]+)`", cells[0]):
                rows[name] = cells[2]  # the fields column
    for branch in SCHEMA["oneOf"]:
        event = branch["properties"]["event"]["const"]
        assert event in rows, f"event {event} is not in docs/scripting.md"
        for field in branch["properties"]:
            if field != "event":
                assert f"`{field}`" in rows[event], f"{event}.{field} is not documented"


@pytest.mark.parametrize(
    ("tz", "now", "day"),
    [
        ("Asia/Shanghai", "2026-11-30T17:30:00Z", "2026-11-30"),
        ("Europe/London", "2026-11-30T17:30:00Z", "2026-11-30"),
        ("Asia/Shanghai", "2026-11-30T21:00:00Z", "2026-12-01"),
    ],
)
def test_the_time_zone_examples_hold(
    cvquiz_env: dict[str, str], tz: str, now: str, day: str
) -> None:
    assert f"TZ={tz} CVQUIZ_NOW={now} cvquiz status" in DOC
    assert day in DOC
    env = {**os.environ, **cvquiz_env, "TZ": tz, "CVQUIZ_NOW": now}
    result = subprocess.run(
        ["cvquiz", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["study_day"] == day
