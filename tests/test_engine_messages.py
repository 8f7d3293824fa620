"""The reference engine's error messages: English templates with fields, shown in Chinese under ``--lang zh``.

The engine stays a plain numeric library (``str(error)`` is English, `EngineError` is a ValueError); the CLI and
the deck check show ``error.localized(_)``. The English expected here is what the engine said before its
messages became templates (the sample must not change); the Chinese is the catalog's.
"""

from __future__ import annotations

import ast
import json
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from _english import english_words

from cvquiz import engine, i18n
from cvquiz.engine import EngineError, _checks

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvquiz"

SAMPLE: list[tuple[Callable[[], object], str, str]] = [
    (
        lambda: engine.conv2d_output_shape((1, 3, 4, 4), 8, 7),
        "kernel height 7 spans 7 > padded input height 4 (4 + 2×0 padding)",
        "卷积核高度 7 的覆盖范围 7 > 填充后的输入高度 4（4 + 2×0 填充）",
    ),
    (
        lambda: engine.conv2d_output_shape((1, 3, 4, 4), 8, 3, dilation=3),
        "kernel height 3 with dilation 3 spans 7 > padded input height 4 (4 + 2×0 padding)",
        "卷积核高度 3 在膨胀率 3 下的覆盖范围 7 > 填充后的输入高度 4（4 + 2×0 填充）",
    ),
    (
        lambda: engine.conv_output_size(4, 7),
        "kernel length 7 spans 7 > padded input length 4 (4 + 2×0 padding)",
        "卷积核长度 7 的覆盖范围 7 > 填充后的输入长度 4（4 + 2×0 填充）",
    ),
    (
        lambda: engine.conv2d_output_shape((1, 3, 8, 8), 8, 3, stride=0),
        "stride must be positive, got 0",
        "stride 必须为正，实际为 0",
    ),
    (
        lambda: engine.conv2d_output_shape((1, 3, 8, 8), 8, 3, groups=2),
        "in_channels 3 is not divisible by groups 2",
        "in_channels 3 不能被 groups 2 整除",
    ),
    (
        lambda: engine.pool2d_output_shape((1, 3, 4, 4), 9),
        "output height would be 0: the pooling window spans 9 but the padded input height is only 4",
        "输出高度会是 0：池化窗口的覆盖范围为 9，而填充后的输入高度只有 4",
    ),
    (
        lambda: engine.cross_entropy([[1.0, 2.0, 3.0]], [5]),
        "target 5 is out of bounds for 3 classes (valid: 0..2, or ignore_index -100)",
        "目标 5 超出了 3 个类别的范围（有效值：0..2，或 ignore_index -100）",
    ),
    (
        lambda: engine.cross_entropy([[1.0, 2.0, 3.0]], [0], reduction="avg"),  # type: ignore[call-overload]
        "reduction must be one of 'mean', 'sum', 'none', got 'avg'",
        "reduction 必须是 'mean'、'sum'、'none' 之一，实际为 'avg'",
    ),
    (
        lambda: engine.box_iou([0, 0, 1, 1], [2, 2, 1, 1]),
        "box_b must have x2 >= x1 and y2 >= y1, got [2.0, 2.0, 1.0, 1.0]",
        "box_b 必须满足 x2 >= x1 且 y2 >= y1，实际为 [2.0, 2.0, 1.0, 1.0]",
    ),
    (
        lambda: engine.oks([[1, 1, 2]], [[1, 1, 1, 1]], area=1.0),
        "dt_keypoints must be a (K, 2) or (K, 3) array, got shape (1, 4)",
        "dt_keypoints 必须是 (K, 2) 或 (K, 3) 数组，实际形状为 (1, 4)",
    ),
    (
        lambda: engine.oks([[1, 1]], [[1, 1]], area=1.0),
        "gt_keypoints must be a (K, 3) array, got shape (1, 2)",
        "gt_keypoints 必须是 (K, 3) 数组，实际形状为 (1, 2)",
    ),
    (
        lambda: _checks.pair((1, 2, 3), "kernel_size"),
        "kernel_size must be an integer or a (height, width) pair, got (1, 2, 3)",
        "kernel_size 必须是一个整数或 (height, width) 二元组，实际为 (1, 2, 3)",
    ),
    (
        lambda: _checks.positive_int(True, "kernel_size"),
        "kernel_size must be an integer, got True",
        "kernel_size 必须是整数，实际为 True",
    ),
    (
        lambda: engine.parse_slice("3:x"),
        "'3:x' is not a slice like '3::-1', '::-2', '-3:' or an index like '-1'",
        "'3:x' 不是 '3::-1'、'::-2'、'-3:' 这样的切片，也不是 '-1' 这样的下标",
    ),
]


