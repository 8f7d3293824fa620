"""Tests for cvquiz.answers: reading typed answers and judging them."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvquiz.answers import (
    ABS_TOL_FLOOR,
    MAX_ANSWER_CHARS,
    AnswerKind,
    AnswerParseError,
    Judgement,
    ParsedAnswer,
    format_answer,
    judge,
    parse_answer,
)
from cvquiz.errors import CvquizError

K = AnswerKind


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("112", 112),
        ("  112  ", 112),
        ("112.", 112),
        ("１１２", 112),
        ("-3", -3),
        ("−3", -3),
        ("+7", 7),
        ("1e3", 1000),
        ("112.0", 112),
        ("007", 7),
    ],
)
def test_integer_reads_what_people_type(text: str, value: int) -> None:
    parsed = parse_answer(text, K.INTEGER)
    assert parsed.value == value
    assert type(parsed.value) is int
    assert parsed == ParsedAnswer(K.INTEGER, value, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.693", 0.693),
        (".693", 0.693),
        ("6.93e-1", 0.693),
        ("6.93E-1", 0.693),
        ("6.93×10^-1", 0.693),
        ("6.93 x 10^(-1)", 0.693),
        ("6.93*10**-1", 0.693),
        ("−0.5", -0.5),
        ("-.5", -0.5),
        ("０.６９３", 0.693),
        ("3", 3.0),
        ("1/3", 1 / 3),
        ("-2 / 4", -0.5),
        ("1e-3/2", 0.0005),
        ("0.693.", 0.693),
        ("0.693。", 0.693),
    ],
)
def test_number_reads_what_people_type(text: str, value: float) -> None:
    parsed = parse_answer(text, K.NUMBER)
    assert type(parsed.value) is float
    assert parsed.value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("112", (112,)),
        ("112x112", (112, 112)),
        ("112X112", (112, 112)),
        ("112×112", (112, 112)),
        ("112 × 112", (112, 112)),
        ("112*112", (112, 112)),
        ("(1, 64, 112, 112)", (1, 64, 112, 112)),
        ("1,64,112,112", (1, 64, 112, 112)),
        ("1 64 112 112", (1, 64, 112, 112)),
        ("[1, 64, 112, 112]", (1, 64, 112, 112)),
        ("（1，64，112，112）", (1, 64, 112, 112)),
        ("torch.Size([1, 64, 112, 112])", (1, 64, 112, 112)),
        ("(112,)", (112,)),
        ("()", ()),
        ("torch.Size([])", ()),
    ],
)
def test_shape_reads_what_people_type(text: str, value: tuple[int, ...]) -> None:
    assert parse_answer(text, K.SHAPE).value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[1, 2, 3]", (1, 2, 3)),
        ("1 2 3", (1, 2, 3)),
        ("1, 2, 3", (1, 2, 3)),
        ("(1, 2, 3)", (1, 2, 3)),
        ("1、2、3", (1, 2, 3)),
        ("【1，2，3】", (1, 2, 3)),
        ("[1, -2.5, 1/4]", (1, -2.5, 0.25)),
        ("[1 −2]", (1, -2)),
        ("[[1, 2, 3]]", (1, 2, 3)),
        ("1; 2; 3", (1, 2, 3)),
        ("[]", ()),
        ("[1, 2, 3,]", (1, 2, 3)),
    ],
)
def test_vector_reads_lists(text: str, value: tuple[float, ...]) -> None:
    assert parse_answer(text, K.VECTOR).value == value


def test_vector_keeps_integers_as_int() -> None:
    value = parse_answer("[1, 2.0, 3e0]", K.VECTOR).value
    assert isinstance(value, tuple)
    assert [type(x) for x in value] == [int, float, float]


@pytest.mark.parametrize(
    "text",
    [
        "[[1,2],[3,4]]",
        "[[1, 2], [3, 4]]",
        "1 2; 3 4",
        "1,2;3,4",
        "1 2\n3 4",
        "1 2\r\n3 4\n",
        "[[1 2]\n [3 4]]",
        "[1 2; 3 4]",
        "[1, 2]\n[3, 4]",
        "((1, 2), (3, 4))",
        "1 2;\n3 4;",
    ],
)
def test_matrix_reads_the_usual_notations(text: str) -> None:
    assert parse_answer(text, K.MATRIX).value == ((1, 2), (3, 4))


def test_matrix_single_row_and_single_number() -> None:
    assert parse_answer("1 2 3", K.MATRIX).value == ((1, 2, 3),)
    assert parse_answer("5", K.MATRIX).value == ((5,),)
    assert parse_answer("[]", K.MATRIX).value == ()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("Y", True),
        ("True", True),
        ("是", True),
        ("对", True),
        ("正确", True),
        ("no", False),
        ("No.", False),
        ("false", False),
        ("否", False),
        ("错", False),
        ("不是", False),
    ],
)
def test_boolean_reads_yes_and_no_in_both_languages(text: str, value: bool) -> None:
    assert parse_answer(text, K.BOOLEAN).value is value


def test_text_is_case_folded_and_trimmed() -> None:
    assert parse_answer("  Same  Padding. ", K.TEXT).value == "same padding"
    assert parse_answer("ＳＡＭＥ", K.TEXT).value == "same"


def test_kind_may_be_given_as_its_string() -> None:
    assert parse_answer("3", "integer").kind is K.INTEGER
    with pytest.raises(ValueError):
        parse_answer("3", "colour")


# --- unreadable answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("12a", K.SHAPE, 'could not read "12a" as a shape'),
        ("12a", K.SHAPE, "(try 112x112 or (1, 64, 112, 112))"),
        ("", K.INTEGER, "empty"),
        ("   ", K.NUMBER, "empty"),
        ("1,000", K.INTEGER, "type 1000"),
        ("0,693", K.NUMBER, "decimal point (0.693)"),
        ("nan", K.NUMBER, "nan and infinity are not accepted"),
        ("inf", K.NUMBER, "nan and infinity are not accepted"),
        ("-Infinity", K.NUMBER, "nan and infinity are not accepted"),
        ("∞", K.NUMBER, "nan and infinity are not accepted"),
        ("[1, nan]", K.VECTOR, "nan and infinity are not accepted"),
        ("69.3%", K.NUMBER, 'without "%"'),
        ("ln2", K.NUMBER, "as a number"),
        ("1/0", K.NUMBER, "division by zero"),
        ("1e400", K.NUMBER, "too large"),
        ("1e99999", K.NUMBER, "exponent is too large"),
        ("9" * 5000, K.INTEGER, "too many digits"),
        ("56.5", K.INTEGER, "not a whole number"),
        ("1x-2", K.SHAPE, "negative"),
        ("1.5x2", K.SHAPE, "whole numbers"),
        ("(1, (2))", K.SHAPE, "brackets"),
        ("1 2; 3", K.MATRIX, "row 2 has 1 entry but row 1 has 2"),
        ("[[1, 2], [3]]", K.MATRIX, "row 2 has 1 entry but row 1 has 2"),
        ("[[1, 2], 3]", K.MATRIX, "mixes numbers and rows"),
        ("[1, 2", K.VECTOR, 'missing "]"'),
        ("1, 2]", K.VECTOR, "never opened"),
        ("[1, 2)", K.VECTOR, '")" where "]" was expected'),
        ("1-2", K.VECTOR, "between two numbers"),
        ("[[1, 2], [3, 4]]", K.VECTOR, "nested"),
        ("[" * 50 + "]" * 50, K.MATRIX, "too deeply nested"),
        ("1 2; x", K.MATRIX, 'unexpected "x"'),
        ("maybe", K.BOOLEAN, "as yes or no"),
        ("x" * (MAX_ANSWER_CHARS + 1), K.TEXT, "longer than"),
    ],
)
def test_unreadable_answers_explain_themselves(text: str, kind: AnswerKind, fragment: str) -> None:
    with pytest.raises(AnswerParseError) as caught:
        parse_answer(text, kind)
    assert fragment in str(caught.value)
    assert caught.value.kind is kind
    assert caught.value.text == text


def test_parse_error_is_a_cvquiz_error_with_a_one_line_message() -> None:
    with pytest.raises(CvquizError) as caught:
        parse_answer("1 2\n3", K.MATRIX)
    assert "\n" not in str(caught.value)


def test_long_answers_are_shortened_in_the_message() -> None:
    with pytest.raises(AnswerParseError) as caught:
        parse_answer("a" * 500, K.NUMBER)
    assert len(str(caught.value)) < 150


# --- judging ---------------------------------------------------------------------------------------


def test_integer_is_exact() -> None:
    assert judge("112", 112, K.INTEGER).correct
    wrong = judge("111", 112, K.INTEGER)
    assert not wrong.correct
    assert wrong.message == "expected 112, got 111 (off by 1)"


def test_non_whole_number_for_an_integer_card_is_wrong_not_unreadable() -> None:
    verdict = judge("56.5", 56, K.INTEGER)
    assert not verdict.correct
    assert verdict.parsed.value == 56.5
    assert "not a whole number" in verdict.message
    with pytest.raises(AnswerParseError):
        judge("56.5.5", 56, K.INTEGER)


def test_number_default_tolerance_is_one_percent() -> None:
    ln2 = math.log(2)
    assert judge("0.693", ln2, K.NUMBER).correct
    assert judge("0.69", ln2, K.NUMBER).correct  # 0.45 % off
    assert not judge("0.68", ln2, K.NUMBER).correct  # 1.9 % off
    assert judge("0.69", ln2, K.NUMBER).message == "0.69 matches 0.693147 (within 1%)"
    wrong = judge("0.5", ln2, K.NUMBER)
    assert wrong.message == "0.5 does not match 0.693147 (within 1%; off by 0.193147, 27.9%)"
    # a percentage past what a float holds is left out ("inf%" was shown)
    huge = judge("1e308", ln2, K.NUMBER).message
    assert huge.endswith("(within 1%; off by 1e+308)") and "inf" not in huge


def test_number_tolerance_set_by_the_card() -> None:
    assert not judge("0.69", math.log(2), K.NUMBER, rel_tol=1e-3).correct
    assert judge("0.6929", math.log(2), K.NUMBER, rel_tol=1e-3).correct
    # Only abs_tol given: the default relative tolerance no longer applies.
    assert not judge("1005", 1000, K.NUMBER, abs_tol=1).correct
    assert judge("1000.5", 1000, K.NUMBER, abs_tol=1).correct


def test_number_decimals_rule() -> None:
    want = 0.6931
    assert judge("0.69", want, K.NUMBER, decimals=2).correct
    assert judge("0.694", want, K.NUMBER, decimals=2).correct  # rounds to 0.69
    assert judge("0.6949", 0.6851, K.NUMBER, decimals=2).correct  # both round to 0.69
    assert judge("0.6851", 0.6899, K.NUMBER, decimals=2).correct  # within half a unit
    assert not judge("0.70", want, K.NUMBER, decimals=2).correct
    assert not judge("0.6", want, K.NUMBER, decimals=2).correct
    assert judge("0.693", want, K.NUMBER, decimals=3).correct
    assert not judge("0.692", want, K.NUMBER, decimals=3).correct
    assert judge("0.125", 0.12, K.NUMBER, decimals=2).correct  # half a unit, despite binary floats
    assert "to 2 decimals" in judge("0.69", want, K.NUMBER, decimals=2).message


def test_number_near_zero_uses_the_absolute_floor() -> None:
    assert judge("0", 0.0, K.NUMBER).correct
    assert judge("0", ABS_TOL_FLOOR / 2, K.NUMBER).correct
    assert not judge("0.001", 0.0, K.NUMBER).correct


def test_expected_values_of_other_numeric_types() -> None:
    assert judge("1/3", Fraction(1, 3), K.NUMBER).correct
    assert judge("2", 2, K.NUMBER).correct
    assert judge("(2, 3)", [2, 3], K.SHAPE).correct


class _FakeArray:
    """Stands in for a NumPy array: answers only need `tolist`."""

    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = rows

    def tolist(self) -> list[list[float]]:
        return self.rows


def test_matrix_expected_as_array_like() -> None:
    assert judge("1 2; 3 4.001", _FakeArray([[1.0, 2.0], [3.0, 4.0]]), K.MATRIX).correct


def test_shape_messages() -> None:
    want = (1, 64, 112, 112)
    assert judge("(1, 64, 112, 112)", want, K.SHAPE).correct
    # a well-formed shape of the wrong rank is unreadable, not wrong: the card says how many it wants
    with pytest.raises(AnswerParseError) as short:
        judge("112x112", want, K.SHAPE, dim_names=("N", "C", "H", "W"))
    assert str(short.value) == (
        'could not read "112x112" as a shape: this card wants 4 numbers: (N, C, H, W) '
        "(try 1x64x112x112 or (1, 64, 112, 112))"
    )
    with pytest.raises(AnswerParseError, match=r"wants 2 numbers \(try 112x112 or \(112, 112\)\)"):
        judge("1x2x3", (5, 5), K.SHAPE)
    # a typo on a rank-2 card is hinted with rank-2 formats only
    with pytest.raises(AnswerParseError, match=r"\(try 112x112 or \(112, 112\)\)$"):
        judge("5 by 5", (5, 5), K.SHAPE)
    off = judge("1x64x111x112", want, K.SHAPE, dim_names=("N", "C", "H", "W"))
    assert off.message == "off by 1 in H (expected 112, got 111)"
    unnamed = judge("1x64x111x110", want, K.SHAPE)
    assert unnamed.message == (
        "off by 1 in dimension 3 (expected 112, got 111); "
        "off by 2 in dimension 4 (expected 112, got 110)"
    )


def test_single_int_answers_a_one_dimensional_shape() -> None:
    assert judge("10", (10,), K.SHAPE).correct
    assert judge("10", 10, K.SHAPE).correct


def test_vector_judging() -> None:
    assert judge("[0.5, 0.25]", [0.5, 0.2501], K.VECTOR).correct
    assert not judge("[0, 2]", [0, 1], K.VECTOR).correct
    assert judge("[0, 2]", [0, 1], K.VECTOR).message == "number 2 is 2, expected 1"
    assert judge("[1]", [1, 2], K.VECTOR).message == "expected 2 numbers, got 1"
    # named entries state the length: a list of the wrong length is then unreadable
    with pytest.raises(AnswerParseError, match=r"this card wants 2 numbers: \(fc, conv\)"):
        judge("[1]", [1, 2], K.VECTOR, dim_names=("fc", "conv"))
    # int entries are exact even where 1 % would let them through
    assert not judge("[1001]", [1000], K.VECTOR).correct
    assert judge("[1001]", [1000.0], K.VECTOR).correct


def test_matrix_judging() -> None:
    want = [[1, 2], [3, 4]]
    assert judge("1 2; 3 4", want, K.MATRIX).correct
    assert judge("1 2; 3 5", want, K.MATRIX).message == "entry (2, 2) is 5, expected 4"
    assert judge("1 2", want, K.MATRIX).message == "expected a 2×2 matrix, got 1×2"
    many = judge("0 0; 0 0", want, K.MATRIX)
    assert many.message.endswith("; and 1 more")


def test_boolean_and_text_judging() -> None:
    assert judge("是", True, K.BOOLEAN).correct
    assert judge("no", False, K.BOOLEAN).message == "no"
    assert judge("yes", "否", K.BOOLEAN).message == "expected no, got yes"
    assert judge("Same", "same", K.TEXT).correct
    assert judge("相同", ["same", "相同"], K.TEXT).correct
    wrong = judge("valid", ["same", "相同"], K.TEXT)
    assert not wrong.correct
    assert wrong.message == 'expected "same", got "valid"'


def test_judge_rejects_expected_values_that_do_not_fit() -> None:
    with pytest.raises(TypeError):
        judge("1", "one", K.INTEGER)
    with pytest.raises(TypeError):
        judge("1", True, K.NUMBER)
    with pytest.raises(ValueError):
        judge("1", math.nan, K.NUMBER)
    with pytest.raises(ValueError):
        judge("1", 1.0, K.NUMBER, rel_tol=-1)
    with pytest.raises(TypeError):
        judge("yes", 1, K.BOOLEAN)


def test_judge_propagates_unreadable_answers() -> None:
    with pytest.raises(AnswerParseError):
        judge("12a", (12,), K.SHAPE)


def test_judgement_is_frozen() -> None:
    verdict = judge("1", 1, K.INTEGER)
    assert isinstance(verdict, Judgement)
    with pytest.raises(AttributeError):
        verdict.correct = False  # type: ignore[misc]


# --- properties ------------------------------------------------------------------------------------

_ANSWER_CHARS = st.sampled_from(
    [*"0123456789.,;:[]()-+eE/xX×* \n\t", "−", "，", "（", "）", "１", "nan", "inf", "%", "是", "a"]
)
_answer_like = st.lists(_ANSWER_CHARS, max_size=40).map("".join)


@given(st.one_of(st.text(), _answer_like), st.sampled_from(list(AnswerKind)))
def test_parsing_raises_nothing_but_the_documented_error(text: str, kind: AnswerKind) -> None:
    try:
        parsed = parse_answer(text, kind)
    except AnswerParseError as error:
        assert str(error).startswith("could not read")
    else:
        assert parsed.kind is kind


_EXPECTED = {
    K.INTEGER: 112,
    K.NUMBER: 0.6931,
    K.SHAPE: (1, 64, 112, 112),
    K.VECTOR: [0.5, 1.0],
    K.MATRIX: [[1.0, 2.0], [3.0, 4.0]],
    K.BOOLEAN: True,
    K.TEXT: "same",
}


@given(st.one_of(st.text(), _answer_like), st.sampled_from(list(AnswerKind)))
def test_judging_raises_nothing_but_the_documented_error(text: str, kind: AnswerKind) -> None:
    try:
        verdict = judge(text, _EXPECTED[kind], kind)
    except AnswerParseError:
        return
    assert isinstance(verdict.correct, bool)
    assert verdict.message


_finite = st.floats(allow_nan=False, allow_infinity=False)
_number = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), _finite)


@given(st.integers(min_value=-(10**50), max_value=10**50))
def test_integer_round_trip(value: int) -> None:
    assert parse_answer(format_answer(value, K.INTEGER), K.INTEGER).value == value


@given(_finite)
def test_number_round_trip(value: float) -> None:
    assert parse_answer(format_answer(value, K.NUMBER), K.NUMBER).value == value


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=6))
def test_shape_round_trip(dims: list[int]) -> None:
    shape = tuple(dims)
    assert parse_answer(format_answer(shape, K.SHAPE), K.SHAPE).value == shape


@given(st.lists(_number, max_size=8))
def test_vector_round_trip(items: list[float]) -> None:
    vector = tuple(items)
    parsed = parse_answer(format_answer(vector, K.VECTOR), K.VECTOR).value
    assert parsed == vector
    assert isinstance(parsed, tuple)
    assert [type(x) for x in parsed] == [type(x) for x in vector]


@st.composite
def _matrices(draw: st.DrawFn) -> tuple[tuple[float, ...], ...]:
    rows = draw(st.integers(min_value=0, max_value=4))
    cols = draw(st.integers(min_value=1, max_value=4))
    return tuple(tuple(draw(st.lists(_number, min_size=cols, max_size=cols))) for _ in range(rows))


@given(_matrices())
def test_matrix_round_trip(matrix: tuple[tuple[float, ...], ...]) -> None:
    assert parse_answer(format_answer(matrix, K.MATRIX), K.MATRIX).value == matrix


@given(st.booleans())
def test_boolean_round_trip(value: bool) -> None:
    assert parse_answer(format_answer(value, K.BOOLEAN), K.BOOLEAN).value is value


@given(
    st.one_of(
        st.tuples(st.just(K.INTEGER), st.integers(min_value=-(10**20), max_value=10**20)),
        st.tuples(st.just(K.NUMBER), _finite),
        st.tuples(st.just(K.SHAPE), st.lists(st.integers(0, 4096), max_size=5).map(tuple)),
        st.tuples(st.just(K.VECTOR), st.lists(_number, max_size=5).map(tuple)),
        st.tuples(st.just(K.MATRIX), _matrices()),
        st.tuples(st.just(K.BOOLEAN), st.booleans()),
        st.tuples(st.just(K.TEXT), st.sampled_from(["same", "valid", "相同", "full conv"])),
    )
)
def test_judge_is_reflexive(case: tuple[AnswerKind, object]) -> None:
    kind, value = case
    verdict = judge(format_answer(value, kind), value, kind)  # type: ignore[arg-type]
    assert verdict.correct, verdict.message


@given(_finite, st.integers(min_value=0, max_value=6))
def test_decimals_accept_the_rounded_expected_value(value: float, decimals: int) -> None:
    rounded = round(value, decimals)
    if math.isfinite(rounded):
        assert judge(repr(rounded), value, K.NUMBER, decimals=decimals).correct


# What a person (or a cat on the keyboard) may type for a number: digits, signs, exponents, powers of ten,
# fractions, brackets, separators, the odd letter.
_NUMBERISH = st.text(alphabet="0123456789eE+-.x×*^/()[],; \n9", max_size=60) | st.builds(
    lambda digits, exponent, form: form.format(d=digits, e=exponent),
    st.text(alphabet="0123456789", min_size=1, max_size=5000),
    st.integers(min_value=-99999, max_value=99999),
    st.sampled_from(
        ["{d}", "{d}e{e}", "1 x 10^{e}", "{d}.5e{e}", "-{d}", "{d}/1e{e}", "[{d}e{e}]"]
    ),
)


@given(text=_NUMBERISH, kind=st.sampled_from(list(AnswerKind)))
@settings(max_examples=400, deadline=None)
def test_any_typed_text_is_judged_or_refused(text: str, kind: AnswerKind) -> None:
    expected = {
        AnswerKind.INTEGER: 224,
        AnswerKind.NUMBER: 0.693,
        AnswerKind.SHAPE: (1, 8, 4, 4),
        AnswerKind.VECTOR: (1.5, 2),
        AnswerKind.MATRIX: ((1, 2.5), (3, 4)),
        AnswerKind.BOOLEAN: True,
        AnswerKind.TEXT: "same",
    }[kind]
    try:
        verdict = judge(text, expected, kind)
    except AnswerParseError as error:
        assert str(error).startswith("could not read")
        return
    assert isinstance(verdict.correct, bool) and "\n" not in verdict.message
    str(verdict.parsed.value)  # every accepted value can be shown


@pytest.mark.parametrize("text", ["1e9999", "1 x 10^4400", "-1e309", "9" * 310, "1e9999/1e-9999"])
@pytest.mark.parametrize("kind", [AnswerKind.INTEGER, AnswerKind.NUMBER, AnswerKind.VECTOR])
def test_numbers_beyond_the_largest_float_are_too_large(text: str, kind: AnswerKind) -> None:
    if kind is AnswerKind.VECTOR and " x " in text:
        pytest.skip("'x' is not read inside a list")
    with pytest.raises(AnswerParseError, match="the number is too large"):
        judge(text, {AnswerKind.VECTOR: [1]}.get(kind, 1), kind)


def test_an_unreadable_answer_is_explained_in_chinese_punctuation() -> None:
    from cvquiz import i18n
    from cvquiz.answers import AnswerParseError

    i18n.set_language("zh")
    try:
        message = str(AnswerParseError("abc", AnswerKind.SHAPE, "“abc”不是维度", arity=4))
    finally:
        i18n.set_language("en")
    assert message == "无法把“abc”读作形状：“abc”不是维度（例如 1x64x112x112 或 (1, 64, 112, 112)）"
    english = str(AnswerParseError("abc", AnswerKind.SHAPE, '"abc" is not a dimension', arity=2))
    assert english.endswith(': "abc" is not a dimension (try 112x112 or (112, 112))')
