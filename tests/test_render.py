"""Card text in the terminal: markup is shown literally, math is Unicode, line breaks are kept."""

from __future__ import annotations

import io

from rich.console import Console

from cvquiz.cli.render import card_markdown, hard_breaks, plain


def render(text: str) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(card_markdown(text))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def test_markup_in_card_text_is_shown_not_interpreted() -> None:
    out = render("index w[b] and [bold]x[/bold]")
    assert "w[b]" in out
    assert "[bold]x[/bold]" in out


def test_math_becomes_unicode() -> None:
    assert "σ(x) = 1/(1 + e⁻ˣ)" in render(r"$\sigma(x) = \frac{1}{1+e^{-x}}$")


def test_single_newlines_are_kept_as_line_breaks() -> None:
    lines = [line.rstrip() for line in render("first line\nsecond line").splitlines()]
    assert lines[:2] == ["first line", "second line"]


def test_code_fences_are_left_alone() -> None:
    text = "```\nx = 1\ny = 2\n```"
    assert hard_breaks(text) == text


def test_cjk_text_renders() -> None:
    assert "交叉熵" in render("交叉熵损失")


def test_plain_text_has_no_markdown_escapes_and_markdown_shows_none() -> None:
    assert plain("a class fraction $f_c$ and $a*b$") == "a class fraction f_c and a * b"
    assert "f_c" in render("a class fraction $f_c$")
