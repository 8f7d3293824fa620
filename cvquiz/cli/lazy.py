"""Load only the command that runs: a static table of commands, and a group that imports each on demand.

``cvquiz --help`` lists the commands from `COMMANDS` (name, one-line help, panel) without importing a single
command module; ``cvquiz status`` imports ``commands_status`` and nothing else. This is click's documented
``LazyGroup`` pattern on top of typer's group class. `tests/test_cli_lazy.py` checks that the table's help
matches each command's own.

Typer builds a pydantic ``TypeAdapter`` for every parameter it converts, and importing pydantic costs more than
all of typer. cvquiz's options are plain strings, numbers, flags and paths, so `fast_params` gives those a
converter of their own (with the same checks: whole numbers, ranges) and leaves anything else to typer.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args, get_origin

import typer
import typer.core
import typer.main

from cvquiz.i18n import N_, _, after_label, current_language

STUDY = N_("Study")
CARDS = N_("Cards")
DECKS = N_("Decks and collection")
EXCHANGE = N_("Export and import")
TOOLS = N_("Tools")


@dataclass(frozen=True)
class Entry:
    """One command of the table.

    Attributes:
        name: the command's name.
        modules: the modules under ``cvquiz.cli`` whose ``register(app)`` define it.
        help: its one-line help (the first line of its full help).
        panel: the ``--help`` panel it is listed in.
        group: for a command group, the attribute of ``cvquiz.cli.groups`` that holds its typer app.
    """

    name: str
    modules: tuple[str, ...]
    help: str
    panel: str
    group: str | None = None


COMMANDS: tuple[Entry, ...] = (
    Entry(
        "drill",
        ("commands_drill",),
        N_("Study today's cards: learning cards, due reviews, then new cards."),
        STUDY,
    ),
    Entry(
        "try",
        ("commands_code",),
        N_("Judge a Python file against a code card (exit 0: passed, 1: failed, 2: usage error)."),
        STUDY,
    ),
    Entry(
        "status",
        ("commands_status",),
        N_("Show today's counts, what you studied today, your retention and the next 7 days."),
        STUDY,
    ),
    Entry(
        "stats",
        ("commands_stats",),
        N_(
            "Show your review heatmap, streak, retention, forecast, weakest decks and tags, and "
            "compute-card mistakes."
        ),
        STUDY,
    ),
    Entry(
        "add",
        ("commands_cards",),
        N_("Add a card to one of your decks (flags, prompts, or your editor)."),
        CARDS,
    ),
    Entry(
        "show",
        ("commands_cards",),
        N_("Show a card: its text, deck file and line, scheduling state and review history."),
        CARDS,
    ),
    Entry(
        "search",
        ("commands_search",),
        N_("Find cards with Anki's search syntax (words, deck:, tag:, is:due, prop:ivl>=10...)."),
        CARDS,
    ),
    Entry(
        "browse",
        ("commands_search",),
        N_("Browse the cards a search matches: a table to move through, refine, open and act on."),
        CARDS,
    ),
    Entry(
        "edit",
        ("commands_cards",),
        N_("Open your editor at a card in its deck file; the file is saved only once it loads."),
        CARDS,
    ),
    Entry(
        "suspend",
        ("commands_bulk",),
        N_("Suspend cards: they leave every queue until unsuspended."),
        CARDS,
    ),
    Entry("unsuspend", ("commands_bulk",), N_("Unsuspend cards."), CARDS),
    Entry("bury", ("commands_bulk",), N_("Bury cards until the next study day."), CARDS),
    Entry(
        "forget",
        ("commands_bulk",),
        N_("Reset cards to new; their review history is kept."),
        CARDS,
    ),
    Entry(
        "tag",
        ("commands_bulk",),
        N_("Add a tag to cards, or remove one (card references or a search query)."),
        CARDS,
        group="tag_app",
    ),
    Entry(
        "undo",
        ("commands_bulk",),
        N_(
            "Undo the last change to the collection: a rating, suspend, bury, forget or tag change."
        ),
        CARDS,
    ),
    Entry(
        "decks",
        ("commands_decks",),
        N_("List decks with their study cards, new, due today and suspended."),
        DECKS,
    ),
    Entry(
        "check",
        ("commands_decks",),
        N_("Check deck files and print every problem found, structure and generators alike."),
        DECKS,
    ),
    Entry(
        "paths",
        ("commands_decks",),
        N_("Show where cvquiz keeps the collection, your decks and your settings."),
        DECKS,
    ),
    Entry(
        "backups",
        ("commands_restore",),
        N_("List the automatic backups of your collection (newest first), or make one now."),
        DECKS,
    ),
    Entry(
        "restore",
        ("commands_restore",),
        N_(
            "Put a backup in place of your collection (the collection as it is is backed up first)."
        ),
        DECKS,
    ),
    Entry(
        "config",
        ("commands_config",),
        N_("Show and change settings."),
        DECKS,
        group="config_app",
    ),
    Entry(
        "import",
        ("commands_cards",),
        N_("Import an Anki package, Anki's plain-text notes or a CSV (or restore a JSON backup)."),
        EXCHANGE,
    ),
    Entry(
        "export",
        ("commands_backup", "commands_anki"),
        N_("Export the collection (JSON backup, Anki package, Anki text)."),
        EXCHANGE,
        group="export_app",
    ),
    Entry(
        "optimize",
        ("commands_stats",),
        N_(
            "Fit the FSRS parameters to your own review history, and save them if they predict it better."
        ),
        TOOLS,
    ),
    Entry(
        "simulate",
        ("commands_stats",),
        N_(
            "Simulate your collection forward and chart the daily workload for each retention and pace."
        ),
        TOOLS,
    ),
    Entry(
        "calc",
        ("commands_calc",),
        N_("The reference engine on the command line, with worked solutions."),
        TOOLS,
        group="calc_app",
    ),
)
"""Every command, in the order ``--help`` lists them."""

_BY_NAME = {entry.name: entry for entry in COMMANDS}
_LOADED: dict[str, Any] = {}


def load_command(entry: Entry) -> Any:
    """Import the modules of ``entry`` and build its click command (once per process), in the current language."""
    if entry.name in _LOADED:
        return _LOADED[entry.name]
    command = build_command(entry)
    if current_language() != "en":
        translate_help(command)
    fast_params(command)
    _cjk_help(command)
    _LOADED[entry.name] = command
    return command


def build_command(entry: Entry) -> Any:
    """Import the modules of ``entry`` and build its click command as written (help texts in English)."""
    app = typer.Typer(rich_markup_mode="rich")
    for module in entry.modules:
        importlib.import_module(f"cvquiz.cli.{module}").register(app)
    if entry.group is not None:
        from cvquiz.cli import groups

        app.add_typer(getattr(groups, entry.group))
    app.registered_commands = [c for c in app.registered_commands if _info_name(c) == entry.name]
    app.registered_groups = [g for g in app.registered_groups if _info_name(g) == entry.name]
    group = typer.main.get_group(app)
    command = group.commands[entry.name]
    command.rich_help_panel = _(entry.panel)  # type: ignore[attr-defined]
    return command


def help_texts(command: Any) -> Iterator[tuple[Any, str]]:
    """Yield where each help text of ``command`` (and of its subcommands and parameters) is: (holder, attribute).

    These are the docstrings and ``help=`` texts of the command modules, as click holds them; ``scripts/i18n.py``
    extracts the same texts into the catalogs.
    """
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            yield command, attribute
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            yield param, "help"
    for sub in getattr(command, "commands", {}).values():
        yield from help_texts(sub)


def translate_help(command: Any) -> None:
    """Put ``command``'s help texts (its own, its subcommands' and its parameters') in the current language."""
    for holder, attribute in list(help_texts(command)):
        setattr(holder, attribute, _(getattr(holder, attribute)))
    _translate_usage(command)


