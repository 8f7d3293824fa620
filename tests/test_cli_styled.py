"""`styled`: a translated sentence with its fields filled in and some of them styled, never read as markup."""

from __future__ import annotations

from cvquiz.cli.styled import styled


def test_fields_are_filled_and_styled_where_the_translation_puts_them() -> None:
    text = styled("连续学习：{days}（{note}）", {"days": "bold"}, days="6 天", note="今天")
    assert text.plain == "连续学习：6 天（今天）"
    spans = [(text.plain[s.start : s.end], str(s.style)) for s in text.spans]
    assert spans == [("6 天", "bold")]


def test_markup_and_braces_are_text() -> None:
    text = styled("{{literal}} [bold]{name}[/]", name="w[b] :smile:")
    assert text.plain == "{literal} [bold]w[b] :smile:[/]"
    assert text.spans == []
