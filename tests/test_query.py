"""The search syntax: what each term, negation, ``or`` and parentheses parse to, and errors that name the column."""

from __future__ import annotations

import pytest

from cvquiz.query import (
    MAX_DEPTH,
    MAX_TERMS,
    All,
    And,
    CardTerm,
    DeckTerm,
    IntroducedTerm,
    Not,
    Or,
    Pattern,
    PropTerm,
    QuerySyntaxError,
    RatedTerm,
    StateTerm,
    TagTerm,
    TextTerm,
    parse,
)


def text(*parts: str) -> TextTerm:
    return TextTerm(Pattern(parts))


def test_nothing_is_everything() -> None:
    assert parse("") == All()
    assert parse("   ") == All()


def test_words_and_phrases() -> None:
    assert parse("softmax") == text("softmax")
    assert parse("交叉熵 gradient") == And((text("交叉熵"), text("gradient")))
    assert parse('"cross entropy"') == text("cross entropy")
    assert parse('"say \\"hi\\""') == text('say "hi"')


def test_a_star_is_a_wildcard_and_a_backslash_escapes() -> None:
    assert parse("soft*max") == text("soft", "max")
    assert parse("soft\\*max") == text("soft*max")
    assert parse("foo\\:bar") == text("foo:bar")
    assert parse("max-pool") == text("max-pool")  # a minus inside a word is text
    assert parse("max\\(0") == text("max(0")  # an escaped parenthesis does not group
    assert parse("\\-5") == text("-5")  # nor does an escaped minus negate


def test_and_is_implicit_or_written() -> None:
    assert parse("a b") == parse("a and b") == parse("a AND b") == And((text("a"), text("b")))


def test_or_binds_looser_than_and() -> None:
    assert parse("a b or c") == Or((And((text("a"), text("b"))), text("c")))
    assert parse("a OR b or c") == Or((text("a"), text("b"), text("c")))


def test_parentheses_group() -> None:
    assert parse("a (b or c)") == And((text("a"), Or((text("b"), text("c")))))
    assert parse("((a))") == text("a")


def test_a_minus_negates_a_term_or_a_group() -> None:
    assert parse("-a") == Not(text("a"))
    assert parse("-deck:x b") == And((Not(DeckTerm(Pattern(("x",)))), text("b")))
    assert parse("-(a or b)") == Not(Or((text("a"), text("b"))))
    assert parse("--a") == Not(Not(text("a")))


def test_deck() -> None:
    assert parse("deck:losses") == DeckTerm(Pattern(("losses",)))
    assert parse("deck:prac*") == DeckTerm(Pattern(("prac", "")))
    assert parse('deck:"CV Interview::Losses"') == DeckTerm(Pattern(("CV Interview::Losses",)))
    assert parse('"deck:CV Interview"') == DeckTerm(Pattern(("CV Interview",)))
    assert parse("DECK:x") == DeckTerm(Pattern(("x",)))  # keys in any case


def test_tag() -> None:
    assert parse("tag:losses::focal") == TagTerm(Pattern(("losses::focal",)))
    assert parse("tag:loss*") == TagTerm(Pattern(("loss", "")))
    assert parse("tag:none") == TagTerm(None)


def test_card() -> None:
    assert parse("card:losses/ce-gradient") == CardTerm(Pattern(("losses/ce-gradient",)))
    assert parse("card:ce-*") == CardTerm(Pattern(("ce-", "")))


@pytest.mark.parametrize("state", ["new", "learn", "review", "due", "suspended", "buried", "leech"])
def test_is(state: str) -> None:
    assert parse(f"is:{state}") == StateTerm(state)
    assert parse(f"is:{state.upper()}") == StateTerm(state)


@pytest.mark.parametrize(
    ("written", "name", "op", "value"),
    [
        ("prop:ivl>=10", "ivl", ">=", 10),
        ("prop:due<=3", "due", "<=", 3),
        ("prop:due=-1", "due", "=", -1),
        ("prop:lapses>2", "lapses", ">", 2),
        ("prop:reps!=0", "reps", "!=", 0),
        ("prop:s<1.5", "s", "<", 1.5),
        ("prop:d>7", "d", ">", 7),
        ("prop:r<0.8", "r", "<", 0.8),
    ],
)
def test_prop(written: str, name: str, op: str, value: float) -> None:
    assert parse(written) == PropTerm(name, op, value)


def test_rated_and_introduced() -> None:
    assert parse("rated:7") == RatedTerm(7)
    assert parse("rated:1:1") == RatedTerm(1, 1)
    assert parse("introduced:30") == IntroducedTerm(30)


