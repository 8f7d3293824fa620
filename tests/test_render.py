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


def test_line_mode_text_carries_no_markdown_markup() -> None:
    # what rich's Markdown renderer shows as styles, line mode shows as the bare text
    cases = {
        '鸡——**计算图**；`mode` 为 `"full"`': '鸡——计算图；mode 为 "full"',
        "a *b* and __c__": "a b and c",
        "see [torchvision](https://pytorch.org/vision/)": "see torchvision (https://pytorch.org/vision/)",
        "## Heading": "Heading",
        "```python\ndef f(x):\n    return x * 2\n```\nafter": "    def f(x):\n        return x * 2\nafter",
        "loss $\\frac{a}{b}$ is **$x^2$ big**": "loss a/b is x² big",
        "\\*not emphasis\\*": "*not emphasis*",
    }
    for text, expected in cases.items():
        assert plain(text) == expected, text


def test_line_mode_keeps_what_only_looks_like_markup() -> None:
    # identifiers, products and code keep their characters
    for text in ("f_c_x and e_f_", "2*3*4", "a * b", "`x**2` stays", "snake_case_name"):
        expected = text.replace("`", "")
        assert plain(text) == expected, text


def test_line_mode_tables_are_columns_aligned_by_display_width() -> None:
    """A worked solution's Markdown table showed its pipes and |---| rule in line mode."""
    text = (
        "before\n\n| 类别 $c$ | $z_c$ | **p** |\n|---|:--:|---|\n| 0 | $e^{2}$ | 0.6 |\n"
        "| 12 | -1 | a \\| b |\n\nafter"
    )
    assert plain(text).splitlines() == [
        "before",
        "",
        "类别 c  z_c  p",
        "------  ---  -----",
        "0       e²   0.6",
        "12      -1   a | b",
        "",
        "after",
    ]
    assert plain("| a | b |\n|---|---|\n| 1 | 2 |").splitlines() == ["a  b", "-  -", "1  2"]
    assert plain("a | b is not a table") == "a | b is not a table"
