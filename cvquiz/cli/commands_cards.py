"""``cvquiz add``, ``show``, ``edit`` and ``import``.

Adding has three front ends over one service (`cvquiz.cards.add_cards`): flags for scripts, prompts for
people, and a YAML template opened in ``$VISUAL``/``$EDITOR`` as ``git commit`` does. Every other command
resolves a card reference (``deck/id`` or a unique prefix) and calls one service of `cvquiz.cards`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from cvquiz.cli.context import Env, get_env
from cvquiz.cli.errors import handle_errors
from cvquiz.cli.jsonout import print_json
from cvquiz.cli.styled import styled
from cvquiz.errors import CvquizError, UsageError
from cvquiz.fileio import TEXT_FILE_LIMIT, read_stdin_text, read_text_file
from cvquiz.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from cvquiz.cards import AddResult

STATE_NAMES = {0: N_("new"), 1: N_("learning"), 2: N_("review"), 3: N_("relearning")}
RATING_LABELS = {1: N_("Again"), 2: N_("Hard"), 3: N_("Good"), 4: N_("Easy")}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("add")(add)
    app.command("show")(show)
    app.command("edit")(edit)
    app.command("import")(import_)


def _markdown(text: str) -> RenderableType:
    try:
        from cvquiz.cli.render import card_markdown
    except ImportError:  # pragma: no cover - the renderer ships with the CLI
        from rich.markdown import Markdown

        return Markdown(text)
    return card_markdown(text)


def _text(value: Any, lang: str) -> str:
    from cvquiz.model import Text

    if value is None:
        return ""
    return (value if isinstance(value, Text) else Text.from_data(value)).get(lang)


def card_panel(data: dict[str, Any], lang: str, title: str) -> Panel:
    """Render a card's fields (deck-file form) as a panel: question, answer, explanation, tags, source."""
    parts: list[RenderableType] = []
    if data.get("type") == "compute":
        params = data.get("params") or {}
        shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items()) or _("the full space")
        parts.append(
            RichText.assemble(
                (_("generator") + " ", "dim"),
                str(data.get("generator")),
                ("  " + _("params") + " ", "dim"),
                shown,
            )
        )
    labels = (
        ("question", _("question"), "bold"),
        ("answer", _("answer"), "green"),
        ("explanation", _("explanation"), "dim"),
    )
    for name, label, style in labels:
        text = _text(data.get(name), lang)
        if text:
            parts.append(RichText(label, style=style))
            parts.append(_markdown(text))
    if data.get("type") == "code":
        from cvquiz.cli.code_view import code_card_parts

        parts.extend(code_card_parts(data, lang))
    footer = []
    if data.get("tags"):
        footer.append(_("tags: {tags}").format(tags=" ".join(data["tags"])))
    if data.get("source"):
        footer.append(_("source: {source}").format(source=data["source"]))
    if footer:
        parts.append(RichText("  ".join(footer), style="dim"))
    return Panel(Group(*parts), title=escape(title), title_align="left")


# ----------------------------------------------------------------------------------------------------------
# add


def _read_line(env: Env, prompt: str) -> str | None:
    """Prompt on stderr and read one line of stdin; None at end of input (Ctrl-D)."""
    env.err.print(prompt, end="", markup=True, highlight=False)
    line = sys.stdin.readline()
    if not line:
        env.err.print()
        return None
    return line.rstrip("\r\n")


def _read_block(env: Env, prompt: str) -> str | None:
    """Read lines until an empty line or end of input; None when nothing was typed before Ctrl-D."""
    line = escape(_("{prompt} (end with an empty line or Ctrl-D)"))
    env.err.print(_markup_field(line, "prompt", prompt), highlight=False)
    lines: list[str] = []
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        line = line.rstrip("\r\n")
        if not line.strip():
            break
        lines.append(line)
    return "\n".join(lines) if lines else None


