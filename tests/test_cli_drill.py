"""``cvquiz drill`` as a person meets it: the installed command in a real pseudo-terminal, and line mode."""

from __future__ import annotations

import json
import os
import re
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


def _default_sigint() -> None:
    # A test run started in the background by a shell inherits an ignored SIGINT, and Python keeps it
    # ignored: the drill must see Ctrl-C as a person's terminal delivers it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(env: dict[str, str], *args: str, deck: str = "mydrill") -> pexpect.spawn:
    return pexpect.spawn(
        "cvquiz",
        ["drill", "--deck", deck, *args],
        env=env,
        encoding="utf-8",
        dimensions=(24, 80),
        timeout=30,
        preexec_fn=_default_sigint,
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
    child.expect(r"Reviews.*?│ +1 \(1 card\) │")
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


def test_a_restore_from_another_terminal_keeps_every_later_rating_of_an_open_drill(
    deck_env: dict[str, str],
) -> None:
    def cvquiz(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["cvquiz", *args], env=deck_env, capture_output=True, text=True)

    assert cvquiz("status").returncode == 0  # the decks are in the collection, and so in the backup
    made = cvquiz("backups", "--now")
    assert made.returncode == 0, made.stderr
    child = spawn(deck_env)
    child.expect("First question")
    child.send(" ")
    child.expect("Good")
    child.send("3")
    child.expect("Second question")
    restored = cvquiz("restore", "1", "--yes")  # the backup from before alpha's rating
    assert restored.returncode == 0, restored.stderr
    assert reviews(deck_env) == []
    child.send(" ")
    child.expect("Good")
    child.send("3")  # beta, rated after the restore
    child.expect("question")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews(deck_env) == [("beta", 3)]
    # and alpha's rating is in the backup the restore made first
    (saved,) = Path(deck_env["CVQUIZ_COLLECTION"]).parent.glob("backups/*-before-restore.sqlite")
    with sqlite3.connect(saved) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (1,)


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
    child.expect("show answer")  # waiting for a key
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
    out = result.stdout
    # plain text: a clear front/back separator, and a confirmation after each rating
    assert "=== mydrill/alpha [basic]" in out and "--- answer ---" in out
    assert "rated Good: mydrill/alpha is due again in 10m" in out
    assert "rated Again: mydrill/beta is due again in 1m" in out  # as its button said, not 60s
    assert "rated Easy: mydrill/gamma is due again in" in out
    assert "Session summary" in out
    assert "1 learning card" not in out and "2 learning cards due in 1 min" in out
    assert "**" not in out and "$" not in out  # no Markdown or LaTeX markup in line mode


def test_line_mode_json_and_end_of_input(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["", "3", ""], "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[:4] == ["card", "answer", "rated", "card"]
    assert events[0]["card"] == "mydrill/alpha" and events[0]["counts"]["new"] == 3
    assert events[2]["rating"] == 3
    assert kinds[-1] == "summary" and events[-1]["reviews"] == 1
    # the learning card rated Good is due again in ten minutes: later today, not tomorrow
    assert events[-1]["due_later_today"] == 1 and events[-1]["next_learning_minutes"] == 10
    assert events[-1]["due_tomorrow"] == 0
    assert events[-1]["streak"] == 1
    assert reviews(deck_env) == [("alpha", 3)]


def test_line_mode_suspend_bury_and_undo(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["s", "b", "", "3", "u", "q"])
    assert result.returncode == 0, result.stderr
    assert reviews(deck_env) == []
    assert schedule_of(deck_env, "alpha")[9] == 1  # suspended
    assert schedule_of(deck_env, "beta")[10] is not None  # buried


def test_cvquiz_undo_takes_back_what_the_drill_did_last(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, ["s", "", "3", "q"])  # suspend alpha, rate beta Good
    assert result.returncode == 0, result.stderr
    assert reviews(deck_env) == [("beta", 3)]
    undo = subprocess.run(["cvquiz", "undo"], env=deck_env, capture_output=True, text=True)
    assert undo.returncode == 0, undo.stderr
    assert undo.stdout.startswith("Undid your rating (Good) of mydrill/beta")
    assert reviews(deck_env) == []
    undo = subprocess.run(["cvquiz", "undo"], env=deck_env, capture_output=True, text=True)
    assert undo.stdout.startswith("Undid suspend mydrill/alpha (1 review card)")
    assert schedule_of(deck_env, "alpha")[9] == 0  # unsuspended
    # the drill's own undo took its rating out of the log: cvquiz undo finds nothing left
    run_lines(deck_env, ["", "3", "u", "q"])
    assert reviews(deck_env) == []
    undo = subprocess.run(["cvquiz", "undo"], env=deck_env, capture_output=True, text=True)
    assert undo.returncode == 1 and "nothing to undo" in undo.stderr


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
    child.expect("worked solution")
    child.expect("✓ correct")  # the verdict sits just above the buttons
    child.expect("Enter: Good")
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
    child.expect("Enter: Again")
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
    assert "undo the last action" in result.stderr and "Enter on an empty line" in result.stderr
    assert compute_reviews(compute_env)[0][:3] == (3, "1,8,4,4", 1)


def test_unknown_deck_is_an_error_with_a_suggestion(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, [], deck="mydril")
    assert result.returncode == 1
    assert "no deck 'mydril' (did you mean 'mydrill'?)" in result.stderr
    assert "Traceback" not in result.stderr


# --- the terminal as a person sees it: the child's output through a VT100 screen of 80×24 ------------------


class Terminal:
    """What a person sees: everything the child wrote, played on an 80×24 VT100 screen (pyte)."""

    def __init__(self, child: pexpect.spawn) -> None:
        import pyte

        self.child = child
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.screen)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait(self, text: str, timeout: float = 20) -> str:
        """Read until ``text`` is on screen (and the screen is quiet); return the screen."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                self.stream.feed(self.child.read_nonblocking(1 << 16, timeout=0.3))
                continue
            except pexpect.TIMEOUT:
                if text in self.text():
                    return self.text()
            except pexpect.EOF:
                if text in self.text():
                    return self.text()
                raise AssertionError(f"{text!r} never showed; the screen:\n{self.text()}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed; the screen:\n{self.text()}")


AP_DECK = """\
deck: myap
name: Test::AP
cards:
  - {id: ap, type: compute, generator: voc_ap}
"""


def test_a_long_worked_solution_scrolls_and_the_buttons_stay_at_80x24(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    (user_decks / "myap.yaml").write_text(AP_DECK, encoding="utf-8")
    env = {**os.environ, **cvquiz_env, "TERM": "xterm-256color", "CVQUIZ_SEED": "3"}
    term = Terminal(spawn(env, deck="myap"))
    term.wait("type the answer")  # the detections are taller than the screen: they scroll first
    term.child.send("\r")
    term.wait("answer›")
    term.child.sendline("")  # Enter: I don't know
    screen = term.wait("Enter: Again")
    lines = term.lines()
    assert lines[0].startswith("New 1 · Learning 0 · Review 0")  # the header is still on top
    last = max(i for i, line in enumerate(lines) if line)
    assert lines[last].startswith("Enter: Again   space: more")  # the keys on the last line used
    assert lines[last - 1].startswith("1  Again 1m") or "Again 1m" in lines[last - 1]
    assert lines[last - 2].startswith("? no answer · expected ")  # the verdict above the buttons
    assert "lines 1–" in screen
    term.child.send("j")
    seen = [term.wait("lines 2–")]
    while "space: more" in term.text():  # space pages down to the end of the solution
        term.child.send(" ")
        term.wait("Enter: Again")
        assert term.text() != seen[-1]
        seen.append(term.text())
        assert len(seen) < 20
    assert any("worked solution" in page for page in seen)
    assert "Answer:" in term.text() and "1  Again" in term.text()
    term.child.send("\r")  # Enter: the proposed Again
    term.wait("answer›")
    term.child.sendline("q")
    term.wait("Session summary")
    with db(env) as conn:
        assert conn.execute("SELECT rating, answer, correct FROM reviews").fetchall() == [
            (1, None, 0)
        ]


TALL_DECK = """\
deck: mytall
name: Test::Tall
cards:
  - {id: seg, type: compute, generator: segmentation_iou}
"""


def test_a_question_taller_than_80x24_scrolls_and_the_header_stays(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    (user_decks / "mytall.yaml").write_text(TALL_DECK, encoding="utf-8")
    env = {**os.environ, **cvquiz_env, "TERM": "xterm-256color", "CVQUIZ_SEED": "1"}
    term = Terminal(spawn(env, deck="mytall"))
    screen = term.wait("type the answer")
    lines = term.lines()
    # the header is on top, not scrolled off
    assert lines[0].startswith("New 1 · Learning 0 · Review 0")
    assert "lines 1–" in screen and "Evaluating a semantic segmentation" in screen
    assert "What is" not in screen  # the question's end is below the window...
    term.child.send(" ")
    screen = term.wait("of 2")  # ...and space pages down to it
    assert "What is" in screen and term.lines()[0].startswith("New 1")
    term.child.send("0")  # a key that is not a scroll key starts the answer with it
    screen = term.wait("answer› 0")
    assert term.lines()[0].startswith("New 1")
    term.child.sendline(".5")
    screen = term.wait("Enter: Again")
    assert "expected" in screen
    term.child.send("\r")
    term.child.sendline("q")
    term.wait("Session summary")
    with db(env) as conn:
        assert conn.execute("SELECT answer FROM reviews").fetchall() == [("0.5",)]


def test_a_resized_terminal_gets_the_screen_again_drawn_to_fit(deck_env: dict[str, str]) -> None:
    """A resize left the question panel at its old width (its border cut off) until the next key."""
    import pyte

    # the terminal's own size, not COLUMNS/LINES (rich takes those as fixed)
    env = {k: v for k, v in deck_env.items() if k not in ("COLUMNS", "LINES")}
    term = Terminal(spawn(env))
    term.wait("space: show answer")
    assert any(line.endswith("╮") and len(line) == 80 for line in term.lines())
    term.screen = pyte.Screen(50, 24)  # what the person sees from now on: a narrower terminal
    term.stream = pyte.Stream(term.screen)
    term.child.setwinsize(24, 50)
    screen = term.wait("space: show answer")  # drawn again without a key
    panel = next(line for line in term.lines() if "╮" in line)
    assert panel.endswith("╮") and len(panel) <= 50, screen
    term.child.send(" ")
    term.wait("Enter: Good")
    term.screen = pyte.Screen(70, 24)
    term.stream = pyte.Stream(term.screen)
    term.child.setwinsize(24, 70)
    screen = term.wait("Enter: Good")  # the back too
    assert "Again" in screen and term.lines()[0].startswith("New"), screen
    term.child.send("q")
    term.wait("Session summary")


def test_the_status_line_reports_each_action_and_undo(deck_env: dict[str, str]) -> None:
    term = Terminal(spawn(deck_env))
    term.wait("show answer")
    term.child.send("s")
    term.wait("Second question")
    assert term.lines()[1] == "Suspended mydrill/alpha · u: undo"  # under the header
    term.child.send("b")
    term.wait("Third question")
    assert term.lines()[1] == "Buried mydrill/beta until tomorrow · u: undo"
    term.child.send("u")
    term.wait("Second question")
    assert term.lines()[1] == "Unburied mydrill/beta"
    term.child.send("u")
    term.wait("First question")
    assert term.lines()[1] == "Unsuspended mydrill/alpha"
    term.child.send("u")
    term.wait("Nothing to undo")
    assert term.lines()[1] == "Nothing to undo"
    term.child.send("q")
    term.wait("Session summary")
    assert schedule_of(deck_env, "alpha")[9] == 0 and schedule_of(deck_env, "beta")[10] is None


@pytest.mark.parametrize("term_name", ["dumb", "xterm-256color"])
def test_no_color_and_a_dumb_terminal_keep_the_layout(
    deck_env: dict[str, str], term_name: str
) -> None:
    env = {**deck_env, "TERM": term_name, "NO_COLOR": "1"}
    term = Terminal(spawn(env))
    term.wait("show answer")
    lines = term.lines()
    assert lines[0].startswith("New 3 · Learning 0 · Review 0")
    assert lines[1].startswith("─") and lines[1].endswith("0/3")  # the progress line, on its own
    assert lines[2].startswith("╭") and lines[2].endswith("╮")  # the card's border below it
    term.child.send(" ")
    term.wait("Good 10m")
    assert "1  Again 1m" in term.text()
    term.child.send("q")
    term.wait("Session summary")


def test_unknown_tag_is_an_error_with_the_closest_tag(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    deck = DECK.replace(
        "    explanation: Because.\n", "    explanation: Because.\n    tags: [losses]\n"
    )
    (user_decks / "mydrill.yaml").write_text(deck, encoding="utf-8")
    env = {**os.environ, **cvquiz_env}
    result = run_lines(env, [], "--tag", "loses")
    assert result.returncode == 1
    assert "no card has the tag 'loses' (did you mean 'losses'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_custom_study_from_the_command_line(deck_env: dict[str, str]) -> None:
    day1 = "2026-03-02T09:00:00+00:00"
    day2 = "2026-03-03T09:00:00+00:00"
    # day 1: alpha Easy (review in days), beta Again then Easy (forgotten today), gamma left new
    run_lines(deck_env, ["", "4", "", "1", "", "4"], "--new", "2", now=day1)
    assert reviews(deck_env) == [("alpha", 4), ("beta", 1), ("beta", 4)]
    # day 2: nothing is due; --ahead brings the review cards due within 30 days, each once
    result = run_lines(
        deck_env, ["", "3", "", "3", ""], "--ahead", "30", "--new", "0", "--json", now=day2
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    shown = [e["card"] for e in events if e["event"] == "card"]
    assert sorted(shown) == ["mydrill/alpha", "mydrill/beta"]  # each once, soonest due first
    # --forgotten: only beta was rated Again (in the last 2 days); no new cards
    result = run_lines(deck_env, ["", "3"], "--forgotten", "2", "--json", now=day2)
    cards = [json.loads(line)["card"] for line in result.stdout.splitlines() if '"card"' in line]
    assert cards[0] == "mydrill/beta" and "mydrill/gamma" not in cards
    # --extra-new: today's limit of 0 (a setting) is raised once
    config = Path(deck_env["CVQUIZ_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("new_per_day = 0\n", encoding="utf-8")
    result = run_lines(deck_env, [], "--json", now=day2)
    assert json.loads(result.stdout.splitlines()[0])["event"] == "done"
    result = run_lines(deck_env, ["", "3"], "--extra-new", "1", "--json", now=day2)
    assert json.loads(result.stdout.splitlines()[0])["card"] == "mydrill/gamma"
    # --cram: any selection (here: the cards in review), due or not; logged as cram, the schedule unchanged
    before = [schedule_of(deck_env, c) for c in ("alpha", "beta")]
    result = run_lines(deck_env, ["", "1", "q"], "--cram", "--state", "review", "--json", now=day2)
    events = [json.loads(line) for line in result.stdout.splitlines()]
    rated = next(e for e in events if e["event"] == "rated")
    assert rated["cram"] is True and rated["due"] is None
    assert events[0]["card"] in ("mydrill/alpha", "mydrill/beta")
    assert [schedule_of(deck_env, c) for c in ("alpha", "beta")] == before
    with db(deck_env) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reviews WHERE cram = 1").fetchone() == (1,)
    result = run_lines(deck_env, [], "--state", "old")
    assert result.returncode == 2 and "unknown card state 'old'" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "largest"),
    [
        ("--new", "99999999999999999999999", "9999"),
        ("--extra-new", "9223372036854775807", "9999"),
        ("--ahead", "3000000", "3650"),
        ("--forgotten", "1000000", "3650"),
    ],
)
def test_a_numeric_option_too_large_is_a_usage_error(
    deck_env: dict[str, str], option: str, value: str, largest: str
) -> None:
    """Numbers SQLite or a date cannot hold were a traceback; each option now names its largest value."""
    result = run_lines(deck_env, [], option, value)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    text = " ".join(result.stderr.replace("│", " ").split())
    assert f"'{option}'" in text and f"largest allowed value, {largest}" in text


@pytest.mark.parametrize("seed", ["abc", "１２", "-1"])
def test_a_seed_that_is_no_whole_number_is_a_usage_error(
    deck_env: dict[str, str], seed: str
) -> None:
    """CVQUIZ_SEED was ignored when it was not digits: a session meant to replay did not."""
    result = run_lines({**deck_env, "CVQUIZ_SEED": seed}, ["", "3"])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"CVQUIZ_SEED: expected a whole number, not '{seed}'" in result.stderr


def test_order_option_and_setting(deck_env: dict[str, str]) -> None:
    result = run_lines(deck_env, [], "--order", "shuffled")
    assert result.returncode == 2 and "--order must be interleave, deck or random" in result.stderr
    result = run_lines(deck_env, ["q"], "--order", "random", "--json")
    first = json.loads(result.stdout.splitlines()[0])
    again = json.loads(
        run_lines(deck_env, ["q"], "--order", "random", "--json").stdout.splitlines()[0]
    )
    assert first["card"] == again["card"]  # the same order all day


@pytest.mark.parametrize("width", [80, 120])
def test_chinese_text_wraps_by_display_width(tmp_path: Path, width: int) -> None:
    """A long Chinese front and back fill each line by cells (two per character), never past the edge."""
    import io
    import random as stdlib_random
    from datetime import UTC, datetime

    from rich.cells import cell_len
    from rich.console import Console

    from cvquiz.cli.drill_terminal import TerminalUI
    from cvquiz.collection import Collection
    from cvquiz.config import Settings
    from cvquiz.i18n import set_language
    from cvquiz.study import Reveal, Session

    text = "卷积神经网络通过局部连接和权值共享大大减少了参数数量，" * 12
    deck = tmp_path / "decks"
    deck.mkdir()
    (deck / "zh.yaml").write_text(
        f"deck: zh\nname: 中文\ncards:\n  - {{id: a, question: {{zh: '{text}'}}, answer: {{zh: '{text}'}}}}\n",
        encoding="utf-8",
    )
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    set_language("zh")
    try:
        with Collection.open(tmp_path / "c.sqlite") as col:
            col.sync_decks(tmp_path / "none", deck, now)
            session = Session(col, Settings(), lambda: now, lang="zh", rng=stdlib_random.Random(0))
            view = session.next()
            assert view is not None
            out = io.StringIO()
            console = Console(file=out, width=width, height=60, force_terminal=False)
            ui = TerminalUI(console, "zh")
            from cvquiz.study import Progress

            ui.show_front(view, Progress(session.counts(), 0, 0.0))
            ui.show_back(view, Reveal(), session.buttons(view))
    finally:
        set_language("en")
    lines = out.getvalue().splitlines()
    inner = [line for line in lines if line.startswith("│ ") and "卷积" in line]
    assert len(inner) >= 4
    for line in lines:
        assert cell_len(line) <= width
    # no half-empty lines: each wrapped line is full to within one character (2 cells), but for the last
    # line of the question and of the answer
    body = [cell_len(line.rstrip("│").rstrip()) for line in inner]
    full = width - 2  # the panel's border and padding: "│ " ... " │"
    assert sum(cells < full - 2 for cells in body) <= 2, body


def test_the_drill_speaks_chinese(deck_env: dict[str, str]) -> None:
    result = subprocess.run(
        ["cvquiz", "--lang", "zh", "drill", "--deck", "mydrill"],
        input="?\n\n3\ns\nu\nq\n",
        env=deck_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out, err = result.stdout, result.stderr
    assert "第一个问题" in out and "第一个答案" in out  # the card in Chinese
    for zh in (
        "--- 答案 ---",
        "1 重来 1分钟",
        "3 良好 10分钟",
        "已评 良好",
        "本次小结",
        "复习次数",
    ):
        assert zh in out, zh
    for zh in ("空格/回车    看答案", "已暂停 mydrill/beta", "已取消暂停 mydrill/beta"):
        assert zh in err, zh
    for english in ("Again", "Good", "answer", "rated", "Session summary", "Suspended", "undo"):
        assert english not in out + err, english


def test_keys_typed_ahead_are_each_read(deck_env: dict[str, str]) -> None:
    child = spawn(deck_env)
    child.expect("show answer")
    child.send(" 3 1")  # reveal, Good, reveal, Again, typed faster than the screens are drawn
    child.expect("Third question")
    child.send("q")
    child.expect(pexpect.EOF)
    assert reviews(deck_env) == [("alpha", 3), ("beta", 1)]


# --- code cards ---------------------------------------------------------------------------------------------

CODE_DECK = '''\
deck: mycode
name: Test::Code
cards:
  - id: rev
    type: code
    question: {zh: 写出 reverse_rows(a)：各行倒序的新数组。, en: "Write reverse_rows(a): the rows reversed, as a new array."}
    starter: |
      import numpy as np


      def reverse_rows(a):
          """The rows of a 2-D array in reverse order, as a new array."""
    judge: {reference: reverse_rows, inputs: matrix}
    solution: |
      def reverse_rows(a):
          return a[::-1].copy()
  - {id: after, question: The card after it, answer: Its answer}
'''
CODE_VIEW = "def reverse_rows(a):\n    return a[::-1]\n"
CODE_RIGHT = "def reverse_rows(a):\n    return a[::-1].copy()\n"

FAKE_EDITOR = """\
import pathlib, sys
state = pathlib.Path(sys.argv[1])
texts = {texts!r}
n = int(state.read_text()) if state.exists() else 0
pathlib.Path(sys.argv[-1]).write_text(texts[min(n, len(texts) - 1)])
state.write_text(str(n + 1))
"""


@pytest.fixture
def code_env(user_decks: Path, cvquiz_env: dict[str, str]) -> dict[str, str]:
    (user_decks / "mycode.yaml").write_text(CODE_DECK, encoding="utf-8")
    env = dict(os.environ)
    env.update(cvquiz_env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def fake_editor(tmp_path: Path, *texts: str) -> str:
    """An $EDITOR that writes the next of ``texts`` into the file it is given."""
    import shlex
    import sys

    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR.format(texts=list(texts)), encoding="utf-8")
    return shlex.join([sys.executable, str(script), str(tmp_path / "editor-state")])


def code_attempts(env: dict[str, str]) -> list[tuple[str, str, int]]:
    with db(env) as conn:
        return conn.execute("SELECT source, code, passed FROM code_attempts ORDER BY id").fetchall()


@pytest.mark.slow
def test_a_code_card_in_a_terminal_with_an_editor(code_env: dict[str, str], tmp_path: Path) -> None:
    env = {**code_env, "EDITOR": fake_editor(tmp_path, CODE_VIEW, CODE_RIGHT)}
    child = spawn(env, deck="mycode")
    child.expect("Write reverse_rows")
    child.expect("Enter/e: edit in")
    child.send("\r")  # the editor writes a view of the argument: it fails
    child.expect("judging: case \\d+ of \\d+")  # the progress line
    child.expect("attempt 1")
    child.expect("model solution")
    child.expect("failed \\d+ of \\d+ cases")
    child.expect("Enter: Again")
    child.expect("e: edit again")
    child.send("e")  # the fix
    child.expect("Opening ")
    assert "q: quit" not in child.before.splitlines()[-1]  # the note starts its own line
    child.expect("passed all \\d+ cases")
    child.expect("attempt 2")
    child.expect("Enter: Hard")
    child.send("\r")
    child.expect("The card after it")
    child.send("q")
    child.expect("Session summary")
    child.expect(r"Code passed.*?1/1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews(env) == [("rev", 2)]
    assert code_attempts(env) == [("drill", CODE_VIEW, 0), ("drill", CODE_RIGHT, 1)]
    shown = subprocess.run(
        ["cvquiz", "show", "mycode/rev"], env=env, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    assert "Attempts" in shown.stdout and "drill" in shown.stdout
    assert "a[::-1].copy()" in shown.stdout  # the latest attempt's code


@pytest.mark.slow
def test_a_code_card_in_a_terminal_without_an_editor_takes_a_path(
    code_env: dict[str, str], tmp_path: Path
) -> None:
    right = tmp_path / "right.py"
    right.write_text(CODE_RIGHT, encoding="utf-8")
    env = {**code_env, "VISUAL": "no-such-editor-cvquiz"}
    child = spawn(env, deck="mycode")
    child.expect("No editor found")
    child.expect("cvquiz try mycode/rev FILE.py")
    child.sendline(str(right))
    child.expect("passed all \\d+ cases")
    child.expect("Enter: Good")
    child.send("\r")
    child.expect("The card after it")
    child.send("q")
    child.expect(pexpect.EOF)
    assert reviews(env) == [("rev", 3)]
    assert code_attempts(env) == [("drill", CODE_RIGHT, 1)]


@pytest.mark.slow
def test_line_mode_code_card_answers_with_a_file(code_env: dict[str, str], tmp_path: Path) -> None:
    view, right = tmp_path / "view.py", tmp_path / "right.py"
    view.write_text(CODE_VIEW, encoding="utf-8")
    right.write_text(CODE_RIGHT, encoding="utf-8")
    result = run_lines(code_env, [str(view), "e", str(right), "", "q"], deck="mycode")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "=== mycode/rev [code]" in out
    assert "starter code:" in out and 'def reverse_rows(a):\n    """The rows' in out
    assert (
        "outside the drill: cvquiz try mycode/rev FILE.py" in out
    )  # how to answer without the drill
    assert "✗ failed" in out and "attempt 1" in out and "model solution:" in out
    assert "✓ passed all" in out and "attempt 2" in out
    assert "rated Hard: mycode/rev" in out
    assert reviews(code_env) == [("rev", 2)]
    assert code_attempts(code_env) == [("drill", CODE_VIEW, 0), ("drill", CODE_RIGHT, 1)]


def test_a_cram_session_says_so_in_the_header(deck_env: dict[str, str]) -> None:
    term = Terminal(spawn(deck_env, "--cram"))
    term.wait("show answer")
    assert "cram: the schedule stays as it is" in term.lines()[0]
    term.child.send("q")
    term.wait("Session summary")
    plain = Terminal(spawn(deck_env))
    plain.wait("show answer")
    assert "cram" not in plain.lines()[0]
    plain.child.send("q")
    plain.wait("Session summary")


def test_help_on_the_front_replaces_itself_and_the_header_stays(deck_env: dict[str, str]) -> None:
    """``?`` on a card's front shows the keys below the question, redrawn: pressed again it goes away, and
    ``e`` (where the card is defined) takes its place rather than piling up under it."""
    term = Terminal(spawn(deck_env))
    term.wait("space: show answer")
    term.child.send("?")
    screen = term.wait("keys")
    assert term.lines()[0].startswith("New 3 · Learning 0 · Review 0")
    assert screen.count("╭─ keys") == 1 and "First question" in screen
    term.child.send("?")  # again: the help goes, the question stays
    term.wait("space: show answer")
    import time

    time.sleep(0.5)
    term.wait("space: show answer")
    screen = term.text()
    assert "╭─ keys" not in screen and "First question" in screen
    assert term.lines()[0].startswith("New 3")
    term.child.send("?")
    term.wait("╭─ keys")
    term.child.send("e")  # the first key after help takes it away; e then says where the card is
    screen = term.wait("is defined at")
    assert "╭─ keys" not in screen and screen.count("space: show answer") == 1
    assert term.lines()[0].startswith("New 3")
    term.child.send(" ")
    term.wait("Enter: Good")
    term.child.send("q")
    term.wait("Session summary")


def test_a_code_cards_help_and_hints_are_redrawn_and_its_keys_fit_80_columns(
    code_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**code_env, "EDITOR": fake_editor(tmp_path, CODE_RIGHT)}
    term = Terminal(spawn(env, deck="mycode"))
    term.wait("Enter/e: edit in")
    term.child.send("?")
    screen = term.wait("╭─ keys")
    assert "save and quit to judge" in screen  # one line of the panel, not wrapped at 80 columns
    term.child.send("h")  # the first key after help takes it away; h asks for a hint
    screen = term.wait("no hints")
    term.child.send("h")
    import time

    time.sleep(0.5)
    screen = term.wait("no hints")
    assert "╭─ keys" not in screen and screen.count("This card has no hints.") == 1
    assert screen.count("Enter/e: edit in") == 1 and term.lines()[0].startswith("New 2")
    term.child.send(" ")  # no attempt: the model solution
    term.wait("Enter: Again")
    keys = [line for line in term.lines() if line.startswith("Enter: Again")]
    assert keys and keys[-1].endswith("q: quit")  # not cut with an ellipsis
    term.child.send("q")
    term.wait("Session summary")


def test_line_mode_giving_up_says_so_once(user_decks: Path, cvquiz_env: dict[str, str]) -> None:
    (user_decks / "myap.yaml").write_text(AP_DECK, encoding="utf-8")
    env = {**os.environ, **cvquiz_env, "CVQUIZ_SEED": "3"}
    result = run_lines(env, ["", "1"], deck="myap")
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("no answer")]
    assert line.startswith("no answer — expected ") and line.count("no answer") == 1


