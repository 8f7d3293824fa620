"""PyYAML's syntax errors in the user's language (`cvquiz.deckfile.yaml_errors`), and ``cvquiz check`` on real
broken deck files through the installed command.

The English each test expects is what PyYAML itself says about the same text (its C parser, libyaml, as cvquiz
uses it, and its pure-Python parser), never a copy of the phrase table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from _english import english_words

from cvquiz import i18n
from cvquiz.deckfile.yaml_errors import describe, phrase

BROKEN = {
    "tab.yaml": "deck: d\nname: n\n\tcards: []\n",
    "colon.yaml": "deck: d\nname: a: b\ncards: []\n",
    "key.yaml": "deck: d\nname\ncards: []\n",
    "token.yaml": "deck: d\nname: `n`\ncards: []\n",
    "dash.yaml": "deck: d\nname: n\ncards:\n  - id: a\n    question: q\n   answer: a\n",
    "outdent.yaml": "deck: d\nname: n\ncards:\n  - id: a\n question: q\n",
    "escape.yaml": 'deck: d\nname: "a \\q b"\ncards: []\n',
    "hex.yaml": 'deck: d\nname: "\\uZZZZ"\ncards: []\n',
    "indicator.yaml": "deck: d\nname: |0\n  x\ncards: []\n",
    "version.yaml": "%YAML 2.0\n---\ndeck: d\n",
    "directives.yaml": "%YAML 1.1\n%YAML 1.1\n---\ndeck: d\n",
    "handle.yaml": "deck: d\nname: !x!y n\n",
    "document.yaml": "deck: d\n...\nname\n",
    "sequence.yaml": "deck: d\ncards:\n- a\nname: n\n- b\n",
}
"""Deck files with a YAML syntax error, one each (no anchor, tag or unclosed bracket: cvquiz words those)."""

MORE = {
    "flow sequence": "a: [b: c: d]\n",
    "flow mapping": "a: {b: 1\nc: 2\n",
    "separator in a quote": "a: 'x\n---\nb'\n",
    "key in a list": "a:\n  - b\n  ? c\n",
}
"""More of PyYAML's phrases (``check`` words an unclosed bracket or quote itself)."""

ALLOW = {"Tab", "Unicode", "scalar", "block", "mapping", "start", "end", "URI"}
"""What may stay in a Chinese line: names, and the token names PyYAML puts in a message ('<block end>')."""


def pyyaml_error(text: str, loader: type[yaml.SafeLoader]) -> yaml.MarkedYAMLError:
    try:
        yaml.load(text, Loader=loader)  # the safe loaders only
    except yaml.MarkedYAMLError as error:
        return error
    raise AssertionError(f"PyYAML read {text!r}")


LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize("text", [*BROKEN.values(), *MORE.values()])
def test_every_pyyaml_phrase_met_speaks_chinese(text: str, loader: type[yaml.SafeLoader]) -> None:
    error = pyyaml_error(text, loader)
    english = describe(error.problem, error.context)
    assert english == " ".join(p for p in (error.problem, error.context) if p)  # PyYAML's own words
    i18n.set_language("zh")
    chinese = describe(error.problem, error.context)
    assert english_words(chinese, allow=ALLOW) == [], (error.problem, error.context, chinese)


def test_a_value_pyyaml_puts_in_a_phrase_is_kept() -> None:
    error = pyyaml_error(BROKEN["tab.yaml"], yaml.SafeLoader)
    assert error.problem == "found character '\\t' that cannot start any token"
    i18n.set_language("zh")
    assert "'\\t'" in describe(error.problem, error.context)
    assert phrase("expected ',' or '}', but got ':'").startswith("应为 ',' 或 '}'")


def test_a_phrase_cvquiz_does_not_know_stays_as_pyyaml_wrote_it() -> None:
    i18n.set_language("zh")
    assert phrase("found a brand new kind of mistake") == "found a brand new kind of mistake"
    line = describe("found a brand new kind of mistake", "while scanning a plain scalar")
    assert "found a brand new kind of mistake" in line and "读取不带引号的文本时" in line


def test_anchors_and_tags_are_explained_for_deck_files() -> None:
    for text in ("a: *nowhere\n", "a: &x 1\nb: &x 2\n"):
        error = pyyaml_error(text, LOADERS[-1])
        assert describe(error.problem, error.context) == (
            "anchors and aliases (&name, *name) are not allowed in deck files"
        )


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_check_names_yaml_syntax_errors_in_chinese(
    tmp_path: Path, cvquiz_env: dict[str, str]
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, **cvquiz_env, "COLUMNS": "80"}

    def check(lang: str) -> dict[str, str]:
        done = subprocess.run(
            ["cvquiz", "--lang", lang, "check", str(folder)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.startswith(str(folder))]
        return {Path(line.split(":")[0]).name: line for line in lines}

    chinese, english = check("zh"), check("en")
    assert sorted(chinese) == sorted(english) == sorted(BROKEN)
    for name, line in english.items():
        error = pyyaml_error(BROKEN[name], LOADERS[-1])
        mark = error.problem_mark
        assert mark is not None
        where = f"{folder / name}:{mark.line + 1}:{mark.column + 1}: "
        assert line == where + " ".join(p for p in (error.problem, error.context) if p)
        # the same file:line:column, then the problem in Chinese
        assert chinese[name].startswith(where)
        assert english_words(chinese[name].removeprefix(where), allow=ALLOW) == [], chinese[name]
    assert "制表符（Tab）打乱了缩进" in chinese["tab.yaml"]
    assert chinese["key.yaml"].endswith("读取一个键时，找不到应有的 ':'")
    assert chinese["escape.yaml"].endswith("解析引号中的文本时，未知的转义字符")