def _markup_field(message: str, name: str, markup: str) -> str:
    """Put ``markup`` (rich markup) where ``{name}`` is in an escaped translated ``message``."""
    return message.replace("{" + name + "}", markup)


def _ask(env: Env, prompt: str, default: str | None = None) -> str:
    suffix = f" [dim]\\[{escape(default)}][/]" if default else ""
    answer = _read_line(env, _markup_field(escape(_("{prompt}: ")), "prompt", prompt + suffix))
    if answer is None:
        raise UsageError(_("cancelled: input ended"))
    return answer.strip() or (default or "")


def _confirm(env: Env, prompt: str, default: bool = True) -> bool:
    answer = _read_line(env, f"{prompt} [dim]\\[{'Y/n' if default else 'y/N'}][/] ")
    if answer is None:
        return False
    answer = answer.strip().lower()
    return default if not answer else answer in ("y", "yes")


def _choose_deck(env: Env) -> str:
    from cvquiz.cards import list_user_decks

    decks = list_user_decks(env.paths.decks)
    if decks:
        env.err.print(RichText(_("Your decks:"), style="bold"))
        for number, deck in enumerate(decks, 1):
            env.err.print(f"  {number}. {escape(deck.id)}", highlight=False)
    while True:
        choice = _ask(
            env, escape(_("Deck (number, or an id such as my/interviews for a new deck)"))
        )
        if choice.isdigit() and 1 <= int(choice) <= len(decks):
            return decks[int(choice) - 1].id
        if any(d.id == choice for d in decks):
            return choice
        question = escape(_("Create the deck {deck}?")).replace(
            "{deck}", f"[bold]{escape(choice)}[/]"
        )
        if choice and _confirm(env, question):
            return choice


def _interactive_card(env: Env, card_type: str | None) -> dict[str, Any]:
    from cvquiz.cards import card_data, parse_param

    kinds = ("basic", "reversed", "cloze", "compute")
    kind = card_type or ""
    while kind not in kinds:
        kind = _ask(env, escape(_("Type ({kinds})").format(kinds=", ".join(kinds))), "basic")
    generator = None
    params: dict[str, Any] = {}
    if kind == "compute":
        from cvquiz.generators import list_generators

        infos = {g.name: g for g in list_generators()}
        env.err.print(
            RichText(_("Generators: {names}").format(names=", ".join(infos))), highlight=False
        )
        while generator not in infos:
            generator = _ask(env, escape(_("Generator")))
        for spec in infos[generator].params:
            env.err.print(f"  {spec.name}: {escape(spec.describe())}", highlight=False)
        while True:
            line = _ask(
                env, escape(_("Narrow a parameter (name=1,2 or name=1..3; empty to go on)"))
            )
            if not line:
                break
            try:
                name, value = parse_param(line)
            except UsageError as error:
                env.err.print(f"[red]{escape(str(error))}[/]")
                continue
            params[name] = value
    optional = escape(_("{field} (optional)"))
    field = "[bold]" + escape(_("Question")) + "[/]"
    question = _read_block(
        env, _markup_field(optional, "field", field) if kind == "compute" else field
    )
    answer = None
    if kind != "compute":
        field = "[bold]" + escape(_("Answer")) + "[/]"
        answer = _read_block(
            env, _markup_field(optional, "field", field) if kind == "cloze" else field
        )
    tags = _ask(env, escape(_("Tags (space-separated, optional)"))).replace(",", " ").split()
    return card_data(
        question, answer, card_type=kind, tags=tags, generator=generator, params=params or None
    )


def _run_editor(env: Env, path: Path, line: int | None = None) -> None:
    """Run the user's editor on a file and wait for it, at ``line`` where given."""
    from cvquiz.cli.editor import run_editor

    status = run_editor(env.environ, path, line)
    if status != 0:
        raise CvquizError(
            _("the editor exited with status {status}; nothing was changed").format(status=status)
        )


def _require_terminal(env: Env, command: str) -> None:
    """Refuse to open an editor without a terminal (it would wait for keys that never come)."""
    if not env.stdin_is_tty:
        raise UsageError(
            _("{command} opens your editor, which needs a terminal; none is attached").format(
                command=command
            )
        )


