"""``cvquiz check``, ``decks``, ``paths`` and ``--version``, through CliRunner and the installed command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from _english import english_words
from rich.cells import cell_len
from typer.testing import CliRunner

from cvquiz import __version__
from cvquiz.cli.app import app
from cvquiz.paths import bundled_decks_dir

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cvquiz {__version__}"


def test_decks_creates_the_collection_on_first_use(cvquiz_env: dict[str, str]) -> None:
    assert not Path(cvquiz_env["CVQUIZ_COLLECTION"]).exists()
    result = runner.invoke(app, ["decks", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bundled = {d["id"] for d in data if d["bundled"]}
    assert len(bundled) == len(list(bundled_decks_dir().glob("*.yaml")))
    assert Path(cvquiz_env["CVQUIZ_COLLECTION"]).exists()
    assert all(d["new"] == d["study_cards"] >= d["cards"] and d["due"] == 0 for d in data)


def test_decks_table_lists_user_decks(user_decks: Path) -> None:
    (user_decks / "mine.yaml").write_text(
        "deck: mine\nname: 'Mine::[b]old'\ncards:\n  - id: a\n    question: q\n    answer: a\n"
    )
    result = runner.invoke(app, ["decks"])
    assert result.exit_code == 0, result.output
    assert "Mine::[b]old" in result.stdout  # markup in names is shown, not interpreted
    assert "✎ Mine::[b]old" in result.stdout
    assert "✎ marks your decks." in " ".join(result.stdout.split())
    for line in result.stdout.splitlines():  # every id whole, ready for --deck
        assert "…" not in line.split("│")[2] if line.count("│") > 3 else True


def test_collection_option_overrides_env(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite"
    result = runner.invoke(app, ["--collection", str(target), "decks", "--json"])
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_bad_user_deck_is_one_warning_line_and_no_change(
    user_decks: Path, cvquiz_env: dict[str, str]
) -> None:
    assert runner.invoke(app, ["decks"]).exit_code == 0
    col = Path(cvquiz_env["CVQUIZ_COLLECTION"])
    before = col.read_bytes()
    (user_decks / "bad.yaml").write_text(
        "deck: bad\nname: n\ncards:\n  - id: a\n    question: q\n    anwser: b\n"
    )
    result = runner.invoke(app, ["decks"])
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Warning: ")
    assert "bad.yaml:6:5: card 'a': unknown field 'anwser' (did you mean 'answer'?)" in lines[0]
    assert "cvquiz check" in lines[0]
    assert "bad" not in result.stdout.split()
    assert "Traceback" not in result.output
    assert col.read_bytes() == before


def test_check_reports_every_problem(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("deck: one\nname: n\ncards:\n  - id: a\n    qestion: q\n")
    (tmp_path / "two.yaml").write_text("deck: two\nname: n\nname: m\ncards: []\n")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "one.yaml:5:5: card 'a': unknown field 'qestion'" in result.stderr
    assert "two.yaml:3:1: duplicate key 'name'" in result.stderr


def test_check_clean_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(
        "deck: ok\nname: n\ncards:\n  - id: a\n    question: q\n    answer: a\n"
    )
    assert runner.invoke(app, ["check", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "nope: no such file or folder" in result.stderr


def test_check_bundled_decks_by_default() -> None:
    # --fresh: every card drawn and judged (without it, the shipped verdicts of the decks as shipped count)
    result = runner.invoke(app, ["check", "--fresh"])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stderr


def test_paths_json(cvquiz_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["paths", "--json"])
    data = json.loads(result.stdout)
    assert data["collection"] == cvquiz_env["CVQUIZ_COLLECTION"]
    assert Path(data["schema"]).is_file()


@pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed on PATH")
def test_installed_command_in_a_subprocess(user_decks: Path) -> None:
    env = dict(os.environ)
    (user_decks / "bad.yaml").write_text(
        "deck: bad\nname: !!python/object:os.system ls\ncards: []\n"
    )
    result = subprocess.run(
        ["cvquiz", "decks"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stderr.startswith("Warning: ")
    assert "bad.yaml:2:7: tag not allowed in deck files" in result.stderr
    assert "Traceback" not in result.stderr
    (user_decks / "bad.yaml").unlink()
    result = subprocess.run(
        ["cvquiz", "decks", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    result = subprocess.run(
        ["cvquiz", "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("cvquiz ")


def test_one_card_count_everywhere(cvquiz_env: dict[str, str]) -> None:
    """README, docs/decks.md, ``decks`` and ``check`` give the same two counts of the bundled decks."""
    from cvquiz.deckfile import DeckSource, load_decks

    decks = load_decks([DeckSource(p, bundled=True) for p in bundled_decks_dir().glob("*.yaml")])
    written = sum(len(deck.cards) for deck in decks)
    study = sum(
        2 if card.type.value == "reversed" else len(card.ords())
        for deck in decks
        for card in deck.cards
    )
    assert study > written  # reversed and cloze cards expand
    data = json.loads(runner.invoke(app, ["decks", "--json"]).stdout)
    assert sum(d["cards"] for d in data) == written
    assert sum(d["study_cards"] for d in data) == study
    check = runner.invoke(app, ["check"])
    assert f"{len(decks)} decks, {written} cards as written, {study} study cards" in check.stderr
    table = runner.invoke(app, ["decks"], env={"COLUMNS": "120"}).stdout
    assert re.search(rf"Total\s.*│\s+{study} │", table), table
    assert f"the {written} cards as written in the deck files expand to {study}" in table
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"**{written} cards** as written in {len(decks)} deck files" in readme
    assert f"**{study} study cards**" in readme
    docs = (root / "docs" / "decks.md").read_text(encoding="utf-8")
    assert f"| **{written}** | **{study}** |" in docs


MIXED = """\
deck: mixed
name: Mixed
cards:
  - id: a
    question: q
    anwser: b
  - id: b
    type: compute
    generator: conv2d_output_shap
  - id: c
    type: compute
    generator: conv2d_output_shape
    params:
      kernel: [99999]
  - id: d
    question: fine
    answer: fine