def test_on_the_back_help_toggles_and_a_long_location_is_shown_whole(
    deck_env: dict[str, str],
) -> None:
    term = Terminal(spawn(deck_env))
    term.wait("space: show answer")
    term.child.send(" ")
    term.wait("Enter: Good")
    term.child.send("?")
    term.wait("╭─ keys")
    term.child.send("?")  # again: the help goes and nothing is rated
    import time

    time.sleep(0.5)
    screen = term.wait("Enter: Good")
    assert "╭─ keys" not in screen and "First answer" in screen
    term.child.send("e")
    screen = term.wait("is defined at")
    where = "".join(line.strip() for line in term.lines() if line.strip())  # wrapped lines
    assert re.search(r"mydrill\.yaml:\d+", where), screen  # the file and line, not cut off
    assert "Enter: Good" in screen  # the buttons stay
    term.child.send("q")
    term.wait("Session summary")
    assert reviews(deck_env) == []


def test_the_header_clock_ticks_while_a_key_is_awaited(deck_env: dict[str, str]) -> None:
    term = Terminal(spawn(deck_env))
    term.wait("space: show answer")
    assert term.lines()[0].endswith("00:00")
    import time

    deadline = time.monotonic() + 15
    while not re.search(r"00:0[1-9]$", term.lines()[0]) and time.monotonic() < deadline:
        term.wait("space: show answer")  # reads what the child wrote meanwhile
    assert re.search(r"00:0[1-9]$", term.lines()[0]), term.text()
    assert term.lines()[2].startswith("╭")  # the clock was written in place: nothing else moved
    assert term.screen.cursor.y > 2  # and the cursor went back where it was
    term.child.send("q")
    term.wait("Session summary")
