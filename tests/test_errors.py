"""CvquizError messages: a finished message, or an English template with fields translated where it is shown."""

from __future__ import annotations

import pickle

import pytest

from cvquiz.engine import EngineError
from cvquiz.errors import N_, CvquizError, Phrase, UsageError

# A stand-in catalog, so these tests say what `localized` does whatever the real catalog holds.
CATALOG = {
    "{name} must be positive, got {value}": "{name} 必须为正，实际为 {value}",
    "last problem: {problem}": "最后的问题：{problem}",
    "height": "高度",
    "kernel {axis} too large": "卷积核{axis}太大",
    "a finished message": "一条写好的消息",
}


def translate(message: str) -> str:
    return CATALOG.get(message, message)


def test_a_template_reads_as_english_and_keeps_its_fields() -> None:
    error = CvquizError(N_("{name} must be positive, got {value}"), name="kernel_size", value=0)
    assert str(error) == "kernel_size must be positive, got 0"
    assert error.args == ("kernel_size must be positive, got 0",)
    assert error.template == "{name} must be positive, got {value}"
    assert error.fields == {"name": "kernel_size", "value": 0}


def test_localized_translates_the_template_and_keeps_the_values_as_written() -> None:
    error = UsageError(N_("{name} must be positive, got {value}"), name="kernel_size", value=-2)
    assert error.localized(translate) == "kernel_size 必须为正，实际为 -2"
    assert str(error) == "kernel_size must be positive, got -2"  # unchanged by localizing


def test_a_nested_error_and_a_phrase_are_translated_too() -> None:
    inner = CvquizError(N_("kernel {axis} too large"), axis=Phrase(N_("height")))
    outer = CvquizError(N_("last problem: {problem}"), problem=inner)
    assert str(outer) == "last problem: kernel height too large"
    assert outer.localized(translate) == "最后的问题：卷积核高度太大"


def test_a_finished_message_is_looked_up_whole_and_otherwise_kept() -> None:
    assert CvquizError("a finished message").localized(translate) == "一条写好的消息"
    assert CvquizError("already 中文").localized(translate) == "already 中文"
    # an empty message is never looked up (gettext would answer the catalog's header)
    assert CvquizError().localized(lambda _m: "header") == ""
    assert CvquizError("").localized(lambda _m: "header") == ""


def test_a_translation_whose_fields_do_not_fit_gives_the_english() -> None:
    error = CvquizError(N_("{name} must be positive, got {value}"), name="stride", value=0)
    assert error.localized(lambda _m: "{nom} 必须为正") == "stride must be positive, got 0"
    assert error.localized(lambda _m: "{name!x}") == "stride must be positive, got 0"


def test_fields_need_one_template() -> None:
    with pytest.raises(TypeError):
        CvquizError("a", "b", name="x")


def test_an_engine_error_is_still_a_value_error_and_survives_pickling() -> None:
    error = EngineError(N_("{name} must be positive, got {value}"), name="groups", value=0)
    assert isinstance(error, ValueError) and isinstance(error, CvquizError)
    assert error.exit_code == 2
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is EngineError and str(copy) == str(error)
