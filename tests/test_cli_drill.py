"""``cvquiz drill`` as a person meets it: the installed command in a real pseudo-terminal, and line mode."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pexpect
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH"
)

DECK = """\
deck: mydrill
name: Test::Drill
cards:
  - id: alpha
    question:
      zh: 第一个问题
      en: 'First question about w[b] and $\\frac{1}{1+e^{-x}}$'
    answer: {zh: 第一个答案, en: First answer}
    explanation: Because.
  - id: beta
    question: Second question
    answer: Second answer
  - id: gamma
    question: Third question
    answer: Third answer
"""


@pytest.fixture
def deck_env(user_decks: Path, cvquiz_env: dict[str, str]) -> dict[str, str]:
    (user_decks / "mydrill.yaml").write_text(DECK, encoding="utf-8")
    env = dict(os.environ)
    env.update(cvquiz_env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def spawn(env: dict[str, str], *args: str, deck: str = "mydrill") -> pexpect.spawn:
    return pexpect.spawn(
        "cvquiz",
        ["drill", "--deck", deck, *args],
        env=env,
        encoding="utf-8",
        dimensions=(24, 80),
        timeout=30,
    )


def db(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["CVQUIZ_COLLECTION"])


def schedule_of(env: dict[str, str], card_id: str) -> tuple[Any, ...]:
    with db(env) as conn:
        return conn.execute(
            "SELECT s.* FROM schedule s JOIN cards c ON c.pk = s.card_pk WHERE c.card_id = ?",
            (card_id,),
        ).fetchone()


def reviews(env: dict[str, str]) -> list[tuple[str, int]]:
    with db(env) as conn:
        return conn.execute(
            "SELECT c.card_id, r.rating FROM reviews r JOIN cards c ON c.pk = r.card_pk ORDER BY r.id"
        ).fetchall()


def test_recall_card_rated_good_in_a_terminal(deck_env: dict[str, str]) -> None:
    child = spawn(deck_env)
    child.expect("First question about w\\[b\\]")  # markup in card text is shown literally
    child.expect("σ|1/\\(1")  # LaTeX rendered as Unicode
    child.expect("show answer")
    child.send(" ")
    child.expect("First answer")
    child.expect("Because.")
    child.expect(r"Good\s+10m")  # the button shows the interval it would give
    child.send("3")
    child.expect("Second question")
    child.send("q")
    child.expect("Session summary")
    child.expect(r"Cards studied.*?│ +1 │")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews(deck_env) == [("alpha", 3)]
    assert schedule_of(deck_env, "alpha")[1] == 1  # learning


def test_undo_restores_the_exact_previous_state_and_shows_the_card_again(
    deck_env: dict[str, str],
) -> None:
    child = spawn(deck_env)
    child.expect("show answer")
    child.send("q")
    child.expect(pexpect.EOF)
    before = schedule_of(deck_env, "alpha")
    child = spawn(deck_env)
    child.expect("First question")
    child.send(" ")
    child.expect("Good")
    child.send("4")
    child.expect("Second question")
    child.send("u")
    child.expect("First question")  # the undone card is shown again
    child.send("q")
    child.expect(pexpect.EOF)
    assert reviews(deck_env) == []
    assert schedule_of(deck_env, "alpha") == before


def test_quit_and_ctrl_c_keep_every_rating(deck_env: dict[str, str]) -> None:
    child = spawn(deck_env)
    child.expect("First question")
    child.send(" ")
    child.expect("Good")
    child.send("1")
    child.expect("Second question")
    child.send(" ")
    child.expect("Good")
    child.send("3")
    child.expect("Third question")
    child.sendintr()
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews(deck_env) == [("alpha", 1), ("beta", 3)]


def test_kill_9_between_ratings_loses_nothing_already_rated(deck_env: dict[str, str]) -> None:
    child = spawn(deck_env)
    child.expect("First question")
    child.send(" ")
    child.expect("Good")
    child.send("3")
    child.expect("Second question")  # the next card is on screen: the rating is committed
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert reviews(deck_env) == [("alpha", 3)]
    assert schedule_of(deck_env, "alpha")[1] == 1


def run_lines(
    env: dict[str, str],
    lines: list[str],
    *args: str,
    now: str | None = None,
    deck: str = "mydrill",
) -> subprocess.CompletedProcess[str]:
    if now is not None:
        env = {**env, "CVQUIZ_NOW": now}
    return subprocess.run(
        ["cvquiz", "drill", "--deck", deck, *args],
        input="".join(line + "\n" for line in lines),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_line_mode_scripted_session(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["", "good", "", "1", "", "maybe", "4"])
    assert result.returncode == 0, result.stderr
    assert "could not read 'maybe' as a rating" in result.stderr
    assert reviews(deck_env) == [("alpha", 3), ("beta", 1), ("gamma", 4)]
    assert "Session summary" in result.stdout


def test_line_mode_json_and_end_of_input(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["", "3", ""], "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[:4] == ["card", "answer", "rated", "card"]
    assert events[0]["card"] == "mydrill/alpha" and events[0]["counts"]["new"] == 3
    assert events[2]["rating"] == 3
    assert kinds[-1] == "summary" and events[-1]["studied"] == 1
    assert events[-1]["due_tomorrow"] == 1  # the learning card rated Good, due again in ten minutes
    assert events[-1]["streak"] == 1
    assert reviews(deck_env) == [("alpha", 3)]


def test_line_mode_suspend_bury_and_undo(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["s", "b", "", "3", "u", "q"])
    assert result.returncode == 0, result.stderr
    assert reviews(deck_env) == []
    assert schedule_of(deck_env, "alpha")[9] == 1  # suspended
    assert schedule_of(deck_env, "beta")[10] is not None  # buried


def test_cards_come_back_when_the_scheduler_says(deck_env: dict[str, str]) -> None:
    day1 = "2026-03-02T09:00:00+00:00"
    # Day 1: learn alpha to review state with Easy; leave the others new.
    run_lines(deck_env, ["", "4"], "--new", "1", now=day1)
    with db(deck_env) as conn:
        due_ms = conn.execute(
            "SELECT s.due FROM schedule s JOIN cards c ON c.pk = s.card_pk WHERE c.card_id = 'alpha'"
        ).fetchone()[0]
    # The next day, with no new cards allowed this session: nothing is due yet; tomorrow's new cards wait.
    result = run_lines(deck_env, [], "--new", "0", now="2026-03-03T09:00:00+00:00")
    assert "Nothing due now. Next: 2 cards at 2026-03-04 04:00." in result.stdout
    # The day it is due, it comes back.
    from datetime import UTC, datetime

    due = datetime.fromtimestamp(due_ms / 1000, UTC)
    result = run_lines(deck_env, ["", "3"], "--new", "0", "--json", now=due.isoformat())
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "card" and events[0]["card"] == "mydrill/alpha"
    assert reviews(deck_env) == [("alpha", 4), ("alpha", 3)]


def test_nothing_due_says_when_and_exits_0(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, [], "--new", "0")
    assert result.returncode == 0
    assert "Nothing due now. Next: 3 cards at 2026-03-03 04:00." in result.stdout
    with db(deck_env) as conn:
        conn.execute("UPDATE schedule SET suspended = 1")
    result = run_lines(deck_env, [])
    assert result.returncode == 0
    assert "Nothing to study: no cards are due and no new cards are left." in result.stdout


COMPUTE_DECK = """\
deck: mycompute
name: Test::Compute
cards:
  - id: conv
    type: compute
    generator: conv2d_output_shape
    params: {batch: [1], channels: [3], size: [8], square: [true], out_channels: [8], kernel: [3],
             stride: [2], padding: [1], dilation: [1], groups: [1]}
