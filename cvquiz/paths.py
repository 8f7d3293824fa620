"""Where cvquiz keeps its files.

The collection lives in the platform's user data dir, the user's decks folder beside it, the settings in the
user config dir, what speeds cvquiz up in the user cache dir; ``CVQUIZ_COLLECTION``, ``CVQUIZ_DECKS``,
``CVQUIZ_CONFIG`` and ``CVQUIZ_CACHE`` override each. The bundled decks are
found inside the installed package or, in a source checkout, in the ``decks/`` folder next to the package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "cvquiz"


def bundled_decks_dir() -> Path:
    """Return the folder of the decks shipped with cvquiz.

    A wheel carries them as ``cvquiz/decks``; an editable checkout has them at the top of the repository.
    """
    package = Path(__file__).resolve().parent
    inside = package / "decks"
    if inside.is_dir():
        return inside
    return package.parent / "decks"


@dataclass(frozen=True)
class Paths:
    """The files and folders cvquiz uses.

    Attributes:
        collection: the SQLite collection file.
        decks: the user's own decks folder.
        config: the TOML settings file.
        bundled: the folder of bundled decks.
        collection_given: True when ``CVQUIZ_COLLECTION`` (or ``--collection``) named the collection: its
            folder must then exist (a typo must not start a new, empty collection somewhere).
        cache: the folder of what cvquiz keeps to go faster (``cvquiz check``'s verdicts), or None for none.
    """

    collection: Path
    decks: Path
    config: Path
    bundled: Path
    collection_given: bool = False
    cache: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Paths:
        """Resolve every path from the environment and platformdirs.

        Args:
            environ: the environment to read (default ``os.environ``).
        """
        env = os.environ if environ is None else environ

        def data_dir() -> Path:
            import platformdirs

            return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))

        def config_dir() -> Path:
            import platformdirs

            return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))

        def cache_dir() -> Path:
            import platformdirs

            return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))

        collection = env.get("CVQUIZ_COLLECTION")
        decks = env.get("CVQUIZ_DECKS")
        config = env.get("CVQUIZ_CONFIG")
        cache = env.get("CVQUIZ_CACHE")
        return cls(
            collection=Path(collection).expanduser()
            if collection
            else data_dir() / "collection.sqlite",
            decks=Path(decks).expanduser() if decks else data_dir() / "decks",
            config=Path(config).expanduser() if config else config_dir() / "config.toml",
            bundled=bundled_decks_dir(),
            collection_given=bool(collection),
            cache=Path(cache).expanduser() if cache else cache_dir(),
        )
