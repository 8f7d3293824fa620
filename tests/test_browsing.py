"""The card browser in process: its state (rows, cursor, marks, actions, undo), the keys a terminal sends, and
the frames it draws at 80x24 in both languages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from cvquiz import i18n
from cvquiz.cards import SearchContext
from cvquiz.cards.browsing import Browser
from cvquiz.cli.browser import Screen, frame, keys
from cvquiz.collection import Collection
from cvquiz.config import DEFAULT_PARAMETERS
from cvquiz.query import QuerySyntaxError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DECK = "deck: many\nname: Many\ncards:\n" + "".join(
    f"  - id: c{n:02}\n    question: {{zh: 第{n}个问题, en: 'Question {n} about [b]w[/b]'}}\n    answer: a{n}\n"
    for n in range(1, 41)
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "many.yaml").write_text(DECK, encoding="utf-8")
    with Collection.open(tmp_path / "c.sqlite") as col:
        col.sync_decks(tmp_path / "none", decks, NOW)
        b = Browser(col, SearchContext(NOW, 4, DEFAULT_PARAMETERS[20]))
        b.run("deck:many")
        yield b


def test_moving_clamps_and_the_window_follows_the_cursor(browser: Browser) -> None:
    assert len(browser.hits) == 40 and browser.current is not None
    browser.move(-5)
    assert browser.cursor == 0
    assert browser.window(20) == range(0, 20)
    browser.move(25)
    assert browser.window(20) == range(6, 26)  # the cursor's row is the last on screen
    browser.end()
    assert browser.cursor == 39 and browser.window(20) == range(20, 40)
    browser.home()
    assert browser.window(20) == range(0, 20)


def test_actions_apply_to_the_marked_cards_else_the_cursors(browser: Browser) -> None:
    chosen = browser.targets()
    assert chosen is not None and chosen.refs == ("many/c01",)
    browser.toggle_mark()  # marks c01, moves to c02
    browser.move(2)
    browser.toggle_mark()  # c04
    chosen = browser.targets()
    assert chosen is not None and chosen.refs == ("many/c01", "many/c04")
    result = browser.act("suspend")
    assert result is not None and result.review_cards == 2
    assert [h.ref for h in browser.hits if h.suspended] == ["many/c01", "many/c04"]
    undone = browser.undo()
    assert undone.op == "suspend" and not any(h.suspended for h in browser.hits)
    browser.mark_all()
    assert len(browser.marked) == 40
    browser.mark_all()
    assert browser.marked == set()


def test_refining_keeps_the_old_rows_on_a_bad_query(browser: Browser) -> None:
    browser.run("a3")  # the answers a3 and a30..a39
    assert [h.id for h in browser.hits] == ["c03", *[f"c{n}" for n in range(30, 40)]]
    with pytest.raises(QuerySyntaxError):
        browser.run("prop:foo>1")
    assert browser.query == "a3" and len(browser.hits) == 11


def test_the_cursor_stays_on_its_card_when_the_rows_change(browser: Browser) -> None:
    browser.run("deck:many -is:suspended -is:buried")
    browser.move(5)  # c06
    browser.act("suspend")  # it leaves the rows: the cursor stays on the same line
    assert browser.current is not None and browser.current.id == "c07"
    browser.act("bury")
    browser.run()
    assert browser.current is not None and browser.current.id == "c08"


def test_tags_from_the_browser(browser: Browser) -> None:
    browser.toggle_mark()
    browser.toggle_mark()
    result = browser.tag("add", "exam")
    assert result is not None and result.changed == ("many/c01", "many/c02")
    assert browser.hits[0].tags == ("exam",)


def test_keys_from_a_terminal() -> None:
    assert keys("jk\x1b[A\x1b[B\r ") == ["j", "k", "up", "down", "enter", "space"]
    assert keys("\x1bOA\x1b[5~\x1b[6~\x1b[H\x1b[F\x7f\x1b") == [
        "up", "pageup", "pagedown", "home", "end", "backspace", "esc",
    ]  # fmt: skip
    assert keys("交叉熵") == ["交", "叉", "熵"]
    assert keys("\x03\x04\x15") == ["ctrl-c", "ctrl-d", "ctrl-u"]


def render(browser: Browser, screen: Screen, lang: str) -> list[str]:
    i18n.set_language(lang)
    console = Console(file=io.StringIO(), width=80, height=24, color_system=None, emoji=False)
    console.print(frame(browser, screen, 80, 24, lang))
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue().splitlines()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_frame_fills_80_by_24_exactly(browser: Browser, lang: str) -> None:
    from rich.cells import cell_len

    browser.move(30)
    browser.marked.add("many/c31")
    lines = render(browser, Screen(message="ok"), lang)
    assert len(lines) == 24 and all(cell_len(line) <= 80 for line in lines)
    assert "many/c31" in "\n".join(lines)  # the cursor's row is on screen
    assert ("第31个问题" if lang == "zh" else "Question 31 about [b]w[/b]") in "\n".join(lines)
    assert lines[0].startswith("browse deck:many" if lang == "en" else "浏览 deck:many")
    assert "q quit" in lines[-1] if lang == "en" else "q 退出" in lines[-1]


def test_the_prompt_help_and_card_views(browser: Browser) -> None:
    lines = render(browser, Screen(prompt="Search:", typed="is:new"), "en")
    assert lines[-2].startswith("Search: is:new")
    assert render(browser, Screen(view="help"), "en")[0] == "Keys"
    card = "\n".join(render(browser, Screen(view="card"), "en"))
    assert "many/c01" in card and "a1" in card and "Question 1 about [b]w[/b]" in card
