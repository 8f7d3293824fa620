"""The terminal drill's header clock, in process: a redraw shows the time as it reads now."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cvquiz.cli import drill_terminal
from cvquiz.cli.drill_terminal import TerminalUI
from cvquiz.collection.queue import QueueCounts
from cvquiz.model import CardType
from cvquiz.study.ui import Progress
from cvquiz.study.view import CardView


def test_a_redraw_shows_the_clock_as_it_reads_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrolling or help redrew the header with the time the card was first drawn; it jumped back."""
    now = [1000.0]
    monkeypatch.setattr(drill_terminal.time, "monotonic", lambda: now[0])
    out = io.StringIO()
    console = Console(file=out, width=80, height=24, force_terminal=True, color_system=None)
    ui = TerminalUI(console, "en")
    view = CardView(
        pk=1,
        deck_id="mine",
        card_id="one",
        ord=0,
        type=CardType.BASIC,
        front="What is a stride?",
        back="The step of the kernel.",
        explanation=None,
        source=None,
        location="mine.yaml:3",
        tags=(),
        instance=None,
        seed=None,
        state=0,
    )
    ui.show_front(view, Progress(QueueCounts(new=1, learning=0, review=0), done=0, elapsed=5.0))
    assert "00:05" in out.getvalue()
    now[0] += 65.0
    out.seek(0)
    out.truncate()
    ui._note_front("help", "help text")  # what `?` does: the front is drawn again
    header = next(line for line in out.getvalue().splitlines() if "New" in line)
    assert header.rstrip().endswith("01:10"), header