def _editor_runner(env: Env) -> Callable[[Path, int], None]:
    return lambda path, line: _run_editor(env, path, line)


def _report_added(env: Env, result: AddResult, as_json: bool) -> None:
    env.collection(written=[result.written] if result.written else [])
    if as_json:
        print_json(env, result)
        return
    if result.created:
        created = _("Created deck {deck} in {path}").format(deck=result.deck, path=result.path)
        env.err.print(escape(created), highlight=False, soft_wrap=True)
    for card in result.added:
        line = _("Added {card}  {path}:{line}").format(
            card=card.ref, path=result.path, line=card.line
        )
        env.out.print(escape(line), highlight=False, soft_wrap=True)


@handle_errors
def add(
    ctx: typer.Context,
    deck: Annotated[
        str | None, typer.Option("--deck", "-d", help="Your deck to add to (created if new).")
    ] = None,
    question: Annotated[str | None, typer.Option("--question", "-q", help="The question.")] = None,
    answer: Annotated[
        str | None, typer.Option("--answer", "-a", help="The answer; '-' reads it from stdin.")
    ] = None,
    card_type: Annotated[
        str | None, typer.Option("--type", help="basic (default), reversed, cloze or compute.")
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="A URL to read more.")] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The language of the text (zh or en); default: both."),
    ] = None,
    explanation: Annotated[
        str | None, typer.Option("--explanation", help="Shown after the answer.")
    ] = None,
    generator: Annotated[
        str | None, typer.Option("--generator", help="Compute cards: the generator.")
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option("--param", help="Compute cards: narrow a parameter, name=1,2 or name=1..3."),
    ] = None,
    editor: Annotated[
        bool, typer.Option("--editor", "-e", help="Write the card in $VISUAL / $EDITOR.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Interactive: add without asking to confirm.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Add a card to one of your decks (flags, prompts, or your editor).

    Example: cvquiz add --deck my/interviews -q "Why 1x1 convolutions?" -a "Mix channels cheaply."
    """
    from cvquiz.cards import (
        add_cards,
        add_with_editor,
        card_data,
        check_new_tag,
        parse_param,
        text_data,
    )
    from cvquiz.cards.fields import check_typed_text

    env = get_env(ctx)
    if answer == "-":
        answer = read_stdin_text("--answer")
    narrowed = dict(parse_param(p) for p in params or ())
    kind = card_type or ("compute" if generator else "basic")
    if editor:
        for field, value in (("question", question), ("answer", answer)):
            check_typed_text(field, value)
        check_typed_text("explanation", explanation)
        check_typed_text("tags", *(tags or ()))
        check_typed_text("source", source)
        known: dict[str, Any] = {"type": kind}
        for field, value in (
            ("question", question),
            ("answer", answer),
            ("explanation", explanation),
        ):
            if value and value.strip():
                known[field] = text_data(value.strip(), lang)
        if tags:
            known["tags"] = [check_new_tag(t) for t in tags]
        if source:
            known["source"] = source
        if generator:
            known["generator"] = generator
        if narrowed:
            known["params"] = narrowed
        _require_terminal(env, "cvquiz add --editor")
        result = add_with_editor(
            env.paths.decks, env.paths.bundled, deck, known, _editor_runner(env)
        )
        if result is None:
            env.err.print(escape(_("Cancelled: the card was empty.")))
            raise typer.Exit(1)
    elif question is not None or (kind == "compute" and generator):
        if not deck:
            raise UsageError(_("name the deck: --deck my/interviews"))
        data = card_data(
            question,
            answer,
            card_type=kind,
            tags=tags or (),
            source=source,
            lang=lang,
            explanation=explanation,
            generator=generator,
            params=narrowed or None,
        )
        result = add_cards(env.paths.decks, env.paths.bundled, deck, [data])
    else:
        target = deck or _choose_deck(env)
        data = _interactive_card(env, card_type)
        if source:
            data["source"] = source
        preview = add_cards(env.paths.decks, env.paths.bundled, target, [data], dry_run=True)
        env.err.print(
            card_panel({**data, "id": preview.added[0].id}, env.lang, preview.added[0].ref)
        )
        if not yes and not _confirm(env, escape(_("Add this card?"))):
            env.err.print(RichText(_("Cancelled; nothing was written.")))
            raise typer.Exit(1)
        result = add_cards(env.paths.decks, env.paths.bundled, target, [data])
    _report_added(env, result, as_json)


# ----------------------------------------------------------------------------------------------------------
# show, search, edit


def _when(iso: str | None) -> str:
    return "-" if iso is None else iso.replace("T", " ")[:16]


@handle_errors
def show(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="deck/id, or a unique prefix of it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a card: its text, deck file and line, scheduling state and review history.

    Example: cvquiz show losses/ce-grad-softmax
    """
    from cvquiz import cards

    env = get_env(ctx)
    details = cards.show(env.collection(), card)
    attempts = _code_attempts(env, details.ref) if details.type == "code" else None
    if as_json:
        data = asdict(details)
        if attempts is not None:
            data["attempts"] = [asdict(a) for a in attempts]
        print_json(env, data)
        return
    from cvquiz.model import CardType

    title = f"{details.ref} ({CardType(details.type).label})"
    env.out.print(card_panel({**details.content, "tags": list(details.tags)}, env.lang, title))
    where = (_("{path}:{line} (bundled)") if details.bundled else _("{path}:{line}")).format(
        path=details.path, line=details.line
    )
    env.out.print(
        styled(_("{file} {where}"), {"file": "dim"}, file=_("file"), where=where),
        highlight=False,
        soft_wrap=True,
    )
    # no inner borders: eight columns and a due time fit 80 columns, the headers whole
    table = Table(
        title=escape(_("Schedule")), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0)
    )
    several = len({s.ord for s in details.schedule} | {r.ord for r in details.reviews}) > 1
    for column in (
        *((N_("card"),) if several else ()),  # which card of a reversed or cloze entry
        N_("state"),
        N_("due"),
        N_("stability"),
        N_("difficulty"),
        N_("reps"),
        N_("lapses"),
        N_("flags"),
    ):
        table.add_column(escape(_(column)), no_wrap=column == "due")
    for s in details.schedule:
        flags = [_(n) for n, on in ((N_("suspended"), s.suspended), (N_("leech"), s.leech)) if on]
        if s.buried_until:
            flags.append(_("buried until {day}").format(day=s.buried_until))
        table.add_row(
            *((str(s.ord),) if several else ()),
            _state(s.state),
            _when(s.due),
            "-" if s.stability is None else _("{n}d").format(n=f"{s.stability:.2f}"),
            "-" if s.difficulty is None else f"{s.difficulty:.2f}",
            str(s.reps),
            str(s.lapses),
            escape(_(", ").join(flags)),
        )
    env.out.print(table)
    if attempts is not None:
        from cvquiz.cli.code_view import attempts_table

        env.out.print(attempts_table(attempts))
    if not details.reviews:
        env.out.print(RichText(_("No reviews yet."), style="dim"))
        return
    history = Table(
        title=escape(_("Review history")),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
    )
    for column in (
        N_("when (UTC)"),
        *((N_("card"),) if several else ()),
        N_("rating"),
        N_("state"),
        N_("time"),
        N_("answer"),
    ):
        history.add_column(escape(_(column)))
    for r in details.reviews:
        mark = "" if r.correct is None else "✓" if r.correct else "✗"
        typed = " ".join(
            part for part in ("" if r.answer is None else escape(r.answer), mark) if part
        )
        history.add_row(
            _when(r.reviewed_at),
            *((str(r.ord),) if several else ()),
            _(RATING_LABELS[r.rating]) if r.rating in RATING_LABELS else str(r.rating),
            f"{_state(r.state_before)} → {_state(r.state_after)}",
            "-" if r.duration_ms is None else _("{n}s").format(n=f"{r.duration_ms / 1000:.1f}"),
            typed,
        )
    env.out.print(history)


def _state(state: int) -> str:
    return _(STATE_NAMES[state]) if state in STATE_NAMES else str(state)


def _code_attempts(env: Env, ref: str) -> list[Any]:
    from cvquiz import cards
    from cvquiz.codecards.attempts import card_attempts

    col = env.collection()
    return list(card_attempts(col, cards.resolve(col, ref).pks))


@handle_errors
def edit(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="deck/id, or a unique prefix of it.")],
    revert: Annotated[
        bool,
        typer.Option(
            "--revert", help=_("Drop your version of a bundled card: the bundled one is back.")
        ),
    ] = False,
) -> None:
    """Open your editor at a card in its deck file; the file is saved only once it loads.

    A bundled card is first copied into your decks folder (overrides/DECK.yaml) as your own version, which keeps
    the card's history; --revert drops it again.

    Example: cvquiz edit losses/focal-loss
    """
    from cvquiz import cards
    from cvquiz.cards import overriding

    env = get_env(ctx)
    col = env.collection()
    if revert:
        done = overriding.revert(col, env.paths.decks, card)
        env.sync()
        env.out.print(
            escape(_("Reverted {card} to the bundled version.").format(card=done.ref)),
            highlight=False,
            soft_wrap=True,
        )
        return
    found = cards.resolve(col, card)
    _require_terminal(env, "cvquiz edit")
    if found.bundled:
        mine = overriding.override_target(col, env.paths.decks, card)
        if mine.created:
            env.err.print(
                escape(
                    _("Copied {card} into {path} as your own version (its history stays).").format(
                        card=mine.ref, path=mine.path
                    )
                ),
                highlight=False,
                soft_wrap=True,
            )
        target = cards.EditTarget(mine.ref, mine.path, mine.line)
    else:
        target = cards.edit_target(col, found.ref)
    from cvquiz.deckcheck import sound_deck

    result = cards.edit_file(target, env.paths.decks, _editor_runner(env), sound_deck)
    if not result.changed:
        env.err.print(escape(_("No change to {path}.").format(path=result.path)), highlight=False)
        return
    env.collection(written=[result.written] if result.written else [])
    env.err.print(escape(_("Saved and synced {path}.").format(path=result.path)), highlight=False)


