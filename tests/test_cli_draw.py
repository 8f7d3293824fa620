"""The plain output of decks and status: box tables and styled lines drawn without rich's console.

Expected layouts are written out by hand; widths are checked with rich's own cell measure, colour decisions
against the rules rich documents (NO_COLOR, FORCE_COLOR, TERM=dumb, a terminal or not).
"""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len

from cvquiz.cli import draw


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _out(width: int = 80, color: bool = False) -> draw.Out:
    return draw.Out(io.StringIO(), width, color)


def test_a_table_in_rich_s_default_box() -> None:
    columns = [draw.Column("Deck"), draw.Column("Due", justify="right")]
    lines = draw.table(
        _out(), columns, [["conv", "3"], ["pooling", "12"]], title="Decks", footer=[["Total", "15"]]
    )
    assert lines == [
        "Decks",
        "┏━━━━━━━━━┳━━━━━┓",
        "┃ Deck    ┃ Due ┃",
        "┡━━━━━━━━━╇━━━━━┩",
        "│ conv    │   3 │",
        "│ pooling │  12 │",
        "├─────────┼─────┤",
        "│ Total   │  15 │",
        "└─────────┴─────┘",
    ]


def test_a_narrow_output_shortens_the_columns_that_shrink_with_an_ellipsis() -> None:
    columns = [
        draw.Column("Deck", shrinks=True),
        draw.Column("Id", max_width=6),
        draw.Column("N", justify="right"),
    ]
    rows = [["CV Interview::Convolution", "convolution", "41"], ["卷积神经网络与池化", "pool", "7"]]
    lines = draw.table(_out(width=30), columns, rows)
    assert all(cell_len(line) == 30 for line in lines)
    assert "│ CV Intervie… │ convo… │ 41 │" in lines
    assert (
        "│ 卷积神经网…  │ pool   │  7 │" in lines
    )  # a wide character that does not fit is left out


def test_text_is_never_markup_and_control_characters_are_dropped() -> None:
    out = _out()
    lines = draw.table(out, [draw.Column("Deck")], [["Mine::[b]old :fire:\x1b[31m"]])
    assert "│ Mine::[b]old :fire:[31m │" in lines


def test_styles_only_with_colour() -> None:
    cell: draw.Cell = [("Mine", ""), (" (yours)", "cyan")]
    assert _out().render(cell) == "Mine (yours)"
    assert _out(color=True).render(cell) == "Mine\x1b[36m (yours)\x1b[0m"
    assert _out(color=True).style("x", "bold red") == "\x1b[1;31mx\x1b[0m"


@pytest.mark.parametrize(
    ("tty", "environ", "color"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"TERM": "dumb"}, False),
        (False, {"FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_follows_the_terminal_and_the_environment(
    tty: bool, environ: dict[str, str], color: bool
) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert draw.Out.to(stream, environ).color is color


def test_width_is_columns_else_80_off_a_terminal() -> None:
    assert draw.Out.to(io.StringIO(), {"COLUMNS": "120"}).width == 120
    assert draw.Out.to(io.StringIO(), {}).width == 80


def test_the_caption_wraps_at_spaces_and_between_chinese_characters() -> None:
    assert draw.wrap("one two three four", 9) == ["one two", "three", "four"]
    lines = draw.wrap("以上都按学习卡片计：牌组文件", 10)
    assert lines == ["以上都按学", "习卡片计：", "牌组文件"]
    assert all(cell_len(line) <= 10 for line in lines)


def test_styled_text_wraps_where_plain_text_does_and_keeps_each_style() -> None:
    spans = [
        ("Today", "bold"),
        (" 2026-03-02   new ", ""),
        ("12", "bold blue"),
        ("   review ", ""),
        ("7", "green"),
    ]
    lines = draw.wrap_spans(spans, 20)
    plain = ["".join(text for text, _ in line) for line in lines]
    assert plain == draw.wrap("Today 2026-03-02   new 12   review 7", 20)
    assert lines[0][0] == ("Today", "bold")
    assert ("12", "bold blue") in lines[1] and ("7", "green") in lines[-1]
    chinese = draw.wrap_spans(
        [("近 30 天记忆保持率：", ""), ("91.2%", "bold"), (" 共 12 次复习", "")], 16
    )
    assert ["".join(text for text, _ in line) for line in chinese] == draw.wrap(
        "近 30 天记忆保持率：91.2% 共 12 次复习", 16
    )
    assert any(("91.2%", "bold") in line for line in chinese)


def test_a_table_without_a_box_pads_its_rows() -> None:
    columns = [draw.Column(""), draw.Column("", justify="right"), draw.Column("", style="cyan")]
    lines = draw.table(_out(), columns, [["today", "12", "██"], ["Tue", "3", ""]], box=False)
    assert lines == [" today  12  ██", " Tue     3"]
