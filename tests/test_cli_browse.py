"""``cvquiz search``, ``browse``, the bulk commands and ``undo`` as a person meets them: the browser in a real
pseudo-terminal, the commands through the installed ``cvquiz`` and in process."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from cvquiz.cli.app import app

runner = CliRunner()

DECK = """\
deck: mine
name: Mine
cards:
  - id: iou
    question: {zh: 什么是 IoU？, en: What is IoU?}
    answer: Intersection over union.
    tags: [mydet]
  - id: nms
    question: {zh: 什么是 NMS？, en: What does NMS do?}
    answer: Drops boxes that overlap a better one.
    tags: [mydet]
  - id: relu
    question: ReLU
    answer: max(0, x)
"""


@pytest.fixture
def deck(user_decks: Path) -> Path:
    path = user_decks / "mine.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def suspended(env: dict[str, str]) -> list[str]:
    conn = sqlite3.connect(env["CVQUIZ_COLLECTION"])
    rows = conn.execute(
        """SELECT c.card_id FROM cards c JOIN schedule s ON s.card_pk = c.pk
           WHERE s.suspended = 1 ORDER BY c.card_id"""
    )
    return [r[0] for r in rows]


# --- search ------------------------------------------------------------------------------------------------


def test_search_prints_a_line_per_card_and_a_count(deck: Path) -> None:
    result = runner.invoke(app, ["search", "deck:mine", "tag:mydet"])
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["mine/iou", "mine/nms"]
    assert result.stderr.strip() == "2 cards"
    result = runner.invoke(app, ["search", "deck:mine", "--json"])
    hits = json.loads(result.stdout)
    assert [h["ref"] for h in hits] == ["mine/iou", "mine/nms", "mine/relu"]
    assert (
        hits[0]["question"] == {"zh": "什么是 IoU？", "en": "What is IoU?"} and "pks" not in hits[0]
    )


def test_a_long_reference_is_printed_whole_and_shows_its_card(user_decks: Path) -> None:
    card = "temperature-hard-negatives-and-the-uniformity-of-the-embedding-space"
    (user_decks / "long.yaml").write_text(
        f"deck: self-supervised-long\nname: Long\ncards:\n  - id: {card}\n"
        "    question: What does the temperature do in a contrastive loss, for hard negatives?\n"
        "    answer: It sharpens the softmax.\n",
        encoding="utf-8",
    )
    ref = f"self-supervised-long/{card}"
    assert len(ref) > 80
    result = runner.invoke(app, ["search", "deck:self-supervised-long"], env={"COLUMNS": "80"})
    (line,) = result.stdout.splitlines()
    assert line.split()[0] == ref  # never cut: it is what show, edit and suspend take
    assert runner.invoke(app, ["show", line.split()[0]]).exit_code == 0


def test_a_cloze_row_reads_as_text(user_decks: Path) -> None:
    (user_decks / "cloze.yaml").write_text(
        "deck: cloze\nname: Cloze\ncards:\n  - id: ce-grad\n    type: cloze\n    question: "
        '"The gradient of cross-entropy on the logits is {{c1::$p - y$::a difference}}."\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["search", "card:ce-grad"])
    assert result.exit_code == 0, result.output
    assert "cloze/ce-grad  The gradient of cross-entropy on the logits is p − y." in result.stdout
    assert "{{" not in result.stdout and "a difference" not in result.stdout


def test_a_bad_query_is_one_error_line_with_the_column(deck: Path) -> None:
    result = runner.invoke(app, ["search", "deck:mine prop:lapse>1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: search: column 16: unknown property 'lapse' (did you mean 'lapses'?)"
    )
    result = runner.invoke(app, ["--lang", "zh", "search", "(iou"])
    assert "搜索：第 1 列" in result.stderr


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "prop:ivl>=99999999999999999999999999",
            "Error: search: column 11: prop:ivl compares with a number from 0 to 36500,"
            " not '99999999999999999999999999'",
        ),
        (
            "prop:d>1e308",
            "Error: search: column 8: prop:d compares with a number from 1 to 10, not '1e308'",
        ),
        (
            "(" * 2000,
            "Error: search: column 11: the search nests parentheses and '-' too deeply:"
            " at most 10 levels",
        ),
        (
            "a or " * 3000 + "a",
            "Error: search: column 2501: the search is too long: at most 500 terms",
        ),
        (
            "iou\\",
            "Error: search: column 4: a backslash escapes the character after it, and there is none"
            " (to find a backslash, write \\\\)",
        ),
    ],
)
def test_queries_sqlite_or_python_cannot_take_are_one_error_line(
    deck: Path, cvquiz_env: dict[str, str], query: str, error: str
) -> None:
    env = {**os.environ, **cvquiz_env}
    for command in (["search"], ["browse"], ["suspend", "--yes"]):
        done = subprocess.run(
            ["cvquiz", *command, query],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert (done.returncode, done.stderr.strip()) == (2, error), command
    assert suspended(cvquiz_env) == []
    done = subprocess.run(
        ["cvquiz", "--lang", "zh", "search", "a or " * 3000 + "a"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "错误：搜索：第 2501 列：搜索太长：最多 500 个条件"


def test_browse_without_a_terminal_prints_rows(deck: Path) -> None:
    result = runner.invoke(app, ["browse", "deck:mine"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["card", "state", "due", "ivl", "question"]
    assert [line.split()[0] for line in lines[1:]] == ["mine/iou", "mine/nms", "mine/relu"]
    result = runner.invoke(app, ["browse", "deck:mine", "--json"])
    assert len(json.loads(result.stdout)) == 3


# --- bulk actions and undo ----------------------------------------------------------------------------------


def test_a_query_that_matches_several_cards_needs_yes_without_a_terminal(
    deck: Path, cvquiz_env: dict[str, str]
) -> None:
    result = runner.invoke(app, ["suspend", "tag:mydet"])
    assert result.exit_code == 2
    assert "2 cards match 'tag:mydet'; add --yes" in result.stderr
    assert suspended(cvquiz_env) == []
    result = runner.invoke(app, ["suspend", "tag:mydet", "--yes"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "Suspended 2 review cards of 2 cards."
    assert suspended(cvquiz_env) == ["iou", "nms"]
    result = runner.invoke(app, ["undo"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Undid suspend tag:mydet (2 review cards), made 2026-03-02 09:00"
    )
    assert suspended(cvquiz_env) == []
    assert "nothing to undo" in runner.invoke(app, ["undo"]).stderr


def test_one_card_needs_no_confirmation(deck: Path, cvquiz_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["bury", "mine/relu"])
    assert (
        result.exit_code == 0
        and "Buried 1 review card of mine/relu until tomorrow." in result.stdout
    )
    result = runner.invoke(app, ["forget", "mine/relu", "--json"])
    assert json.loads(result.stdout)["review_cards"] == 1  # burying is undone by a forget too


def test_tag_add_and_remove_write_the_deck_file(deck: Path) -> None:
    result = runner.invoke(app, ["tag", "add", "exam", "deck:mine", "-y"])
    assert result.exit_code == 0, result.output
    assert "Tagged 3 cards with exam." in result.stdout
    text = deck.read_text(encoding="utf-8")
    assert text.count("exam") == 3 and "tags: [mydet, exam]" in text
    result = runner.invoke(app, ["tag", "remove", "exam", "mine/relu"])
    assert "Removed exam from 1 card." in result.stdout
    assert runner.invoke(app, ["undo"]).exit_code == 0
    assert runner.invoke(app, ["undo"]).exit_code == 0
    assert deck.read_text(encoding="utf-8") == DECK


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_a_bundled_decks_own_tag_stays_on_its_cards(cvquiz_env: dict[str, str]) -> None:
    env = {**os.environ, **cvquiz_env}
    done = subprocess.run(
        ["cvquiz", "tag", "remove", "losses", "losses/ce-setup"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.strip() == "Removed losses from 0 cards."
    assert done.stderr.startswith(
        "Left losses on 1 card: its deck gives it to every card (the tags: list of "
    )
    assert done.stderr.rstrip().endswith("losses.yaml): losses/ce-setup")
    done = subprocess.run(
        ["cvquiz", "search", "card:losses/ce-setup -tag:losses"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.stdout == "" and done.stderr.strip() == "No cards match."


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_a_tag_outside_the_rule_is_refused_where_a_person_adds_it(
    deck: Path, cvquiz_env: dict[str, str]
) -> None:
    env = {**os.environ, **cvquiz_env}
    rule = "letters, digits, '_' and '-' joined by '::', no spaces (and no '-' first)"
    for tag in ("x/y", "a*b", "(x)", "-neg"):
        done = subprocess.run(
            ["cvquiz", "tag", "add", "--", tag, "losses/ce-setup", "mine/iou"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert (done.returncode, done.stderr) == (1, f"Error: bad tag {tag!r}: {rule}\n")
        done = subprocess.run(
            ["cvquiz", "add", "--deck", "mine", "-q", "Q?", "-a", "A.", "--tag", tag],
            env=env,
            capture_output=True,
            text=True,
        )
        assert (done.returncode, done.stderr) == (1, f"Error: bad tag {tag!r}: {rule}\n")
    assert deck.read_text(encoding="utf-8") == DECK
    done = subprocess.run(["cvquiz", "undo"], env=env, capture_output=True, text=True)
    assert "nothing to undo" in done.stderr


def test_the_installed_command_asks_and_answers_in_chinese(
    deck: Path, cvquiz_env: dict[str, str]
) -> None:
    env = {**os.environ, **cvquiz_env}
    done = subprocess.run(
        ["cvquiz", "--lang", "zh", "suspend", "tag:mydet"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "有 2 张卡片匹配 'tag:mydet'" in done.stderr
    done = subprocess.run(
        ["cvquiz", "--lang", "zh", "suspend", "tag:mydet", "--yes"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.strip() == "已暂停 2 张复习卡（2 张卡片）。"


# --- the browser in a real terminal ---------------------------------------------------------------------------


@pytest.fixture
def term_env(deck: Path, cvquiz_env: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(cvquiz_env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        "cvquiz", [*args], env=env, encoding="utf-8", dimensions=(24, 80), timeout=30
    )


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_the_browser_moves_marks_acts_undoes_and_refines(term_env: dict[str, str]) -> None:
    child = spawn(term_env, "browse", "deck:mine")
    child.expect("3 cards")
    child.expect("q quit")
    child.send(" ")  # mark iou, move to nms
    child.expect("1 marked")
    child.send(" ")  # mark nms
    child.expect("2 marked")
    child.send("s")
    child.expect("Suspend 2 cards\\?")
    child.send("y")  # one key answers
    child.expect("Suspended 2 review cards of 2 cards.")
    assert suspended(term_env) == ["iou", "nms"]
    child.send("z")
    child.expect("Undid suspend")
    assert suspended(term_env) == []
    child.send("s")
    child.expect("Suspend 2 cards\\?")
    child.send("n")  # any key but y says no
    child.expect("q quit")
    assert suspended(term_env) == []
    child.send("/")
    child.expect("Search:")
    child.send("\x15deck:mine relu\r")  # ctrl-u clears the line
    child.expect("1 card")
    child.send("\r")  # open it
    child.expect("max\\(0, x\\)")
    child.send("x")  # back to the list
    child.expect("q quit")
    child.send("/")
    child.send("\x15prop:lapse>1\r")
    child.expect("unknown property 'lapse'")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_the_browser_speaks_chinese(term_env: dict[str, str]) -> None:
    child = spawn(term_env, "--lang", "zh", "browse", "tag:mydet")
    child.expect("2 张卡片")
    child.expect("什么是 IoU")
    child.send("t")
    child.expect("要添加的标签")
    child.send("考试\r")  # one card: no question asked
    child.expect("已为 1 张卡片添加标签 考试")
    child.send("q")
    child.expect(pexpect.EOF)