def test_a_pattern_matches_whole_values_ignoring_case() -> None:
    assert Pattern(("prac", "")).matches("Practice/conv")
    assert Pattern(("", "::losses")).matches("CV::Losses")
    assert Pattern(("a", "b", "c")).matches("a-b-c") and not Pattern(("a", "b", "c")).matches("acb")
    assert not Pattern(("abc",)).matches("abcd")


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        (
            "deck:losses prop:foo>3",
            18,
            "unknown property 'foo': use ivl, due, lapses, reps, s, d, r",
        ),
        ("prop:rep>3", 6, "unknown property 'rep' (did you mean 'reps'?)"),
        ("prop:ivl", 9, "prop:ivl needs a comparison"),
        ("prop:ivl>=x", 11, "prop:ivl compares with a number, not 'x'"),
        ("prop:ivl>1.5", 10, "prop:ivl compares with a whole number"),
        ("prop:", 6, "prop: needs a value"),
        ("a is:nwe", 6, "unknown state 'nwe' (did you mean 'new'?)"),
        ("rated:0", 7, "rated: takes a number of days from 1"),
        ("rated:3:5", 9, "the rating is 1 (again), 2 (hard), 3 (good) or 4 (easy), not '5'"),
        ("introduced:x", 12, "introduced: takes a number of days"),
        (
            "tga:x",
            1,
            "unknown search key 'tga' (did you mean 'tag'?); to find the text, write tga\\:x",
        ),
        ("a (b", 3, "this '(' is never closed"),
        ("a b)", 4, "this ')' has no '(' to close"),
        ("a ()", 3, "empty parentheses"),
        ("or a", 1, "'or' needs a search on both sides"),
        ("a or", 3, "'or' needs a search on both sides"),
        ("a or or b", 3, "'or' needs a search on both sides"),
        ("a and", 3, "'and' needs a search on both sides"),
        ("a -", 3, "'-' must stand right before the search it negates"),
        ('a "b c', 3, "this quote is never closed"),
        ('""', 1, "empty quotes"),
        ("a\\", 2, "a backslash escapes the character after it, and there is none"),
        ("deck:x b\\", 9, "to find a backslash, write \\\\"),
        (
            "prop:ivl>=99999999999999999999999999",
            11,
            "prop:ivl compares with a number from 0 to 36500, not '99999999999999999999999999'",
        ),
        ("prop:ivl>-1", 10, "prop:ivl compares with a number from 0 to 36500"),
        ("prop:due<-36501", 10, "from -36500 to 36500"),
        ("prop:reps>1e10", 11, "prop:reps compares with a number from 0 to 1000000000"),
        ("prop:lapses>-1", 13, "from 0 to 1000000000"),
        ("prop:s>1e308", 8, "prop:s compares with a number from 0 to 1000000000, not '1e308'"),
        ("prop:d>1e308", 8, "prop:d compares with a number from 1 to 10, not '1e308'"),
        ("prop:d<0.5", 8, "from 1 to 10"),
        ("prop:r<1.5", 8, "prop:r compares with a number from 0 to 1"),
    ],
)
def test_errors_name_the_column(query: str, column: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.column == column
    assert message in caught.value.problem
    assert str(caught.value).startswith(f"search: column {column}: ")


@pytest.mark.parametrize(
    ("written", "name", "op", "value"),
    [
        ("prop:ivl<=36500", "ivl", "<=", 36500),
        ("prop:ivl>=0", "ivl", ">=", 0),
        ("prop:due>=-36500", "due", ">=", -36500),
        ("prop:reps<1000000000", "reps", "<", 1_000_000_000),
        ("prop:s<1e9", "s", "<", 1e9),
        ("prop:d>=1", "d", ">=", 1),
        ("prop:d<=10", "d", "<=", 10),
        ("prop:r>0", "r", ">", 0),
        ("prop:r<=1", "r", "<=", 1),
    ],
)
def test_prop_takes_each_propertys_whole_range(
    written: str, name: str, op: str, value: float
) -> None:
    assert parse(written) == PropTerm(name, op, value)


def test_a_backslash_before_a_character_escapes_it_even_at_the_end() -> None:
    assert parse("a\\\\") == text("a\\")
    assert parse('"a\\\\"') == text("a\\")


def test_nesting_deeper_than_the_limit_is_refused_before_python_recurses() -> None:
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == text("a")
    assert parse("-" * MAX_DEPTH + "a") is not None
    with pytest.raises(QuerySyntaxError) as caught:
        parse("(" * 2000)
    assert caught.value.column == MAX_DEPTH + 1
    assert (
        f"nests parentheses and '-' too deeply: at most {MAX_DEPTH} levels" in caught.value.problem
    )
    with pytest.raises(QuerySyntaxError, match="too deeply"):
        parse("-(" * (MAX_DEPTH // 2) + "-a" + ")" * (MAX_DEPTH // 2))
    with pytest.raises(QuerySyntaxError, match="too deeply"):
        parse("-" * 5000 + "a")


def test_more_terms_than_the_limit_are_refused() -> None:
    assert isinstance(parse(" or ".join(["a"] * MAX_TERMS)), Or)
    with pytest.raises(QuerySyntaxError) as caught:
        parse("a or " * 3000 + "a")
    assert caught.value.column == len("a or ") * MAX_TERMS + 1
    assert caught.value.problem == f"the search is too long: at most {MAX_TERMS} terms"
