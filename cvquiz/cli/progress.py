"""Progress bars on stderr: the one way the command line draws the `cvquiz.progress.Progress` reports.

A bar is drawn only when stderr is a terminal that can move its cursor back (not ``TERM=dumb``), and only once
the work has run for half a second, so quick commands and piped output stay clean. One line shows the current stage, how far it is, and the time left.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cvquiz.progress import Progress

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["SHOW_AFTER", "progress_bar"]

SHOW_AFTER = 0.5
"""Seconds of work before a bar appears."""


@contextmanager
def progress_bar(
    console: Console | Callable[[], Console], show_after: float = SHOW_AFTER
) -> Iterator[Progress]:
    """Yield a `Progress` that draws a bar on ``console`` (stderr) while the block runs.

    Args:
        console: where to draw, or a function that makes it (called only once a bar is due, so a quick
            command never creates rich's console); nothing is drawn when it is not a terminal.
        show_after: seconds before the bar appears (0 in tests that look for it).
    """
    started = time.monotonic()
    state: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if "off" in state:
            return
        bar = state.get("bar")
        if bar is None:
            if time.monotonic() - started < show_after:
                return
            target = console() if callable(console) else console
            if not target.is_terminal or target.is_dumb_terminal:
                # a dumb terminal cannot move the cursor back: a bar would leave its lines behind
                state["off"] = True
                return
            from rich.markup import escape
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=target,
                transient=True,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task(escape(stage), total=total or None)
            state["stage"] = stage
        task = state["task"]
        if stage != state["stage"]:
            from rich.markup import escape

            bar.reset(task, total=total or None, description=escape(stage))
            state["stage"] = stage
        bar.update(task, completed=done, total=total or None)

    try:
        yield report
    finally:
        if "bar" in state:
            state["bar"].stop()
