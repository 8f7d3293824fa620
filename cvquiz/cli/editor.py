"""Running the user's editor: ``$VISUAL``, then ``$EDITOR``, then ``vi``, as ``git commit`` does.

Used by ``cvquiz add -e`` and ``cvquiz edit`` (a deck file at a card's line) and by the drill's code cards (a
scratch file holding the person's function).
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from cvquiz.errors import UsageError
from cvquiz.i18n import _

__all__ = ["editor_command", "find_editor", "has_editor", "run_editor"]


def editor_command(environ: Mapping[str, str]) -> list[str]:
    """The editor to run, split as a shell would: ``$VISUAL``, ``$EDITOR``, else ``vi``."""
    editor = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def has_editor(environ: Mapping[str, str]) -> bool:
    """True when the user has named an editor (``$VISUAL`` or ``$EDITOR``)."""
    return bool((environ.get("VISUAL") or environ.get("EDITOR") or "").strip())


def find_editor(environ: Mapping[str, str]) -> list[str] | None:
    """The editor to run if its program can be found (on ``PATH``, or as a path), else None."""
    import shutil

    try:
        command = editor_command(environ)
    except ValueError:  # unbalanced quotes in $EDITOR
        return None
    if not command:
        return None
    program = command[0]
    found = shutil.which(program, path=environ.get("PATH"))
    return command if found is not None else None


def run_editor(environ: Mapping[str, str], path: Path, line: int | None = None) -> int:
    """Run the user's editor on a file and wait for it, at ``line`` where given.

    Returns:
        The editor's exit status.

    Raises:
        UsageError: the editor cannot be started.
    """
    command = editor_command(environ)
    name = Path(command[0]).name if command else ""
    if line is None:
        args = [*command, str(path)]
    elif name in ("code", "codium", "code-insiders"):
        args = [*command, "--goto", f"{path}:{line}"]
    elif name in ("subl", "hx", "helix", "zed"):
        args = [*command, f"{path}:{line}"]
    else:  # vi, vim, nano, emacs, micro, kak... all take +LINE before the file
        args = [*command, f"+{line}", str(path)]
    try:
        return subprocess.run(args, check=False).returncode
    except (OSError, ValueError) as error:
        raise UsageError(
            _("cannot run the editor {editor!r}: {problem} (set $VISUAL or $EDITOR)").format(
                editor=command[0] if command else "",
                problem=getattr(error, "strerror", None) or error,
            )
        ) from None
