"""What ``cvquiz check`` already found sound, so that it is not worked out again on every run.

Checking a deck is mostly drawing problems: every compute card has 20 problems drawn and judged, which takes
seconds for the bundled decks and far longer for a generated practice deck. The verdict depends only on what
is checked and on the code that checks it, so a verdict is kept under a key made of both:

- a **file** whose exact bytes passed every check (`file_key`): the next check of the same bytes costs a hash;
- a **compute card** whose generator, parameters and judging passed (`compute_key`): a thousand cards with the
  same parameters are checked once, and an edited deck re-checks only the cards whose parameters changed;
- a **code card** whose starter, model solution and judge passed (`code_key`): its solution is not run again.

The code's part of every key is a fingerprint of cvquiz's version and of its source files' sizes and
modification times (`code_fingerprint`), so a new release, or an edited generator in a checkout, checks
everything again. Only passes are kept: a problem is always found afresh, with its current message.

The cache is a small JSON file in the user's cache folder (``CVQUIZ_CACHE``); it is written atomically, read
leniently (a missing, old or damaged file is an empty cache) and never makes a command fail.

The bundled decks come with their verdicts (`shipped_verdict`): ``bundled_verdicts.json`` beside this module
lists the SHA-256 of each bundled deck file as shipped, with what its check found, written by
``scripts/gen_docs.py`` from a full check and kept current by ``gen_docs.py --check``; the test suite checks the
same files afresh with the same code. So a first ``cvquiz check`` after installing does not draw the bundled
decks' problems again, and a file whose bytes differ from the shipped ones (edited, or another release's) is
checked in full. ``--fresh`` trusts neither kind of verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_ENTRIES",
    "SHIPPED_VERDICTS",
    "VerdictCache",
    "code_fingerprint",
    "code_key",
    "compute_key",
    "file_key",
    "shipped_verdict",
]

MAX_ENTRIES = 20_000
"""The cache keeps at most this many verdicts (the newest): a few hundred kilobytes."""

_FILE_NAME = "check-verdicts.json"
_FORMAT = 1

SHIPPED_VERDICTS = Path(__file__).resolve().parent / "bundled_verdicts.json"
"""The verdicts of the bundled decks as shipped: ``{"format": 1, "files": {sha256: [deck, cards, study]}}``."""


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    try:
        data = json.loads(SHIPPED_VERDICTS.read_bytes())
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == _FORMAT else None
    return files if isinstance(files, dict) else {}


def shipped_verdict(data: bytes) -> list[Any] | None:
    """Return what the check of a bundled deck file found (deck id, cards, study cards), when ``data`` is exactly
    such a file as shipped with this cvquiz; None for any other bytes."""
    known = _shipped().get(hashlib.sha256(data).hexdigest())
    return known if isinstance(known, list) and len(known) == 3 else None


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Return a digest of cvquiz's version and of the size and modification time of each of its source files."""
    from cvquiz import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for root, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if not f.startswith((".", "__pycache__")))
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:32]


def file_key(data: bytes, bundled: bool = False) -> str:
    """Return the key of a deck file's verdict: its bytes (and whether it is bundled) under this code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(b"bundled:" if bundled else b"user:")
    digest.update(data)
    return "f:" + digest.hexdigest()[:40]


def compute_key(
    generator: str | None,
    params: Mapping[str, Any],
    decimals: int | None,
    tolerance: Mapping[str, float] | None,
) -> str:
    """Return the key of a compute card's verdict: what its problems are drawn and judged from."""
    blob = json.dumps(
        [code_fingerprint(), generator, params, decimals, tolerance], sort_keys=True, default=repr
    )
    return "c:" + hashlib.sha256(blob.encode()).hexdigest()[:40]


def code_key(data: Mapping[str, Any]) -> str:
    """Return the key of a code card's verdict: the card's fields its check reads (as plain data)."""
    blob = json.dumps([code_fingerprint(), data], sort_keys=True, default=repr)
    return "k:" + hashlib.sha256(blob.encode()).hexdigest()[:40]


class VerdictCache:
    """The verdicts kept between runs: each key that passed, with what the check reported of it (oldest first).

    Args:
        folder: the cache folder, or None for a cache that lives only as long as the process.
    """

    def __init__(self, folder: Path | None) -> None:
        self.path = None if folder is None else folder / _FILE_NAME
        self._passed: dict[str, Any] = {}
        self._changed = False
        self.trust_shipped = True
        """Whether the bundled decks' shipped verdicts count (`shipped_verdict`); `clear` turns it off."""
        if self.path is not None:
            self._passed = _read(self.path)

    def get(self, key: str) -> Any:
        """Return what was kept with ``key`` when it passed, or None when it is not known to have passed."""
        return self._passed.get(key)

    def clear(self) -> None:
        """Forget every verdict, the shipped ones included (``cvquiz check --fresh``); the next `save` keeps only
        those found after."""
        self._changed = self._changed or bool(self._passed)
        self._passed = {}
        self.trust_shipped = False

    def remember(self, key: str, facts: Any = True) -> None:
        """Record that ``key`` passed, with what the check reported (plain JSON data; not None)."""
        if self._passed.get(key) != facts:
            self._passed.pop(key, None)
            self._passed[key] = facts
            self._changed = True

    def save(self) -> None:
        """Write the verdicts back, if any is new (never raises: a cache that cannot be kept is not kept)."""
        if self.path is None or not self._changed:
            return
        from cvquiz.errors import CvquizError
        from cvquiz.fileio import atomic_write

        kept = dict(list(self._passed.items())[-MAX_ENTRIES:])
        data = json.dumps({"format": _FORMAT, "passed": kept}, separators=(",", ":"))
        try:
            atomic_write(self.path, data.encode())
        except (CvquizError, OSError):
            return
        self._changed = False


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return {}
    passed = data.get("passed")
    if not isinstance(passed, dict):
        return {}
    return {
        k: v for k, v in list(passed.items())[-MAX_ENTRIES:] if isinstance(k, str) and v is not None
    }