"""


def test_check_reports_structure_and_generators_in_one_pass(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    mixed = tmp_path / "mixed.yaml"
    assert result.stderr.splitlines() == [
        f"{mixed}:4:5: card 'a': missing field 'answer'",
        f"{mixed}:6:5: card 'a': unknown field 'anwser' (did you mean 'answer'?)",
        f"{mixed}:7:5: card 'b': unknown generator 'conv2d_output_shap' "
        "(did you mean 'conv2d_output_shape'?)",
        f"{mixed}:10:5: card 'c': params.kernel: 99999 is not allowed (allowed: 1, 3, 5, 7, 11)",
        "4 problems in 1 file",
    ]


def test_check_json(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(
        "deck: good\nname: 好\ncards:\n  - id: x\n    question: 问\n    answer: 答\n",
        encoding="utf-8",
    )
    (tmp_path / "twin.yaml").write_text("deck: good\nname: Twin\ncards: []\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--json", str(tmp_path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    files = {Path(f["path"]).name: f for f in report["files"]}
    assert files["good.yaml"] == {
        "path": str(tmp_path / "good.yaml"),
        "deck": "good",
        "cards": 1,
        "study_cards": 1,
        "problems": [],
    }
    assert [(p["line"], p["card"]) for p in files["mixed.yaml"]["problems"]] == [
        (4, "a"),
        (6, "a"),
        (7, "b"),
        (10, "c"),
    ]
    assert files["twin.yaml"]["problems"] == [
        {
            "line": 1,
            "column": 1,
            "card": None,
            "message": f"deck id 'good' is already used by {tmp_path / 'good.yaml'}",
        }
    ]
    assert (report["decks"], report["cards"], report["problems"]) == (1, 4, 5)

    result = runner.invoke(app, ["check", "--json", str(tmp_path / "good.yaml")])
    assert result.exit_code == 0 and json.loads(result.stdout)["problems"] == 0
    result = runner.invoke(app, ["check", "--json", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 1 and result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert (
        error["type"] == "DeckProblems"
        and "absent.yaml: no such file or folder" in error["message"]
    )


def test_paths_and_check_speak_chinese(cvquiz_env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "zh", "paths"])
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "记录库",
        "你的牌组",
        "设置",
        "内置牌组",
        "检查缓存",
        "牌组",
    ]
    assert english_words(result.stdout, allow={"Schema"}) == []
    # the paths start at one terminal column, whatever the width of the Chinese labels
    starts = {cell_len(line[: line.index("/")]) for line in lines}
    assert len(starts) == 1
    english = runner.invoke(app, ["--lang", "en", "paths"]).stdout
    assert english.splitlines()[0].startswith("collection ")
    (tmp_path / "ok.yaml").write_text(
        "deck: ok\nname: n\ncards:\n  - id: a\n    question: q\n    answer: a\n"
    )
    result = runner.invoke(app, ["--lang", "zh", "check", str(tmp_path / "ok.yaml")])
    assert result.exit_code == 0 and result.stderr.startswith("通过：1 个牌组")
    assert english_words(result.stderr) == []
    (tmp_path / "ok.yaml").write_text("deck: ok\nname: n\nname: m\ncards: []\n")
    result = runner.invoke(app, ["--lang", "zh", "check", str(tmp_path / "ok.yaml")])
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == "1 个文件中有 1 个问题"
    english = runner.invoke(app, ["--lang", "en", "check", str(tmp_path / "ok.yaml")]).stderr
    assert english.splitlines()[-1] == "1 problem in 1 file"


def test_check_names_every_problem_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(
        "deck: one\nname: n\ncards:\n  - id: a\n    qestion: q\n  - id: B\n    question: q\n"
        "    answer: a\n    tags: [two words]\n    type: clozed\n"
    )
    (tmp_path / "two.yaml").write_text("deck: one\ncards: []\n")
    result = runner.invoke(app, ["--lang", "zh", "check", str(tmp_path)])
    assert result.exit_code == 1
    for expected in (
        "one.yaml:5:5: 卡片 'a'：未知字段 'qestion'（是不是 'question'？）",
        "one.yaml:4:5: 卡片 'a'：缺少字段 'question'",
        "卡片 ID 'B' 不合法",
        "未知类型 'clozed'",
        "two.yaml:1:1: 缺少字段 'name'",
    ):
        assert expected in result.stderr, result.stderr
    # field names and values of the deck format stay as written; everything else is Chinese
    allow = {"qestion", "question", "answer", "name", "clozed", "cloze", "basic", "reversed"}
    allow |= {"compute", "code", "two", "words", "one", "cards"}
    assert english_words(result.stderr, allow=allow) == []
    english = runner.invoke(app, ["--lang", "en", "check", str(tmp_path)]).stderr
    assert "one.yaml:5:5: card 'a': unknown field 'qestion' (did you mean 'question'?)" in english


def test_check_json_names_the_card_in_chinese_too(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(
        "deck: one\nname: n\ncards:\n  - id: a\n    question: q\n    answer: a\n    qestion: q\n"
        "  - id: c\n    type: compute\n    generator: conv2d_output_shape\n    params: {kernl: [3]}\n"
    )
    by_lang = {}
    for lang in ("en", "zh"):
        result = runner.invoke(app, ["--lang", lang, "check", "--json", str(tmp_path)])
        assert result.exit_code == 1
        by_lang[lang] = json.loads(result.stdout)["files"][0]["problems"]
    assert [p["card"] for p in by_lang["zh"]] == [p["card"] for p in by_lang["en"]] == ["a", "c"]
    assert [p["message"] for p in by_lang["zh"]] == [
        "未知字段 'qestion'（是不是 'question'？）",
        "生成器 conv2d_output_shape 没有参数 'kernl'（是不是 'kernel'？）",
    ]
    lines = runner.invoke(app, ["--lang", "zh", "check", str(tmp_path)]).stderr.splitlines()
    assert lines[1] == f"{tmp_path / 'one.yaml'}:8:5: 卡片 'c'：" + by_lang["zh"][1]["message"]
