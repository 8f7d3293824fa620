"""The one boundary where cvquiz errors become a message on stderr and an exit code.

Every command is wrapped in `handle_errors`: a `CvquizError` prints ``Error: ...`` (one line per problem, in the
person's language: `CvquizError.localized` translates an error that carries a template, such as the reference
engine's) and exits with the error's code; an SQLite error that reaches it is first turned into one that names the collection
and says what is wrong (damaged, read-only, disk full). Under ``--json`` (a command's ``as_json`` parameter) the
error is one JSON object on stderr instead (`cvquiz.cli.jsonout.error_json`). Ctrl-C exits 130. ``typer.Exit``
passes through untouched (it is a RuntimeError, so it must never be caught by a broad ``except``).
"""

from __future__ import annotations

import functools
import sqlite3
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import ParamSpec, TypeVar

import typer

from cvquiz.errors import CvquizError
from cvquiz.i18n import _, after_label

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    """The exit codes of cvquiz."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so cvquiz errors print one clear line and exit non-zero, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            try:
                return fn(*args, **kwargs)
            except sqlite3.Error as error:
                raise _database_error(error, args, kwargs) from None
        except CvquizError as error:
            if kwargs.get("as_json"):
                from cvquiz.cli.jsonout import print_error_json

                print_error_json(error)
                raise typer.Exit(error.exit_code) from None
            from rich.markup import escape

            from cvquiz.cli import cjk

            err = cjk.console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
            label = escape(_("Error:"))
            for line in error.localized(_).splitlines() or [type(error).__name__]:
                err.print(f"[bold red]{label}[/]{after_label(label)}{escape(line)}")
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            print(file=sys.stderr)
            raise typer.Exit(ExitCode.INTERRUPTED) from None

    return wrapper


def _database_error(
    error: sqlite3.Error, args: tuple[object, ...], kwargs: dict[str, object]
) -> CvquizError:
    """Name the collection in an SQLite error that reached the boundary (damaged, read-only, disk full...)."""
    from cvquiz.cli.context import Env

    for value in (*args, *kwargs.values()):
        find_root = getattr(
            value, "find_root", None
        )  # a click context (typer vendors its own click)
        if find_root is not None:
            env = find_root().obj
            if isinstance(env, Env) and env.opened_collection is not None:
                from cvquiz.collection.store import explain_error

                return explain_error(error, env.opened_collection)
    from cvquiz.collection.store import sqlite_reason

    return CvquizError(_("database error: {detail}").format(detail=sqlite_reason(error)))
