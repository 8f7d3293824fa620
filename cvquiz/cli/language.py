"""Which language cvquiz speaks in this run, decided once at the edge before any command is built.

The order is: ``--lang zh|en`` on the command line, ``CVQUIZ_LANG``, the ``lang`` setting, then the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``). It is decided before typer builds a command, so that ``--help`` texts are
in that language too. This module stays light (no typer, no rich): it runs before ``--version`` answers.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

LANGS = ("zh", "en")


def _locale_lang(environ: Mapping[str, str]) -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def _setting(config: Path | None) -> str | None:
    """The ``lang`` setting, or None when unset or unreadable (the command reports a bad file itself)."""
    if config is None:
        return None
    from cvquiz.errors import UnreadableFileError
    from cvquiz.fileio import SETTINGS_FILE_LIMIT, read_limited

    try:
        blob = read_limited(config, SETTINGS_FILE_LIMIT)
    except UnreadableFileError:
        return None
    try:
        import tomllib  # only when there is a settings file: most runs have none to read

        value = tomllib.loads(blob.decode("utf-8")).get("lang")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if value in LANGS else None


def argv_lang(argv: Sequence[str]) -> str | None:
    """Return the value of ``--lang`` given before the command (``--lang zh`` or ``--lang=zh``), or None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def resolve_lang(option: str | None, environ: Mapping[str, str], config: Path | None) -> str:
    """Return ``"zh"`` or ``"en"``: the option, then ``CVQUIZ_LANG``, the setting, the locale.

    Args:
        option: the ``--lang`` value, or None.
        environ: the environment variables.
        config: the settings file (``CVQUIZ_CONFIG`` or the default), or None to skip it.
    """
    if option in LANGS:
        return option
    env = environ.get("CVQUIZ_LANG")
    if env in LANGS:
        return env
    return _setting(config) or _locale_lang(environ)


def config_path(environ: Mapping[str, str]) -> Path | None:
    """Return the settings file to read ``lang`` from, without importing platformdirs when it is set."""
    configured = environ.get("CVQUIZ_CONFIG")
    if configured:
        return Path(configured).expanduser()
    from cvquiz.paths import Paths

    return Paths.from_env(environ).config


def startup_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """Return the language of this run from the raw command line and the environment."""
    env = os.environ if environ is None else environ
    option = argv_lang(argv)
    if option in LANGS:
        return option
    return resolve_lang(option, env, config_path(env))