# ----------------------------------------------------------------------------------------------------------
# import


def _restore_json(env: Env, path: Path, as_json: bool) -> None:
    """Restore a ``cvquiz export json`` backup into an empty collection."""
    from cvquiz.cli.commands_backup import counted
    from cvquiz.collection.backup import restore_json_file

    col = env.collection(sync=False)
    try:
        counts = restore_json_file(col, path)
    except CvquizError:
        env.discard_collection()  # a refused restore into a new collection leaves no empty file
        raise
    if as_json:
        print_json(env, counts)
        return
    env.err.print(
        RichText(
            _("Restored {decks}, {cards} and {reviews} from {path}").format(
                **counted(counts), path=path
            )
        ),
        highlight=False,
        soft_wrap=True,
    )


_SEPARATOR_NAMES = {"\t": N_("tab"), ",": N_("comma"), ";": N_("semicolon"), " ": N_("space")}


def _separator_label(separator: str) -> str:
    name = _SEPARATOR_NAMES.get(separator)
    return _(name) if name is not None else separator


@handle_errors
def import_(
    ctx: typer.Context,
    first: Annotated[
        str,
        typer.Argument(
            metavar="[KIND] FILE", help="The file, or a kind (anki, csv, json) then the file."
        ),
    ],
    second: Annotated[str | None, typer.Argument(hidden=True)] = None,
    deck: Annotated[
        str | None, typer.Option("--deck", "-d", help="Your deck to import into (created if new).")
    ] = None,
    separator: Annotated[
        str | None,
        typer.Option(
            "--separator",
            help="The field separator: one character, or tab, comma, semicolon (default: sniffed).",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="The columns in file order, e.g. question,answer,tags (skip to leave one out).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows even if some are malformed.")
    ] = False,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="With an Anki package and --deck: also bring in the scheduling of the notes it converts.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import an Anki package, Anki's plain-text notes or a CSV (or restore a JSON backup).

    An Anki package (.apkg, .colpkg) brings back the reviews of the cards cvquiz exported; with --deck its
    other notes become one of your decks.

    Example: cvquiz import anki ~/Downloads/phone.colpkg --dry-run
    """
    from cvquiz import cards
    from cvquiz.anki.importer import column_names, separator_named
    from cvquiz.cli.progress import progress_bar

    env = get_env(ctx)
    kind, name = (None, first) if second is None else (first.lower(), second)
    if kind not in (None, "anki", "csv", "json", "txt", "tsv"):
        raise UsageError(
            _("unknown kind {kind!r}: use anki, csv or json (or just give the file)").format(
                kind=first
            )
        )
    path = Path(name).expanduser()
    if kind in (None, "anki") and path.suffix.lower() in (".apkg", ".colpkg"):
        from cvquiz.cli.anki_import import import_anki_package

        import_anki_package(env, path, deck, dry_run, with_progress, as_json)
        return
    if with_progress:
        raise UsageError(_("--with-progress is for Anki packages (.apkg, .colpkg)"))
    if kind == "json" or (kind is None and path.suffix.lower() == ".json"):
        _restore_json(env, path, as_json)
        return
    text = read_text_file(path, TEXT_FILE_LIMIT, bom=True)
    filename = str(path) if kind != "csv" or path.suffix.lower() == ".csv" else str(path) + ".csv"
    with progress_bar(lambda: env.err) as progress:
        result = cards.import_notes(
            env.paths.decks,
            env.paths.bundled,
            text,
            filename,
            deck,
            dry_run=dry_run,
            skip_bad=skip_bad,
            separator=separator_named(separator) if separator is not None else None,
            columns=column_names(columns) if columns is not None else None,
            progress=progress,
        )
        if result.written is not None:
            env.collection(written=[result.written])
    for problem in result.problems:
        skipped = _("Skipped {problem}").format(problem=problem)
        env.err.print(escape(skipped), highlight=False, soft_wrap=True)
    if result.ignored_columns:
        ignored = _("Columns left out (cvquiz does not read them): {columns}").format(
            columns=", ".join(result.ignored_columns)
        )
        env.err.print(escape(ignored), highlight=False, soft_wrap=True)
    if as_json:
        print_json(env, result)
        return
    if not result.added and not result.skipped and not result.problems:
        nothing = _("Nothing to import: {file} holds no notes; {deck} is unchanged").format(
            file=path, deck=result.deck
        )
        env.err.print(escape(nothing), highlight=False, soft_wrap=True)
        return
    if dry_run:
        for card in result.added:
            would = _("would add {card}  {question}").format(card=card.ref, question=card.question)
            env.out.print(escape(would), highlight=False, soft_wrap=True)
        summary = ngettext(
            "Would add {count} card to {deck} ({path}); {skipped} already there",
            "Would add {count} cards to {deck} ({path}); {skipped} already there",
            len(result.added),
        )
    else:
        summary = ngettext(
            "Added {count} card to {deck} ({path}); {skipped} already there",
            "Added {count} cards to {deck} ({path}); {skipped} already there",
            len(result.added),
        )
    message = summary.format(
        count=len(result.added), deck=result.deck, path=result.path, skipped=result.skipped
    )
    env.err.print(escape(message), highlight=False, soft_wrap=True)
    if result.format == "csv" and separator is None:
        read_with = _("read as CSV, separated by {separator}").format(
            separator=_separator_label(result.separator)
        )
        env.err.print(escape(read_with), style="dim", highlight=False)
