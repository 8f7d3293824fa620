"""The editor loop behind ``cvquiz add --editor`` and ``cvquiz edit``, as ``git commit`` and ``crontab -e`` run it.

The text goes to a temporary file the editor opens; what is saved is offered to ``accept``. When it is not
valid, its problems go in as ``# ERROR:`` comment lines at the top and the editor opens again, at the first
problem. Saving a text that is not valid without changing it gives up (an editor that shows nothing, or a
person who does not want to go on, never loops); emptying the file cancels. An editor that removes the file,
puts a folder in its place or saves bytes that are not UTF-8 ends the loop with an error. Nothing else is written
here: whoever calls writes what ``accept`` accepted.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from cvquiz.cards.template import strip_errors, with_errors
from cvquiz.errors import DeckError, DeckProblems, UnreadableFileError
from cvquiz.fileio import TEXT_FILE_LIMIT, describe_decode_error, read_limited
from cvquiz.i18n import _

__all__ = ["Edited", "EditorRunner", "edit_until_valid"]

T = TypeVar("T")

EditorRunner = Callable[[Path, int], None]
"""Opens a person's editor on a file at a line and returns when it is closed (raising if it failed)."""

SHOWN_PROBLEMS = 20
"""At most this many problems go into the text as error lines."""


@dataclass(frozen=True)
class Edited(Generic[T]):
    """What the editor loop ended with.

    Attributes:
        value: what ``accept`` made of the saved text.
        text: the saved text, without error lines.
    """

    value: T
    text: str


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _read_saved(path: Path) -> str:
    """Read what the editor saved, as it is (no newline translation).

    Raises:
        DeckError: the file was removed or replaced by a folder, cannot be read, or is not UTF-8 text.
    """
    try:
        blob = read_limited(path, TEXT_FILE_LIMIT)
    except UnreadableFileError as error:
        if isinstance(error.os_error, FileNotFoundError):
            raise DeckError(_("the edited file was removed; nothing was written")) from None
        if isinstance(error.os_error, IsADirectoryError):
            raise DeckError(
                _("the edited file was replaced by a folder; nothing was written")
            ) from None
        raise DeckError(
            _("the edited file: {problem}; nothing was written").format(problem=error.reason)
        ) from None
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DeckError(
            _(
                "the edited file is not UTF-8 text ({reason} at byte {byte}); nothing was written"
            ).format(reason=describe_decode_error(error), byte=error.start)
        ) from None


def _first_line(problems: list[str], label: str, shift: int) -> int:
    match = re.match(rf"{re.escape(label)}:(\d+):", problems[0]) if problems else None
    return int(match.group(1)) + shift if match else 1


def edit_until_valid(
    text: str,
    accept: Callable[[str], T],
    run_editor: EditorRunner,
    *,
    label: str,
    line: int = 1,
    filename: str = "card.yaml",
) -> Edited[T] | None:
    """Open ``text`` in the editor until what is saved is accepted, the file is emptied, or nothing changes.

    Args:
        text: the text to start from.
        accept: turns a saved text (error lines removed) into a value, or raises `DeckProblems` (lines
            ``label:line:column: ...``) or `DeckError` when it is not valid.
        run_editor: opens the editor.
        label: the file name problems carry (their positions are shifted to the edited file's lines).
        line: the line to open the editor at first.
        filename: the temporary file's name (editors pick a syntax from it).

    Returns:
        The accepted value and text, or None when the person emptied the file (only comments left).

    Raises:
        DeckError: when a text that is not valid is saved unchanged (the first problem is named), or the file
            was removed, replaced by a folder or saved as bytes that are not UTF-8 (nothing was accepted).
        CvquizError: whatever ``run_editor`` raises (the editor could not run or failed).
    """
    folder = Path(tempfile.mkdtemp(prefix="cvquiz-edit-"))
    path = folder / filename
    shown = text
    try:
        while True:
            path.write_text(shown, encoding="utf-8", newline="")
            run_editor(path, line)
            saved = _read_saved(path)
            body = strip_errors(saved)
            if _only_comments(body):
                return None
            try:
                return Edited(accept(body), body)
            except DeckProblems as error:
                problems = list(error.problems)
            except DeckError as error:
                problems = str(error).splitlines()
            if saved == shown:
                raise DeckError(
                    _("the text was not changed; nothing was written: {problem}").format(
                        problem=problems[0]
                    )
                )
            problems = problems[:SHOWN_PROBLEMS]
            shown = with_errors(body, problems, label)
            line = _first_line(problems, label, len(problems))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
