"""Showing code cards in the terminal: a verdict with its first failure, code with syntax highlighting.

Used by ``cvquiz try``, the drill (a code card's back) and ``cvquiz show``. Every value shown (the person's output, inputs, code)
goes through `rich.text.Text` or `rich.syntax.Syntax`, never through markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.codecards.attempts import AttemptView
    from cvquiz.codecards.judge import Verdict
    from cvquiz.study.code_front import CodeResult


def code_card_parts(data: dict[str, Any], lang: str) -> list[RenderableType]:
    """A code card's judge and starter code, for the card panel of ``cvquiz show``."""
    from cvquiz.model import Text as CardText

    judge = data.get("judge") or {}
    parts: list[RenderableType] = [
        Text.assemble(
            (_("judge") + " ", "dim"),
            str(judge.get("reference")),
            ("  " + _("inputs") + " ", "dim"),
            str(judge.get("inputs") or _("the reference's own")),
        )
    ]
    starter = data.get("starter")
    if starter:
        parts.append(Text(_("starter code"), style="bold"))
        parts.append(code_block(CardText.from_data(starter).get(lang)))
    return parts


def code_block(code: str) -> RenderableType:
    """Python code, highlighted, with line numbers."""
    return Syntax(code.rstrip("\n"), "python", theme="ansi_dark", line_numbers=True, word_wrap=True)


def verdict_line(verdict: Verdict) -> Text:
    """The verdict in one line: ✓ or ✗ and the summary."""
    if verdict.passed:
        line = Text("✓ ", style="bold green")
        line.append(verdict.summary, style="bold green")
        line.append(_(" ({seconds:.1f} s)").format(seconds=verdict.seconds), style="dim")
        return line
    line = Text("✗ ", style="bold red")
    line.append(verdict.summary)
    return line


def verdict_details(verdict: Verdict, lang: str) -> RenderableType:
    """The verdict line, and the first failure's inputs, expected and returned values and printed output."""
    return Group(verdict_line(verdict), *failure_parts(verdict, lang))


def failure_parts(verdict: Verdict, lang: str) -> list[RenderableType]:
    """The first failure's case, inputs, expected and returned values and printed output (none if it passed)."""
    from cvquiz.codecards.judge import case_name

    parts: list[RenderableType] = []
    failure = verdict.first_failure
    if failure is None:
        return parts
    if failure.case:
        parts.append(Text(case_name(failure, lang), style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for name, shown in failure.shown_inputs:
            grid.add_row(name, Text(shown))
        grid.add_row(Text(_("expected"), style="green"), Text(failure.shown_expected))
        if failure.shown_got:
            grid.add_row(Text(_("got"), style="red"), Text(failure.shown_got))
        parts.append(grid)
    if failure.output.strip():
        parts.append(Text(_("it printed:"), style="dim"))
        parts.append(Text(failure.output.rstrip("\n"), style="dim"))
    return parts


def attempts_table(attempts: list[AttemptView]) -> RenderableType:
    """A code card's attempts, oldest first, and the latest attempt's code."""
    if not attempts:
        return Text(_("No attempts yet."), style="dim")
    table = Table(title=_("Attempts"), title_justify="left")
    for heading in (_("when (UTC)"), _("from"), _("verdict"), _("cases failed"), _("judged in")):
        table.add_column(heading)
    for attempt in attempts:
        verdict = (
            Text("✓", style="green")
            if attempt.passed
            else Text("✗ " + (attempt.kind or ""), style="red")
        )
        table.add_row(
            (attempt.attempted_at or "").replace("T", " ").removesuffix("Z")[:16],
            attempt.source,
            verdict,
            f"{attempt.failed}/{attempt.cases}",
            _("{n}s").format(n=f"{attempt.seconds:.1f}"),
        )
    latest = attempts[-1]
    return Group(
        table,
        Text(_("Latest attempt: {summary}").format(summary=latest.summary), style="dim"),
        code_block(latest.code),
    )


def result_body(result: CodeResult, lang: str) -> list[RenderableType]:
    """A code card's back in the drill: the latest attempt's first failure (if any) and the model solution."""
    from rich.panel import Panel

    parts: list[RenderableType] = []
    latest = result.latest
    if latest is not None and not latest.verdict.passed:
        failure = [Text(latest.verdict.summary), *failure_parts(latest.verdict, lang)]
        parts.append(
            Panel(
                Group(*failure),
                title=attempt_title(latest.number),
                title_align="left",
                border_style="red",
            )
        )
    if result.solution:
        parts.append(
            Panel(code_block(result.solution), title=_("model solution"), title_align="left")
        )
    return parts


def attempt_title(number: int) -> str:
    """ "attempt 2" (of this review)."""
    return _("attempt {number}").format(number=number)


def result_line(result: CodeResult, message: str) -> Text:
    """The verdict line under a code card's back: the latest attempt's verdict, or "no attempt"."""
    latest = result.latest
    if latest is None:
        line = Text("? " + _("no attempt"), style="bold yellow")
        line.append(" · " + message, style="default")
        return line
    verdict = latest.verdict
    if verdict.passed or not verdict.failed:
        line = verdict_line(verdict)
    else:  # the whole message is in the panel above
        line = Text("✗ ", style="bold red")
        line.append(
            _("failed {failed} of {cases} cases").format(failed=verdict.failed, cases=verdict.cases)
        )
    line.append(" · " + attempt_title(latest.number), style="dim")
    return line


def result_text(result: CodeResult, lang: str) -> str:
    """A code card's back as plain text (line mode): the verdict, the first failure and the model solution."""
    from rich.cells import cell_len

    from cvquiz.codecards.judge import case_name

    lines: list[str] = []
    latest = result.latest
    if latest is not None:
        verdict = latest.verdict
        mark = "✓" if verdict.passed else "✗"
        lines.append(f"{mark} {verdict.summary} · {attempt_title(latest.number)}")
        failure = verdict.first_failure
        if failure is not None and failure.case:
            label = _("{label}:")  # a full-width colon in Chinese
            lines.append(label.format(label=case_name(failure, lang)))
            rows = [(f"{name} =", shown) for name, shown in failure.shown_inputs]
            rows.append((label.format(label=_("expected")), failure.shown_expected))
            if failure.shown_got:
                rows.append((label.format(label=_("got")), failure.shown_got))
            for head, shown in rows:  # a matrix's later rows under its first
                indent = " " * (cell_len(head) + 3)
                lines.append(f"  {head} " + shown.replace("\n", "\n" + indent))
        if failure is not None and failure.output.strip():
            lines.append(_("it printed:"))
            lines.append(failure.output.rstrip("\n"))
    if result.solution:
        lines.append(_("model solution:"))
        lines.append(result.solution.rstrip("\n"))
    return "\n".join(lines)