@pytest.mark.parametrize(("call", "english", "chinese"), SAMPLE)
def test_the_message_is_english_and_localized_to_chinese(
    call: Callable[[], object], english: str, chinese: str
) -> None:
    i18n.set_language("zh")  # the engine does not translate, whatever the language
    with pytest.raises(EngineError) as caught:
        call()
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error) == english
    assert error.localized(i18n._) == chinese
    i18n.set_language("en")
    assert error.localized(i18n._) == english


# --------------------------------------------------------------------------------------------------------------
# Every raise is a template the extractor can read, with exactly the fields it names


def _raises(folder: Path, classes: set[str]) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in classes:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _template_problem(call: ast.Call) -> str | None:
    """Why a raise is not ``Error(N_("literal"), field=value, ...)`` with the template's fields, or None."""
    if len(call.args) != 1 or any(k.arg is None for k in call.keywords):
        return "one positional template and named fields"
    marker = call.args[0]
    if not (
        isinstance(marker, ast.Call)
        and isinstance(marker.func, ast.Name)
        and marker.func.id == "N_"
        and len(marker.args) == 1
        and isinstance(marker.args[0], ast.Constant)
        and isinstance(marker.args[0].value, str)
    ):
        return f"the message is not N_(<literal>): {ast.unparse(marker)[:80]}"
    template = marker.args[0].value
    try:
        names = {
            field.split(".")[0].split("[")[0]
            for _text, field, _spec, _conv in string.Formatter().parse(template)
            if field is not None
        }
    except ValueError as problem:
        return f"not a str.format template: {problem}"
    given = {str(k.arg) for k in call.keywords}
    if names != given:
        return f"fields {sorted(names)} but arguments {sorted(given)}"
    return None


def test_every_engine_error_is_raised_with_a_template() -> None:
    raises = _raises(PACKAGE, {"EngineError"})
    assert len(raises) > 200  # the scan sees the engine
    problems = [f"{where}: {why}" for where, call in raises if (why := _template_problem(call))]
    assert problems == [], "\n".join(problems)


def test_every_generator_error_is_raised_with_a_template() -> None:
    raises = _raises(PACKAGE / "generators", {"GeneratorError", "Reject", "EngineError"})
    assert len(raises) > 50
    # a code card's input generators reject draws the same way
    raises += _raises(PACKAGE / "codecards", {"GeneratorError", "Reject", "EngineError"})
    problems = [f"{where}: {why}" for where, call in raises if (why := _template_problem(call))]
    assert problems == [], "\n".join(problems)


def test_the_scan_refuses_an_f_string_and_fields_that_do_not_match() -> None:
    def problem(source: str) -> str | None:
        node = ast.parse(source, mode="eval").body
        assert isinstance(node, ast.Call)
        return _template_problem(node)

    assert problem('EngineError(N_("{name} must be positive"), name=n)') is None
    assert problem('EngineError(f"{name} must be positive")') is not None
    assert problem('EngineError(N_("{name} must be positive"))') is not None
    assert problem('EngineError(N_("must be positive"), name=n)') is not None
    assert problem('EngineError("must be positive")') is not None


# --------------------------------------------------------------------------------------------------------------
# Through the installed cvquiz


