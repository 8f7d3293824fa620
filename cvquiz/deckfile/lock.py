"""The write lock of a decks folder: one cvquiz at a time reads, changes and writes a deck file in it.

``cvquiz add``, ``import`` and ``edit`` hold it from reading a deck file to replacing it, so two of them at
once never lose each other's cards (the second reads what the first wrote). It is an advisory ``flock`` on the
folder itself, so no lock file appears among the user's decks, and the system drops it if cvquiz dies. Where
``flock`` does not exist (Windows) no lock is taken; new files are still created exclusively and a changed file
is still refused (`cvquiz.deckfile.writer`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cvquiz.errors import DeckError
from cvquiz.fileio import folder_lock
from cvquiz.i18n import _

__all__ = ["LOCK_TIMEOUT", "decks_folder_lock"]

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another cvquiz to finish writing before giving up (and saying to try again)."""


@contextmanager
def decks_folder_lock(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the folder's write lock for the block (the folder is created if needed).

    Raises:
        DeckError: when another cvquiz holds it for longer than ``timeout`` seconds, or the folder cannot
            be created.
    """
    with folder_lock(
        folder,
        timeout,
        busy=_(
            "{path}: another cvquiz is writing to this decks folder; nothing was written, try again"
        ),
        unopenable=_("{path}: cannot open the decks folder: {reason}"),
        error=DeckError,
    ):
        yield
