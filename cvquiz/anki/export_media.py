"""Images of a deck's cards, gathered for an Anki package: the fields point at Anki's flat media folder.

A card shows an image with Markdown, ``![](media/shared/cat.png)``, a path relative to its deck file (where
`cvquiz.anki.shared_deck` puts a shared deck's media). Rendered for Anki that is ``<img src="media/...">``;
in a package the file travels in the zip and the field names it by its bare file name, as Anki's media folder
is flat. Two different files with one name get the second a prefix from its content hash. Only files inside
the deck file's folder are taken, so a card cannot pull an arbitrary file of the computer into a package; an
image whose file is missing stays as it is (Anki shows it as missing).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

from cvquiz.anki.html import escape

__all__ = ["MediaFiles"]

_IMG_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.I)


class MediaFiles:
    """The media files of one export: each source file once, under a unique flat name."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self._by_source: dict[Path, str] = {}
        self._data: dict[str, bytes] = {}

    def _name_for(self, source: Path) -> str | None:
        known = self._by_source.get(source)
        if known is not None:
            return known
        try:
            data = source.read_bytes()
        except OSError:
            return None
        name = source.name
        if name in self.files and self._data[name] != data:
            name = f"{hashlib.sha1(data).hexdigest()[:8]}-{name}"
        self.files[name] = source
        self._data[name] = data
        self._by_source[source] = name
        return name

    def rewrite(self, fields: tuple[str, ...], deck_path: str | None) -> tuple[str, ...]:
        """Return the fields with each local image's ``src`` made its media name (collecting the file).

        Args:
            fields: a note's fields (HTML).
            deck_path: the deck file the card comes from (image paths are relative to its folder).
        """
        if deck_path is None or not any("<img" in f for f in fields):
            return fields
        folder = Path(deck_path).parent.resolve()

        def swap(match: re.Match[str]) -> str:
            src = match.group(2).replace("&amp;", "&")
            if "://" in src or src.startswith(("data:", "/")):
                return match.group(0)
            source = (folder / unquote(src)).resolve()
            if not source.is_relative_to(folder) or not source.is_file():
                return match.group(0)
            name = self._name_for(source)
            if name is None:
                return match.group(0)
            return match.group(1) + escape(name) + match.group(3)

        return tuple(_IMG_RE.sub(swap, f) for f in fields)

    def data(self, name: str) -> bytes:
        """Return the bytes of a collected file."""
        return self._data[name]
