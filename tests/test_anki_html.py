"""Card text as Anki field HTML: escaping, MathJax delimiters, Markdown, CJK, both languages."""

from __future__ import annotations

import re
import warnings

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cvquiz.anki.html import (
    _fast_html,
    _html,
    _normalize,
    math_segments,
    render_markdown,
    render_text,
)
from cvquiz.model import Text

# The renderer the fast path must agree with, configured here independently of the module under test.
REFERENCE = MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False}).enable(
    ["table", "strikethrough"]
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain words", "plain words"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('a & b "c" <d>', "a &amp; b &quot;c&quot; &lt;d&gt;"),
        ("卷积的 full 模式从哪里开始计算？", "卷积的 full 模式从哪里开始计算？"),
        ("x $a_i * b_i$ y", r"x \(a_i * b_i\) y"),
        ("$a < b$ & $c>d$", r"\(a &lt; b\) &amp; \(c&gt;d\)"),
        ("$$\\sum_i x_i^2$$", r"\[\sum_i x_i^2\]"),
        ("first\nsecond", "first<br>\nsecond"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("`np.convolve` is **fast**", "<code>np.convolve</code> is <strong>fast</strong>"),
        ("`$HOME` stays", "<code>$HOME</code> stays"),
        ("costs $5 and $10", "costs $5 and $10"),
        (r"a \$ sign and $x$", r"a $ sign and \(x\)"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("", ""),
    ],
)
def test_render_markdown(text: str, html: str) -> None:
    assert render_markdown(text) == html


def test_math_inside_code_blocks_is_left_alone() -> None:
    html = render_markdown("```python\nx = '$a_b$'\n```")
    assert html == "<pre><code class=\"language-python\">x = '$a_b$'\n</code></pre>"


def test_cloze_math_never_closes_a_deletion_early() -> None:
    text = "softmax {{c1::$e^{z_{i}}$}} over {{c2::$\\sum_j e^{z_{j}}$}}"
    html = render_markdown(text, cloze=True)
    assert html == r"softmax {{c1::\(e^{z_{i} }\)}} over {{c2::\(\sum_j e^{z_{j} }\)}}"
    assert (
        render_markdown(text) == r"softmax {{c1::\(e^{z_{i}}\)}} over {{c2::\(\sum_j e^{z_{j}}\)}}"
    )


def test_render_text_languages() -> None:
    text = Text(zh="零填充 $p$", en="zero padding $p$")
    assert render_text(text, "zh") == r"零填充 \(p\)"
    assert render_text(text, "en") == r"zero padding \(p\)"
    assert render_text(text, "both") == (
        r'<div lang="zh">零填充 \(p\)</div><div lang="en">zero padding \(p\)</div>'
    )
    assert render_text(Text(en="only English"), "zh") == "only English"
    assert render_text(Text(zh="同", en="同"), "both") == "同"
    assert render_text(None, "both") == ""


def test_math_segments_split() -> None:
    assert list(math_segments("a $x$ b $$y$$")) == [
        ("a ", False, False),
        ("x", True, False),
        (" b ", False, False),
        ("y", True, True),
    ]


_PROSE = st.lists(
    st.sampled_from(
        [
            *"abcXYZ 019.,:;()'\"-+=#*_`$\\<>&|~![]{}\n\t\r卷积模式",
            "\n\n",
            "   ",
            "word",
            "``",
            "`code`",
            "___",
            "\r\n",
            "\u3000",
            "**",
            "\n- ",
            "1. ",
            "|a|b|\n|-|-|\n",
            "**b**",
            " *i* ",
            "`*`",
            "，",
        ]
    ),
    max_size=40,
).map("".join)


_PLAIN = st.lists(
    st.sampled_from(
        [*"ab 01.,:;()'\"-+=#`\n\t", "\n\n", "  ", "word", "``", "`c d`", "` x `", "卷积"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_PROSE, _PLAIN))
def test_fast_path_agrees_with_markdown_it(text: str) -> None:
    fast = _fast_html(_normalize(text))
    if fast is not None:
        assert fast == REFERENCE.render(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_PROSE, _PLAIN))
def test_every_shortcut_gives_what_markdown_it_gives(text: str) -> None:
    assert _html(text) == REFERENCE.render(text)
    if "$" not in text:
        reference = REFERENCE.render(text)
        if (
            reference.count("<p>") == 1
            and reference.startswith("<p>")
            and reference.endswith("</p>\n")
        ):
            reference = reference[3:-5]
        assert render_markdown(text) == reference.rstrip("\n")


@pytest.mark.parametrize(
    "text",
    [
        "plain prose.",
        "uses `np.pad` and ``a`b``",
        "mind **the** *stride*, (**not** the kernel)",
        "卷积 **不** 改变 `dtype`。",
        "第一行 `x`\n第二行",
        "one\n\ntwo `` ` ``",
    ],
)
def test_fast_path_takes_plain_prose_and_code_spans(text: str) -> None:
    assert _fast_html(text) == REFERENCE.render(text)


_ALLOWED_TAG = re.compile(
    r"</?(?:p|br|code|pre|strong|em|s|ul|ol|li|blockquote|h[1-6]|hr|table|thead|tbody|tr|th|td|a|img)"
    r"(?=[\s>/])"
)


@settings(max_examples=300, deadline=None)
@given(_PROSE)
def test_every_angle_bracket_in_the_output_is_a_tag_markdown_made(text: str) -> None:
    html = render_markdown(text)
    for match in re.finditer("<", html):
        assert _ALLOWED_TAG.match(html, match.start()), html
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert genanki.Note._find_invalid_html_tags_in_field(html) == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab_*^{}<>&\\ 12+")), min_size=1, max_size=20).filter(
        lambda s: s.strip() == s and "\\$" not in s and not s.endswith("\\")
    )
)
def test_formulas_reach_mathjax_escaped_but_otherwise_untouched(latex: str) -> None:
    html = render_markdown(f"see ${latex}$ here")
    escaped = latex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html == rf"see \({escaped}\) here"


_PUA_TEXT = st.text(
    alphabet=["a", " ", "$", "x", "\ue000", "\ue001", "\ue002", "0", "1", "o", "c", "*"]
)


@given(_PUA_TEXT)
def test_private_use_characters_in_card_text_survive_the_formula_placeholders(text: str) -> None:
    # The placeholders that hold formulas out of Markdown use U+E000/U+E001; card text may hold them too.
    html = render_markdown(text)
    for char in ("\ue000", "\ue001", "\ue002"):
        assert html.count(char) == text.count(char)


def test_a_placeholder_typed_in_card_text_is_not_taken_for_a_formula() -> None:
    assert render_markdown("see \ue0000\ue001 and $x$") == "see \ue0000\ue001 and \\(x\\)"
    assert render_markdown("\ue0005\ue001 $y$") == "\ue0005\ue001 \\(y\\)"
