"""Another cvquiz writing (an ``import`` of 600,000 rows holds the write lock for half a minute) does not
stop the commands that only read: with no deck file changed, they take no write lock (the collection is in WAL
mode, so readers need not wait)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests._faults import cvquiz_command, run

DECK = """\
deck: mine
name: Mine
cards:
  - id: q1
    type: basic
    question: What does a 1x1 convolution change?
    answer: The number of channels.
"""


@pytest.fixture
def writer_holding_the_lock(user_decks: Path, cvquiz_env: dict[str, str]) -> Iterator[None]:
    """A collection synced once, then another connection holding its write lock (BEGIN IMMEDIATE)."""
    (user_decks / "mine.yaml").write_text(DECK, encoding="utf-8")
    first = run([cvquiz_command(), "status"])
    assert first.returncode == 0 and not first.stderr, first.stderr
    with closing(sqlite3.connect(cvquiz_env["CVQUIZ_COLLECTION"], isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")


@pytest.mark.slow
@pytest.mark.usefixtures("writer_holding_the_lock")
@pytest.mark.parametrize(
    "argv",
    [["status"], ["decks"], ["search", "convolution"], ["show", "mine/q1"], ["stats"]],
    ids=lambda argv: argv[0],
)
def test_reading_commands_do_not_wait_for_a_writer(argv: list[str]) -> None:
    # before, each waited the whole busy timeout (30 s) and failed with "the collection is busy"
    done = run([cvquiz_command(), *argv])
    assert done.returncode == 0, done.stderr
    assert "busy" not in done.stderr