"""
# floor((8 + 2*1 - 3) / 2) + 1 = 4, worked by hand: the answer is (1, 8, 4, 4).


@pytest.fixture
def compute_env(user_decks: Path, cvquiz_env: dict[str, str]) -> dict[str, str]:
    (user_decks / "mycompute.yaml").write_text(COMPUTE_DECK, encoding="utf-8")
    env = dict(os.environ)
    env.update(cvquiz_env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    return env


def compute_reviews(env: dict[str, str]) -> list[tuple[int, str, int, int | None]]:
    with db(env) as conn:
        return conn.execute(
            "SELECT rating, answer, correct, seed FROM reviews ORDER BY id"
        ).fetchall()


def test_compute_card_answered_right_in_a_terminal(compute_env: dict[str, str]) -> None:
    child = spawn(compute_env, deck="mycompute")
    child.expect("What is the output shape")
    child.expect("answer›")
    child.sendline("1x8x4x4")
    child.expect("correct")
    child.expect("worked solution")
    child.expect("enter: Good")
    child.send("\r")
    child.expect("answer›")  # a learning card comes back within the learn-ahead window
    child.sendline("q")
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    rating, answer, correct, seed = compute_reviews(compute_env)[0]
    assert (rating, answer, correct) == (3, "1x8x4x4", 1)
    assert seed is not None


def test_compute_card_unreadable_then_wrong_in_a_terminal(compute_env: dict[str, str]) -> None:
    child = spawn(compute_env, deck="mycompute")
    child.expect("answer›")
    child.sendline("four by four")
    child.expect("could not read")
    child.expect("answer›")  # asked again, not marked wrong
    child.sendline("(1, 8, 5, 5)")
    child.expect("wrong")
    child.expect(r"\(1, 8, 4, 4\)")  # the expected answer is shown
    child.expect("enter: Again")
    child.send("\r")
    child.expect("answer›")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert compute_reviews(compute_env)[0][:3] == (1, "(1, 8, 5, 5)", 0)


def test_compute_card_in_line_mode_with_override(compute_env: dict[str, str]) -> None:
    result = run_lines(compute_env, ["(1, 8, 4, 4)", "4"], "--json", deck="mycompute")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    answer = next(e for e in events if e["event"] == "answer")
    assert answer["correct"] is True and answer["expected"] == "(1, 8, 4, 4)"
    assert compute_reviews(compute_env)[0][:3] == (4, "(1, 8, 4, 4)", 1)


def test_where_and_help_keep_the_compute_card(compute_env: dict[str, str]) -> None:
    result = run_lines(compute_env, ["e", "?", "1,8,4,4", "", "q"], deck="mycompute")
    assert result.returncode == 0, result.stderr
    assert "mycompute/conv is defined at" in result.stderr and "mycompute.yaml:4" in result.stderr
    assert "undo the last rating" in result.stderr
    assert compute_reviews(compute_env)[0][:3] == (3, "1,8,4,4", 1)


def test_unknown_deck_is_an_error_with_a_suggestion(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, [], deck="mydril")
    assert result.returncode == 1
    assert "no deck 'mydril' (did you mean 'mydrill'?)" in result.stderr
    assert "Traceback" not in result.stderr
