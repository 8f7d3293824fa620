"""The one JSON printer of the command line: every ``--json`` output and every ``--json`` error goes here.

The conventions, the same for every command: UTF-8 as written (no ``\\u`` escapes), two-space indentation,
timestamps as ISO 8601 UTC with milliseconds and a ``Z`` (``2026-03-02T09:00:00.000Z``), bilingual text as
``{"zh": ..., "en": ...}`` (both keys always there, null where a language is missing), dataclasses as objects,
paths as strings; fields marked ``metadata={"json": False}`` (what a result carries for the library only)
are left out. Errors under ``--json`` are one object on stderr: ``{"error": {"type", "message",
"exit_code", "problems"}}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.cli.context import Env
    from cvquiz.errors import CvquizError

__all__ = ["bilingual", "error_json", "print_json", "timestamp", "to_json"]


def timestamp(when: datetime) -> str:
    """Return an aware datetime as ISO 8601 UTC with milliseconds and ``Z``."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bilingual(value: Any) -> dict[str, str | None] | None:
    """Return deck-file text (a string, ``{zh, en}`` or a `Text`) as ``{"zh": ..., "en": ...}``."""
    from cvquiz.model import Text  # the commands that print no JSON do not load the card model

    if value is None:
        return None
    text = value if isinstance(value, Text) else Text.from_data(value)
    return {"zh": text.zh, "en": text.en}


def _plain(value: Any) -> Any:
    from cvquiz.model import Text

    if isinstance(value, Text):
        return bilingual(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("json", True)
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def to_json(data: Any) -> str:
    """Return ``data`` as JSON text by the conventions above."""
    return json.dumps(_plain(data), ensure_ascii=False, indent=2)


def print_json(env: Env, data: Any) -> None:
    """Print ``data`` as JSON on stdout."""
    # the data console's file if a command made it (tests swap it), else stdout: JSON needs no rich console
    console = env.__dict__.get("out")
    print(to_json(data), file=sys.stdout if console is None else console.file, flush=True)


def error_json(error: CvquizError) -> str:
    """Return the JSON object an error is printed as under ``--json``."""
    lines = error.localized(_).splitlines() or [type(error).__name__]
    body = {
        "type": type(error).__name__,
        "message": lines[0],
        "exit_code": error.exit_code,
        "problems": lines,
    }
    return to_json({"error": body})


def print_error_json(error: CvquizError) -> None:
    """Print an error as one JSON object on stderr."""
    print(error_json(error), file=sys.stderr, flush=True)
