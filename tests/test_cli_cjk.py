"""Chinese text wraps between characters in rich panels, tables and help, at any width."""

from __future__ import annotations

import io
import itertools

import pytest
from rich.cells import cell_len as cell_width
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from cvquiz.cli import cjk

TEXT = (
    "记录库文件（默认在你的用户数据目录；环境变量 CVQUIZ_COLLECTION）。softmax 交叉熵对 logits "
    "的梯度是什么？它等于 softmax(z) − y，其中 y 为 one-hot 标签，这一结论在反向传播中非常常用，"
    "也是“数值稳定”的 log-sum-exp 技巧的出发点。"
)
CLOSING = "，。、；：？！）」』】》〉”’…"


def render(renderable: object, width: int) -> list[str]:
    cjk.enable()
    console = Console(file=io.StringIO(), width=width, no_color=True)
    console.print(renderable)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def inner(line: str) -> str:
    return line.strip("│ ")


@pytest.mark.parametrize("width", [30, 40, 80, 120])
def test_a_panel_wraps_chinese_without_cutting_or_half_empty_lines(width: int) -> None:
    lines = render(Panel(TEXT), width)[1:-1]
    assert all(cell_width(line) <= width for line in lines)
    body = [inner(line) for line in lines]
    assert "".join(body).replace(" ", "") == TEXT.replace(" ", "")  # nothing cut, no ellipsis
    assert not any(text and text[0] in CLOSING for text in body)
    # no half-empty lines: each line ends only where the next line's first piece would not fit
    room = width - 4
    for text, following in itertools.pairwise(body):
        first = next(iter(cjk.split(following))).rstrip()
        assert cell_width(text) + 1 + cell_width(first) > room, (text, following)


def test_latin_words_still_break_at_spaces_only() -> None:
    lines = [inner(line) for line in render(Panel("one-hot softmax " * 6), 24)[1:-1]]
    for line in lines:
        assert all(word in {"one-hot", "softmax"} for word in line.split())


def test_a_table_cell_wraps_chinese_too() -> None:
    table = Table("key", "meaning")
    table.add_row("lang", TEXT)
    lines = render(table, 50)
    assert not any("…" in line for line in lines)
    assert sum("梯度" in line for line in lines) == 1


def test_split_keeps_punctuation_with_its_neighbour() -> None:
    assert list(cjk.split("（默认）你好，世界。abc def")) == [
        "（默",
        "认）",
        "你",
        "好，",
        "世",
        "界。",
        "abc ",
        "def",
    ]
