"""Reading Anki's plain-text notes export and CSV: headers, quoting, HTML, note types, line numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvquiz.anki.importer import (
    NotesFormatError,
    anki_deck_id,
    card_type_for,
    clean_tag,
    html_to_markdown,
    parse_notes,
)

# Written by hand the way Anki 2.1.55+ writes "Notes in Plain Text" with every option ticked: a header naming
# the special columns, tab-separated fields, CSV quoting for fields that hold a quote or a line break.
ANKI_EXPORT = (
    "#separator:tab\n"
    "#html:true\n"
    "#guid column:1\n"
    "#notetype column:2\n"
    "#deck column:3\n"
    "#tags column:6\n"
    "f?2Gk8)aQ1\tBasic\tCV Interview::Losses\tWhat is <b>cross-entropy</b>?\t"
    "\\(-\\sum_k y_k \\log p_k\\)<br>for a one-hot <i>y</i>\tlosses formula\n"
    "Hq7{p0Lz/e\tBasic (and reversed card)\tCV Interview::Losses\tSigmoid\t"
    "\\(\\sigma(x) = 1/(1+e^{-x})\\)\tactivations\n"
    'b9Lm$2Xw:r\tCloze\tCV Interview::Conv\tTwo 3x3 convs see {{c1::5x5}}\t"Back ""extra""\n'
    'on two lines"\tconv receptive:field\n'
    "c0Pq&7Yt+s\tBasic\tCV Interview::Conv\tWhy 1x1 convs?\t<ul><li>mix channels</li><li>cheap</li></ul>"
    "\tconv\n"
    'd1Rs*8Zu-t\tBasic\tCV Interview::Conv\tPicture\t<img src="conv.png"> &amp; more\t\n'
    "e2St^9Av=u\tBasic\tCV Interview::Conv\t什么是感受野？&nbsp;\t<div>输入区域</div><div>第二行</div>\t中文\n"
    "g3Tu%0Bw_v\tBasic\tCV Interview::Conv\tNo answer here\t\tbroken\n"
)


def test_anki_export_notes_become_cards() -> None:
    parsed = parse_notes(ANKI_EXPORT, "Interview.txt")
    assert parsed.format == "anki"
    assert parsed.html
    assert [r.line for r in parsed.rows] == [7, 8, 9, 11, 12, 13]
    first, rev, cloze, listed, image, chinese = (r.data for r in parsed.rows)
    assert first == {
        "type": "basic",
        "question": "What is **cross-entropy**?",
        "answer": "$-\\sum_k y_k \\log p_k$\nfor a one-hot *y*",
        "tags": ["losses", "formula"],
    }
    assert parsed.rows[0].key == "anki:f?2Gk8)aQ1"
    assert rev["type"] == "reversed" and rev["answer"] == "$\\sigma(x) = 1/(1+e^{-x})$"
    assert cloze == {
        "type": "cloze",
        "question": "Two 3x3 convs see {{c1::5x5}}",
        "answer": 'Back "extra"\non two lines',
        "tags": ["conv", "receptive_field"],
    }
    assert listed["answer"] == "- mix channels\n- cheap"
    assert image["answer"] == '<img src="conv.png"> &amp; more'  # not simple HTML: kept verbatim
    assert "tags" not in image
    assert chinese["question"] == "什么是感受野？"
    assert chinese["answer"] == "输入区域\n第二行"
    assert [(p.line, p.message) for p in parsed.problems] == [
        (14, "the answer (second field) is empty")
    ]


def test_deck_header_names_the_deck() -> None:
    parsed = parse_notes("#deck:CV Interview::Losses\n#separator:Comma\nq,a\n")
    assert parsed.deck == "CV Interview::Losses"
    assert anki_deck_id("CV Interview::Losses") == "cv-interview/losses"
    assert anki_deck_id("面试::损失") is None
    assert parsed.rows[0].data == {"type": "basic", "question": "q", "answer": "a"}


def test_notetype_header_and_tags_header_apply_to_every_note() -> None:
    text = (
        "#separator:;\n#notetype:Cloze\n#tags:imported cv::notes\n{{c1::ReLU}} is max(0, x);extra\n"
    )
    parsed = parse_notes(text)
    assert parsed.rows[0].data == {
        "type": "cloze",
        "question": "{{c1::ReLU}} is max(0, x)",
        "answer": "extra",
        "tags": ["imported", "cv::notes"],
    }
    assert not parsed.html  # without #html:true the fields are plain text
    assert parse_notes("#separator:Pipe\nq|<b>a</b>\n").rows[0].data["answer"] == "<b>a</b>"


def test_columns_header_names_the_tags_column() -> None:
    text = "#separator:tab\n#columns:Front\tBack\tTags\nq\ta\tx y\n"
    assert parse_notes(text).rows[0].data["tags"] == ["x", "y"]


def test_extra_fields_become_the_explanation_and_comments_are_skipped() -> None:
    text = "#separator:tab\n# a comment line\nq\ta\tmore\t\tand more\n\n"
    parsed = parse_notes(text)
    assert parsed.rows[0].data["explanation"] == "more\n\nand more"
    assert parsed.rows[0].line == 3


def test_optional_reversed_notes_are_reversed_only_when_asked() -> None:
    text = "#separator:tab\n#notetype column:1\nBasic (optional reversed card)\tq\ta\ty\nBasic (optional reversed card)\tq2\ta2\t\n"
    kinds = [r.data["type"] for r in parse_notes(text).rows]
    assert kinds == ["reversed", "basic"]


def test_csv_with_header_row() -> None:
    text = (
        "question,answer,tags\n"
        '"What is IoU?","Intersection over union",detection metrics\n'
        '"Comma, inside","yes, really",\n'
        "什么是 NMS？,非极大值抑制,detection\n"
        ",no question,\n"
        '"unclosed,quote\n'
    )
    parsed = parse_notes(text, "notes.csv")
    assert parsed.format == "csv"
    assert [r.data for r in parsed.rows] == [
        {
            "type": "basic",
            "question": "What is IoU?",
            "answer": "Intersection over union",
            "tags": ["detection", "metrics"],
        },
        {"type": "basic", "question": "Comma, inside", "answer": "yes, really"},
        {
            "type": "basic",
            "question": "什么是 NMS？",
            "answer": "非极大值抑制",
            "tags": ["detection"],
        },
    ]
    assert [p.line for p in parsed.problems] == [5, 6]
    assert parsed.problems[0].message == "the question is empty"
    assert "cannot read the record" in parsed.problems[1].message


def test_csv_header_aliases_and_unknown_columns() -> None:
    parsed = parse_notes("Front,Back,Extra\nq,a,e\n", "x.csv")
    assert parsed.rows[0].data == {
        "type": "basic",
        "question": "q",
        "answer": "a",
        "explanation": "e",
    }
    parsed = parse_notes("question,answer,colour\nq,a,red\n", "x.csv")
    assert parsed.ignored == ("colour",)  # the header row is read, its unknown column left out
    assert [r.data for r in parsed.rows] == [{"type": "basic", "question": "q", "answer": "a"}]


def test_bad_header_values_are_errors() -> None:
    with pytest.raises(NotesFormatError, match="separator"):
        parse_notes("#separator:double-dash\nq--a\n")
    with pytest.raises(NotesFormatError, match="column number"):
        parse_notes("#tags column:zero\nq\ta\n")


def test_empty_file_has_no_rows() -> None:
    assert parse_notes("").rows == ()
    assert parse_notes("#separator:tab\n\n").rows == ()


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<strong>x</strong> and <em>y</em>", "**x** and *y*"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"),
        ("x &lt; y &amp;&amp; z&nbsp;w", "x < y && z w"),
        ("\\[E = mc^2\\]", "$$E = mc^2$$"),
        ('<span style="color:red">x</span>', '<span style="color:red">x</span>'),
        ("<table><tr><td><b>1</b></td></tr></table>", "<table><tr><td><b>1</b></td></tr></table>"),
        ("<div class='c'>x</div>", "<div class='c'>x</div>"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@given(st.text(alphabet=st.characters(exclude_characters="<>&\\"), max_size=40))
def test_text_without_markup_passes_through(text: str) -> None:
    expected = " ".join(
        text.replace("\xa0", " ").split("\n")
    )  # only whitespace handling may differ
    assert html_to_markdown(text).split() == expected.split()


def test_tags_and_note_types() -> None:
    assert clean_tag("a:b") == "a_b"
    assert clean_tag("cv::conv") == "cv::conv"
    assert clean_tag(":::") is None
    assert card_type_for("填空题", ["x"]) == "cloze"
    assert card_type_for("问答题（含反向卡片）", ["x"]) == "reversed"
    assert card_type_for(None, ["{{c1::x}}"]) == "cloze"
    assert card_type_for("Basic (type in the answer)", ["q", "a"]) == "basic"
