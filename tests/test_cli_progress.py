"""The progress bar: drawn on a terminal once the work is slow, never on a pipe or a dumb terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cvquiz.cli.progress import progress_bar


def _console(term: str, *, terminal: bool) -> tuple[Console, io.StringIO]:
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=terminal, width=80, _environ={"TERM": term})
    return console, sink


def _work(console: Console) -> None:
    with progress_bar(lambda: console, show_after=0) as progress:
        for done in range(0, 1001, 500):
            progress("Syncing cards", done, 1000)


def test_a_bar_on_a_terminal() -> None:
    console, sink = _console("xterm-256color", terminal=True)
    _work(console)
    assert "Syncing cards" in sink.getvalue()


@pytest.mark.parametrize(("term", "terminal"), [("dumb", True), ("xterm-256color", False)])
def test_no_bar_on_a_dumb_terminal_or_a_pipe(term: str, terminal: bool) -> None:
    console, sink = _console(term, terminal=terminal)
    _work(console)
    assert sink.getvalue() == ""


def test_the_console_is_not_made_for_quick_work() -> None:
    made: list[int] = []

    def factory() -> Console:
        made.append(1)
        return Console(file=io.StringIO())

    with progress_bar(factory, show_after=3600) as progress:
        progress("Syncing cards", 1, 2)
    assert made == []