def _translate_usage(command: Any) -> None:
    command.format_usage = partial(_format_usage, command)
    for sub in getattr(command, "commands", {}).values():
        _translate_usage(sub)


def _format_usage(command: Any, ctx: Any, formatter: Any) -> None:
    pieces = command.collect_usage_pieces(ctx)
    label = _("Usage:")
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=label + after_label(label))


@contextmanager
def _usage_errors_translated() -> Iterator[None]:
    """Let typer's usage errors raised inside speak the user's language (typer writes them in English)."""
    if current_language() == "en":
        yield
        return
    from cvquiz.cli import usage_errors

    try:
        yield
    except usage_errors.UsageError as error:
        if not getattr(error, "_cvquiz_translated", False):
            usage_errors.translate(error)
            error._cvquiz_translated = True  # type: ignore[attr-defined]
        raise


def _cjk_help(command: Any) -> None:
    """Let typer's help of ``command`` (and of its subcommands) break Chinese text between characters."""
    draw = command.format_help

    def format_help(ctx: Any, formatter: Any) -> None:
        from cvquiz.cli import cjk

        cjk.enable()
        draw(ctx, formatter)

    command.format_help = format_help
    for sub in getattr(command, "commands", {}).values():
        _cjk_help(sub)


def _info_name(info: Any) -> str | None:
    name = info.name if isinstance(info.name, str) else None
    if name is None and getattr(info, "typer_instance", None) is not None:
        name = info.typer_instance.info.name
    if name is None and getattr(info, "callback", None) is not None:
        name = info.callback.__name__.replace("_", "-")
    return str(name) if name is not None else None


