"""Finding deck files: the one place that decides which files in a folder are decks.

A deck file is a regular file named ``*.yaml`` or ``*.yml``. Hidden files and everything under a hidden folder
(``.git/``, ``.github/workflows/*.yml``, an editor's ``.swp`` or cvquiz's own ``.NAME.tmp`` files) are not
decks, so a decks folder kept in git syncs only its decks. The bundled decks are the top level of their folder;
the user's decks folder is searched recursively. Nothing here parses YAML: sync asks for the files on every
command, and YAML is imported only when a file changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from cvquiz.errors import DeckProblems

DECK_SUFFIXES = (".yaml", ".yml")
_DECK_LINE_RE = re.compile(
    r"^\ufeff?deck:[ \t]*['\"]?([a-z0-9][a-z0-9_/-]*)['\"]?[ \t]*(?:#.*)?$", re.M
)


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def deck_files(folder: Path, *, recursive: bool = True) -> list[Path]:
    """Return the deck files of a folder, sorted (an absent folder has none).

    Args:
        folder: the folder.
        recursive: search sub-folders too (the user's decks folder); False for the bundled decks.
    """
    if not folder.is_dir():
        return []
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(
        p for p in found if p.suffix in DECK_SUFFIXES and _visible(p, folder) and p.is_file()
    )


def expand_deck_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders named by a person into deck files (folders searched recursively).

    A file named explicitly is taken whatever its name, a FIFO or a device too (``cvquiz check <(...)``,
    ``/dev/stdin``); a folder gives its deck files (see `deck_files`). The result keeps the order given, each
    folder's files sorted.

    Raises:
        DeckProblems: for a path that does not exist, or a socket.
    """
    import stat

    from cvquiz.i18n import _

    found: list[Path] = []
    missing = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            missing.append(_("{path}: no such file or folder").format(path=path))
            continue
        if stat.S_ISDIR(mode):
            found.extend(deck_files(path))
        elif stat.S_ISSOCK(mode):
            missing.append(_("{path}: a socket, not a deck file").format(path=path))
        else:
            found.append(path)
    if missing:
        raise DeckProblems(missing)
    return found


def deck_id_of(path: Path) -> str | None:
    """Return the id on a deck file's ``deck:`` line without parsing the file (None when there is none)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    match = _DECK_LINE_RE.search(head)
    return match.group(1) if match else None