def _cvquiz(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "COLUMNS": "80"}
    env.update(CVQUIZ_COLLECTION=str(tmp_path / "c.sqlite"), CVQUIZ_CONFIG=str(tmp_path / "c.toml"))
    env.update(CVQUIZ_DECKS=str(tmp_path / "decks"), CVQUIZ_CACHE=str(tmp_path / "cache"))
    return subprocess.run(
        ["cvquiz", *argv], capture_output=True, text=True, env=env, check=False, timeout=120
    )


CONV = ("calc", "conv2d", "--input", "1,3,4,4", "--out", "8", "-k", "7")


def test_calc_shows_an_engine_error_in_chinese_on_one_line(tmp_path: Path) -> None:
    zh = _cvquiz(tmp_path, "--lang", "zh", *CONV)
    assert zh.returncode == 2
    assert zh.stdout == ""
    assert zh.stderr == "错误：卷积核高度 7 的覆盖范围 7 > 填充后的输入高度 4（4 + 2×0 填充）\n"
    en = _cvquiz(tmp_path, "--lang", "en", *CONV)
    assert en.returncode == 2
    assert en.stderr == "Error: kernel height 7 spans 7 > padded input height 4 (4 + 2×0 padding)\n"

    losses = _cvquiz(tmp_path, "--lang", "zh", "calc", "ce", "--logits", "1,2,3", "--target", "5")
    assert losses.returncode == 2 and "Traceback" not in losses.stderr
    assert losses.stderr.count("\n") == 1
    assert "目标 5 超出了 3 个类别的范围" in losses.stderr
    assert english_words(losses.stderr, allow={"ignore_index"}) == []


def test_calc_json_errors_carry_the_chinese_message(tmp_path: Path) -> None:
    run = _cvquiz(tmp_path, "--lang", "zh", *CONV, "--json")
    assert run.returncode == 2
    error = json.loads(run.stderr)["error"]
    assert error["type"] == "EngineError" and error["exit_code"] == 2
    assert error["message"] == "卷积核高度 7 的覆盖范围 7 > 填充后的输入高度 4（4 + 2×0 填充）"


DECK = """\
deck: mine/conv
name: My convolutions
cards:
  - id: grouped
    type: compute
    generator: conv2d_output_shape
    params:
      channels: [1]
      groups: [4]
    question: {zh: 分组卷积, en: A grouped convolution}
  - id: strides
    type: compute
    generator: conv2d_output_shape
    params:
      stride: [9]
    question: {zh: 步长, en: Strides}
"""


def test_check_shows_what_the_engine_rejects_in_chinese(tmp_path: Path) -> None:
    deck = tmp_path / "conv.yaml"
    deck.write_text(DECK, encoding="utf-8")
    zh = _cvquiz(tmp_path, "--lang", "zh", "check", str(deck))
    assert zh.returncode == 1 and "Traceback" not in zh.stderr
    lines = zh.stdout.splitlines() + zh.stderr.splitlines()
    grouped = next(line for line in lines if "'grouped'" in line)
    # the generator found no valid problem: every draw ended in the engine's refusal, shown in Chinese
    assert grouped == (
        f"{deck}:4:5: 卡片 'grouped'：生成器 conv2d_output_shape：在这些参数下抽取 60 次都没有得到有效的题目"
        "（最后一次的问题：in_channels 1 不能被 groups 4 整除）"
    )
    strides = next(line for line in lines if "'strides'" in line)
    assert strides.endswith("卡片 'strides'：params.stride：不允许 9（允许：1, 2, 3, 4）")
    for line in (grouped, strides):
        text = line.removeprefix(str(deck))
        # card ids and parameter names stay as written
        allow = {"grouped", "strides", "groups", "conv2d_output_shape"}
        assert english_words(text, allow=allow) == [], line

    en = _cvquiz(tmp_path, "--lang", "en", "check", str(deck))
    assert en.returncode == 1
    assert "(last problem: in_channels 1 is not divisible by groups 4)" in en.stdout + en.stderr
