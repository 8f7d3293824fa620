"""``cvquiz search`` and ``cvquiz browse``: the cards a query in Anki's search syntax matches.

``search`` prints one line per card; ``browse`` is an interactive table in a terminal (`cvquiz.cli.browser`)
and prints its rows otherwise. Both call `cvquiz.cards.searching.search`; docs/search.md describes the syntax.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvquiz.cli.context import QUERY_CONTEXT, Env, get_env, query_words
from cvquiz.cli.errors import handle_errors
from cvquiz.i18n import _, ngettext

if TYPE_CHECKING:
    from cvquiz.cards import SearchContext, SearchHit, SearchResult

SEARCH_HELP = _(
    "Find cards with Anki's search syntax (words, deck:, tag:, is:due, prop:ivl>=10...).\n\n"
    "Words and \"phrases\" must all match (any case, either language); 'or', '-' (not) and parentheses combine them. "
    "docs/search.md lists every term.\n\n"
    "Example: cvquiz search deck:losses -is:new 交叉熵"
)
BROWSE_HELP = _(
    "Browse the cards a search matches: a table to move through, refine, open and act on.\n\n"
    "In a terminal: up/down move, / refines the query, enter shows the card, s suspends, u unsuspends, "
    "b buries, f forgets, t adds a tag, z undoes, q quits. Without a terminal, or with --json, it prints "
    "the rows.\n\n"
    "Example: cvquiz browse is:due deck:detection"
)


def register(app: typer.Typer) -> None:
    """Add ``search`` and ``browse``."""
    app.command("search", help=SEARCH_HELP, context_settings=QUERY_CONTEXT)(search)
    app.command("browse", help=BROWSE_HELP, context_settings=QUERY_CONTEXT)(browse)


def search_context(env: Env) -> SearchContext:
    """What a search needs to know about now: the time, the rollover hour and the FSRS decay."""
    from cvquiz.cards import SearchContext

    settings = env.settings
    return SearchContext(env.now, settings.rollover_hour, float(settings.parameters[20]))


def _joined(words: list[str] | None) -> str:
    return " ".join(query_words(words))


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """A hit as JSON: everything but the collection's internal keys, the question as ``{zh, en}``."""
    from cvquiz.cli.jsonout import bilingual

    data = hit._asdict()
    data.pop("pks")
    data["question"] = bilingual(hit.question)
    return data


def _print_json(env: Env, data: Any) -> None:
    from cvquiz.cli.jsonout import print_json

    print_json(env, data)


def _count(env: Env, result: SearchResult) -> None:
    n = len(result.hits)
    env.err.print(
        ngettext("{count} card", "{count} cards", n).format(count=n) if n else _("No cards match."),
        highlight=False,
    )


QueryArg = Annotated[
    list[str] | None,
    typer.Argument(
        help=_("The search (several words are joined with spaces; nothing: every card)."),
        show_default=False,
    ),
]


@handle_errors
def search(
    ctx: typer.Context,
    query: QueryArg = None,
    deck: Annotated[
        str | None, typer.Option("--deck", help=_("Only this deck (and below), as deck: does."))
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", help=_("Only cards with this tag, as tag: does."))
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """Find cards with Anki's search syntax."""
    from cvquiz import cards
    from cvquiz.cli.search_view import print_lines

    env = get_env(ctx)
    result = cards.search(env.collection(), _joined(query), search_context(env), deck=deck, tag=tag)
    if as_json:
        _print_json(env, [hit_json(h) for h in result.hits])
        return
    print_lines(env.out, result.hits, env.lang)
    _count(env, result)


@handle_errors
def browse(
    ctx: typer.Context,
    query: QueryArg = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON rows."))] = False,
) -> None:
    """Browse the cards a search matches."""
    from cvquiz import cards
    from cvquiz.cli.search_view import print_table

    env = get_env(ctx)
    text = _joined(query)
    col = env.collection()
    interactive = not as_json and env.stdin_is_tty and env.out.is_terminal
    if interactive:
        from cvquiz.cli.browser import run_browser

        run_browser(env, col, text)
        return
    result = cards.search(col, text, search_context(env))
    if as_json:
        _print_json(env, [hit_json(h) for h in result.hits])
        return
    print_table(env.out, result.hits, env.lang)
    _count(env, result)
