"""``cvquiz backups`` and ``cvquiz restore``: the automatic backups of the collection, and putting one back.

Both call `cvquiz.collection.backups`; neither syncs the decks, so a damaged collection or a broken deck file
never stands between the user and a backup.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from cvquiz.cli import draw
from cvquiz.cli.context import get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.i18n import _, ngettext

BACKUPS_HELP = _(
    "List the automatic backups of your collection (newest first), or make one now.\n\n"
    "cvquiz backs the collection up before upgrading it, before a restore, and every "
    "backup_interval minutes of study; it keeps 30 daily, 8 weekly and 12 monthly copies.\n\n"
    "Example: cvquiz backups"
)
RESTORE_HELP = _(
    "Put a backup in place of your collection (the collection as it is is backed up first).\n\n"
    "Give the number cvquiz backups shows, a file name from there, or any backup file.\n\n"
    "Example: cvquiz restore 2"
)


def register(app: typer.Typer) -> None:
    """Add ``backups`` and ``restore``."""
    app.command("backups", help=BACKUPS_HELP)(backups)
    app.command("restore", help=RESTORE_HELP)(restore)


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)  # pragma: no cover


@handle_errors
def backups(
    ctx: typer.Context,
    now: Annotated[bool, typer.Option("--now", help=_("Make a backup now."))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """List the automatic backups of your collection."""
    from cvquiz import clock
    from cvquiz.collection import backups as store

    env = get_env(ctx)
    path = env.paths.collection
    if now:
        made = store.back_up(env.collection(sync=False).conn, path, env.now, "manual")
        env.err.print(escape(_("Backed up to {path}").format(path=made.path)), highlight=False)
    found = store.list_backups(path)
    if as_json:
        rows = [
            {
                "number": n,
                "file": str(b.path),
                "made_at": clock.iso_utc(clock.to_ms(b.made_at)),
                "size": b.size,
                "reason": b.reason or None,
            }
            for n, b in enumerate(found, 1)
        ]
        from cvquiz.cli.jsonout import print_json

        print_json(env, rows)
        return
    folder = store.backup_folder(path)
    if not found:
        env.err.print(
            escape(_("No backups yet in {folder}.").format(folder=folder)),
            highlight=False,
            soft_wrap=True,
        )
        return
    zone = clock.local_zone()
    listed = [
        (str(n), backup.made_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), _size(backup.size))
        for n, backup in enumerate(found, 1)
    ]
    heading = ("#", _("made"), _("size"))
    widths = [
        max(draw.width_of(cell) for cell in column) for column in zip(heading, *listed, strict=True)
    ]
    out = draw.Out.to(sys.stdout, env.environ)  # drawn by hand: piped, no line ends in spaces

    def right(
        text: str, column: int
    ) -> str:  # by display width: a Chinese heading is two columns a character
        return " " * (widths[column] - draw.width_of(text)) + text

    grid: list[list[draw.Cell]] = [
        [
            (right(heading[0], 0), "bold"),
            (heading[1], "bold"),
            (right(heading[2], 2), "bold"),
            (_("file"), "bold"),
        ]
    ]
    for (number, when, size), backup in zip(listed, found, strict=True):
        grid.append([right(number, 0), when, right(size, 2), backup.path.name])
    out.lines(draw.grid(out, grid, 10_000))  # a file name is never cut or wrapped: it is copied
    env.err.print(
        escape(
            ngettext(
                "{count} backup in {folder}", "{count} backups in {folder}", len(found)
            ).format(count=len(found), folder=folder)
        ),
        highlight=False,
        soft_wrap=True,
    )


@handle_errors
def restore(
    ctx: typer.Context,
    backup: Annotated[
        str, typer.Argument(help=_("A number from cvquiz backups, a file name there, or a file."))
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask before restoring."))
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """Put a backup in place of your collection."""
    from cvquiz.collection import backups as store
    from cvquiz.collection.store import MIGRATION_NAMES
    from cvquiz.errors import UsageError

    env = get_env(ctx)
    path = env.paths.collection
    source = store.find_backup(path, backup)
    if not yes:
        if not env.stdin_is_tty:
            raise UsageError(
                _("restoring replaces your collection; add --yes (there is no terminal to ask on)")
            )
        env.err.print(
            escape(
                _(
                    "Replace {collection} with {backup}? Your collection is backed up first. [y/N] "
                ).format(collection=path, backup=source)
            ),
            end="",
            highlight=False,
            soft_wrap=True,
        )
        if sys.stdin.readline().strip().lower() not in ("y", "yes", _("y"), _("yes")):
            env.err.print(_("Cancelled; nothing was changed."))
            raise typer.Exit(1)
    env.close()  # the restore writes the file through a connection of its own
    result = store.restore(path, source, env.now, MIGRATION_NAMES)
    if as_json:
        data = {
            "restored": str(result.restored),
            "saved": None if result.saved is None else str(result.saved.path),
            "cards": result.cards,
            "reviews": result.reviews,
        }
        from cvquiz.cli.jsonout import print_json

        print_json(env, data)
        return
    env.out.print(
        escape(
            _("Restored {backup}: {cards} review cards, {reviews} reviews.").format(
                backup=result.restored, cards=result.cards, reviews=result.reviews
            )
        ),
        highlight=False,
        soft_wrap=True,
    )
    if result.saved is not None:
        env.err.print(
            escape(
                _(
                    "The collection as it was is saved as {path} (cvquiz restore {path} puts it back)."
                ).format(path=result.saved.path.name)
            ),
            highlight=False,
            soft_wrap=True,
        )
