"""A deck file as cvquiz just wrote it: the deck it holds, and the file's fingerprint at that moment.

The writer returns one (`cvquiz.deckfile.writer`); deck sync takes it instead of parsing the file again, as
long as the file's size and modification time are still the ones recorded here.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cvquiz.model import Deck

__all__ = ["WrittenDeck"]


@dataclass(frozen=True)
class WrittenDeck:
    """A deck file just written, and what it holds.

    Attributes:
        path: the file.
        deck: the deck it holds, exactly as the loader would read it (lines and columns included).
        mtime_ns: the file's modification time when written.
        size: its size in bytes.
        digest: the SHA-256 of its bytes (hex).
    """

    path: Path
    deck: Deck
    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, path: Path, deck: Deck, data: bytes, stat: os.stat_result) -> WrittenDeck:
        """Record a file written with ``data``, whose ``stat`` was taken right after the write."""
        return cls(path, deck, stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())

    @property
    def fingerprint(self) -> tuple[int, int, str]:
        """``(mtime_ns, size, digest)``, as the collection records deck files."""
        return self.mtime_ns, self.size, self.digest