class LazyGroup(typer.core.TyperGroup):
    """The root ``cvquiz`` group: commands come from `COMMANDS` and are imported when invoked."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the global options (typer adds its completion options after ``__init__``)."""
        fast_params(self)
        with _usage_errors_translated():
            return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Find the command named first in ``args``; an unknown name gets the closest ones as suggestions."""
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            matches = difflib.get_close_matches(args[0], command_names()) if args else []
            if matches and hasattr(error, "message"):
                error.message = _("No such command {name!r}. Did you mean {suggestions}?").format(
                    name=args[0], suggestions=", ".join(repr(m) for m in matches)
                )
            raise

    def invoke(self, ctx: Any) -> Any:
        """Run the command (its usage errors in the user's language)."""
        with _usage_errors_translated():
            return super().invoke(ctx)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """Write the usage line, its label in the user's language."""
        _format_usage(self, ctx, formatter)

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command's name, from the static table (no import)."""
        return [entry.name for entry in COMMANDS] + [
            name for name in super().list_commands(ctx) if name not in _BY_NAME
        ]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command named ``cmd_name``: a light stand-in while listing, else the real one, loaded now."""
        entry = _BY_NAME.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return _stand_in(entry)
        return load_command(entry)

    @contextmanager
    def _list_only(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Print ``--help`` from the table, without loading typer's help renderer (see `roothelp`)."""
        from cvquiz.cli import roothelp

        fast_params(self)
        roothelp.render(self, ctx, [(e.name, _(e.help), _(e.panel)) for e in COMMANDS])

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        """Complete command names from the table."""
        with self._list_only():
            return super().shell_complete(ctx, incomplete)


def _stand_in(entry: Entry) -> Any:
    return typer.core.TyperCommand(
        name=entry.name, help=_(entry.help), rich_help_panel=_(entry.panel)
    )


# --- parameters without pydantic ---------------------------------------------------------------------------

_SCALARS = (str, int, float, bool, Path)
_TRUE = ("1", "true", "t", "yes", "y", "on")
_FALSE = ("0", "false", "f", "no", "n", "off", "")


class _FastParam:
    """Converts a command-line value the way typer would for str, int, float, bool and Path (and lists)."""

    def __init__(self, kind: type, is_list: bool, info: Any) -> None:
        self.kind = kind
        self.is_list = is_list
        self.info = info

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if self.is_list or multi:
            if isinstance(value, str):
                raise typer.BadParameter(_("expected several values"), ctx=ctx, param=param)
            return [self._one(item, param, ctx) for item in value]
        return self._one(value, param, ctx)

    def _one(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if self.kind is str:
            return str(value)
        if self.kind is bool:
            return self._bool(value, param, ctx)
        if self.kind is Path:
            return value if isinstance(value, Path) else Path(str(value))
        number = self._number(value, param, ctx)
        return self._in_range(number, param, ctx)

    def _bool(self, value: Any, param: Any, ctx: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        message = _("{value!r} is not a yes/no value").format(value=value)
        raise typer.BadParameter(message, ctx=ctx, param=param)

    def _number(self, value: Any, param: Any, ctx: Any) -> int | float:
        if isinstance(value, bool):
            raise typer.BadParameter(_("{value!r} is not a number").format(value=value), ctx, param)
        if self.kind is int:
            if isinstance(value, int):
                return value
            try:
                return int(str(value).strip())
            except ValueError:
                message = _("{value!r} is not a whole number").format(value=value)
                raise typer.BadParameter(message, ctx=ctx, param=param) from None
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            message = _("{value!r} is not a number").format(value=value)
            raise typer.BadParameter(message, ctx=ctx, param=param) from None

    def _in_range(self, number: int | float, param: Any, ctx: Any) -> int | float:
        low, high, clamp = self.info.min, self.info.max, self.info.clamp
        if low is not None and number < low:
            if clamp:
                return self.kind(low)  # type: ignore[no-any-return]
            message = _("{value} is below the smallest allowed value, {low}")
            raise typer.BadParameter(message.format(value=number, low=low), ctx=ctx, param=param)
        if high is not None and number > high:
            if clamp:
                return self.kind(high)  # type: ignore[no-any-return]
            message = _("{value} is above the largest allowed value, {high}")
            raise typer.BadParameter(message.format(value=number, high=high), ctx=ctx, param=param)
        return number


_PATH_CHECKS = ("exists", "writable", "resolve_path", "allow_dash")


def _fast_converter(param: Any) -> _FastParam | None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or descriptor.file_annotation is not None:
        return None
    info = descriptor.parameter_info
    if getattr(info, "parser", None) is not None:
        return None
    annotation = descriptor.annotation
    is_list = get_origin(annotation) is list
    kind = get_args(annotation)[0] if is_list else annotation
    if kind not in _SCALARS:
        return None
    if kind is Path and (
        any(getattr(info, name, False) for name in _PATH_CHECKS)
        or getattr(info, "file_okay", True) is False
        or getattr(info, "dir_okay", True) is False
        or getattr(info, "path_type", None) is not None
    ):
        return None
    if kind is str and (info.min is not None or info.max is not None):
        return None
    return _FastParam(kind, is_list, info)


HELP_NAMES = ["-h", "--help"]


# --- completion of deck ids, tags, card references and setting names ---------------------------------------


def _collection_path(ctx: Any) -> Path:
    import os

    from cvquiz.cli.context import collection_override
    from cvquiz.paths import Paths

    given = ctx.find_root().params.get("collection") if ctx is not None else None
    environ = collection_override(Path(given) if given else None, dict(os.environ))
    return Paths.from_env(environ).collection


def _complete_decks(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from cvquiz.collection.names import deck_ids

    return deck_ids(_collection_path(ctx), incomplete)


def _complete_tags(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from cvquiz.collection.names import tag_names

    return tag_names(_collection_path(ctx), incomplete)


def _complete_cards(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from cvquiz.collection.names import card_refs

    return card_refs(_collection_path(ctx), incomplete)


def _complete_settings(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from cvquiz.config import ALLOWED

    return [key for key in ALLOWED if key.startswith(incomplete)]


_COMPLETERS = {
    "deck": _complete_decks,
    "tag": _complete_tags,
    "tags": _complete_tags,
    "card": _complete_cards,
    "cards": _complete_cards,
    "key": _complete_settings,
}


def _no_type(ctx: Any = None) -> None:
    return None


def _tidy_help(param: Any) -> None:
    """Show a person's metavar (``--deck DECK``, ``--new N``) instead of typer's ``<list[str]>``/``<int range>``."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return
    param._get_number_range_help_str = _no_type
    if param.param_type_name == "argument":
        param.display_type_rich = _no_type
        if param.metavar is None and param.name:
            param.metavar = param.name.upper()
        return
    annotation = descriptor.annotation
    kind = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    if getattr(param, "is_flag", False) or kind is bool:
        param.metavar = ""
    elif param.metavar is None:
        longest = max([*param.opts, *param.secondary_opts], key=len).lstrip("-")
        param.metavar = "N" if kind is int else longest.upper().replace("-", "_")


def fast_params(command: Any) -> None:
    """Give the plain parameters of ``command`` (and of its subcommands) converters without pydantic.

    The help option is made here too (click makes it on first use and keeps it), so that it gets one.
    """
    params = list(getattr(command, "params", ()))
    if hasattr(command, "get_help_option"):
        help_option = command.get_help_option(SimpleNamespace(help_option_names=HELP_NAMES))
        if help_option is not None:
            help_option.help = _("Show this message and exit.")
            params.append(help_option)
    for param in params:
        converter = _fast_converter(param)
        if converter is not None:
            param._runtime_param = converter
        _tidy_help(param)
        completer = _COMPLETERS.get(param.name or "")
        if completer is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = completer
    for sub in getattr(command, "commands", {}).values():
        fast_params(sub)


def command_names() -> list[str]:
    """The names of every command, in ``--help`` order."""
    return [entry.name for entry in COMMANDS]
