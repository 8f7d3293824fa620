"""Progress of long work, reported by the library through a callback and drawn by the command line.

Import, check, export, optimize and sync take a `Progress` and call it as the work advances:
``progress(stage, done, total)``, where ``stage`` is a short label in the current language ("Checking notes").
The CLI draws a bar on stderr when it is a terminal; tests pass a list's ``append``-like recorder; the default,
`no_progress`, does nothing.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["REPORT_EVERY", "Progress", "no_progress"]

REPORT_EVERY = 500
"""Loops over cards report once per this many (and at their end), so reporting costs nothing measurable."""


class Progress(Protocol):
    """Told how far a piece of work has come."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` units of ``stage`` are finished."""


def no_progress(stage: str, done: int, total: int) -> None:
    """A `Progress` that ignores every report."""
