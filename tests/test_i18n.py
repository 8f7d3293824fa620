"""The message catalogs: every message of the source has a Chinese translation, and the switch works."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from cvquiz import i18n

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_chinese_translation() -> None:
    problems = _script().problems()
    assert problems == [], "\n".join(problems[:50])


def test_messages_are_literals_the_extractor_can_read() -> None:
    # `_(f"...")` or `_("..." + x)` is translated at run time under a key no catalog can hold.
    bad = re.compile(r"""\b(?:_|N_|ngettext)\(\s*(?:[rbu]?f[rbu]?["']|["'][^"']*["']\s*\+)""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "cvquiz").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bad.search(line)
    ]
    assert offenders == []


def test_the_compiled_catalog_matches_the_source_catalog() -> None:
    script = _script()
    for po in script.catalogs():
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} is missing: run python scripts/i18n.py compile"
        catalog = script.read(po)
        import gettext

        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                assert compiled.gettext(message.id) == message.string, message.id


def test_chinese_is_used_once_set() -> None:
    i18n.set_language("zh")
    assert i18n.current_language() == "zh"
    assert i18n._("Error:") == "错误："


def test_english_is_the_source_and_the_fallback() -> None:
    i18n.set_language("fr")
    assert i18n.current_language() == "en"
    assert i18n._("Error:") == "Error:"


def test_the_installed_command_speaks_the_chosen_language(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    env.update(CVQUIZ_COLLECTION=str(tmp_path / "c.sqlite"), CVQUIZ_CONFIG=str(tmp_path / "c.toml"))
    env.update(CVQUIZ_DECKS=str(tmp_path / "decks"))
    runs = {
        lang: subprocess.run(
            ["cvquiz", "--lang", lang, "show", "no-such-deck/no-card"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        for lang in ("zh", "en")
    }
    assert runs["zh"].returncode == runs["en"].returncode != 0
    assert runs["zh"].stderr.startswith("错误：")
    assert runs["en"].stderr.startswith("Error:")
    env["CVQUIZ_LANG"] = "zh"
    by_env = subprocess.run(
        ["cvquiz", "show", "no-such-deck/no-card"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert by_env.stderr.startswith("错误：")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "COLUMNS": "80"}
    env.update(CVQUIZ_COLLECTION=str(tmp_path / "c.sqlite"), CVQUIZ_CONFIG=str(tmp_path / "c.toml"))
    env.update(CVQUIZ_DECKS=str(tmp_path / "decks"))
    return env


def _cvquiz(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["cvquiz", *argv],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
        timeout=120,
    )


def test_a_commands_help_is_in_chinese_with_typers_own_words(tmp_path: Path) -> None:
    from cvquiz.cli import lazy

    script = _script()
    catalog = script.read(script.catalogs()[0])
    command = lazy.build_command(next(e for e in lazy.COMMANDS if e.name == "stats"))
    days = next(p for p in command.params if p.name == "days")
    run = _cvquiz(tmp_path, "--lang", "zh", "stats", "--help")
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.replace("│", " ").split())
    assert catalog.get(command.help).string.splitlines()[0] in text
    assert " ".join(catalog.get(days.help).string.split()) in text
    for english, msgid in [
        ("Show this message and exit.", "Show this message and exit."),
        ("Options", "Options"),
        ("Usage:", "Usage:"),
        ("[default: 30]", "[default: {}]"),
    ]:
        assert english not in text
        assert catalog.get(msgid).string.replace("{}", "30") in text
    # a full-width colon carries its own space: the usage line runs straight on, here and at the root
    assert "用法：cvquiz stats [" in text
    root = _cvquiz(tmp_path, "--lang", "zh", "--help")
    assert "用法：cvquiz [" in root.stdout, root.stdout
    english = _cvquiz(tmp_path, "--lang", "en", "stats", "--help")
    assert (
        "Show this message and exit." in english.stdout and days.help.split()[0] in english.stdout
    )


def test_usage_errors_are_in_chinese(tmp_path: Path) -> None:
    cases = {
        ("drill", "--nwe", "3"): "没有选项 --nwe（你是不是想输入 --new？）",
        ("status", "extra"): "多余的参数：extra",
        ("calc", "conv2d"): "缺少选项 '--input' / '-i'。",
        ("config", "set"): "缺少参数 'KEY'。",
        ("drill", "--new", "x"): "'--new' 的值无效：",
        ("no-such-command",): "没有命令 'no-such-command'。",
        ("dril",): "没有命令 'dril'。你是不是想输入 'drill'？",
        ("calc", "conv"): "没有命令 'conv'。你是不是想输入 'conv2d', 'conv-mode'？",
    }
    for argv, expected in cases.items():
        run = _cvquiz(tmp_path, "--lang", "zh", *argv)
        assert run.returncode == 2, (argv, run.stderr)
        assert expected in run.stderr, (argv, run.stderr)
        assert "用法：cvquiz" in run.stderr and "错误" in run.stderr


def test_a_cvquiz_lang_that_is_no_language_is_a_usage_error(tmp_path: Path) -> None:
    run = subprocess.run(
        ["cvquiz", "status"],
        capture_output=True,
        text=True,
        env={**_env(tmp_path), "CVQUIZ_LANG": "fr"},
        check=False,
        timeout=120,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "Invalid value for CVQUIZ_LANG: use zh or en, not 'fr'" in run.stderr
    assert not (tmp_path / "c.sqlite").exists()


def test_every_usage_sentence_typer_writes_is_recognised() -> None:
    """Typer's parser writes these sentences itself (no gettext): each must be one cvquiz translates."""
    import pytest
    import typer
    import typer.main

    from cvquiz.cli import usage_errors

    app = typer.Typer()

    @app.command()
    def main(name: str, pair: tuple[int, int] = (0, 0), count: int = 1, flag: bool = False) -> None:
        """A command to make typer complain."""

    command = typer.main.get_command(app)
    argvs = [["--bogus"], ["--cuont", "2"], ["a", "b"], [], ["a", "--count"], ["a", "--pair", "1"]]
    argvs += [["a", "--flag=yes"], ["a", "--count", "x"]]
    sentences = []
    for argv in argvs:
        with pytest.raises(usage_errors.UsageError) as caught:
            command.main(argv, standalone_mode=False)
        sentences.append(caught.value.format_message())  # type: ignore[attr-defined]
    required = typer.Typer()

    @required.command()
    def needs(out: str = typer.Option(..., "--out", "-o")) -> None:
        """A command with a required option of two names."""

    with pytest.raises(usage_errors.UsageError) as caught:
        typer.main.get_command(required).main([], standalone_mode=False)
    sentences.append(caught.value.format_message())  # type: ignore[attr-defined]
    assert "'--out' / '-o'" in sentences[-1]
    i18n.set_language("zh")
    try:
        for sentence in sentences:
            assert usage_errors.translated(sentence) != sentence, sentence
    finally:
        i18n.set_language("en")


def test_the_key_help_columns_line_up_in_both_languages() -> None:
    """Each help screen is a two-column table typed as text: descriptions start at the same cell."""
    from rich.cells import cell_len

    from cvquiz.study.fronts import help_text
    from cvquiz.study.ui import Screen

    try:
        for lang in ("en", "zh"):
            i18n.set_language(lang)
            for screen in Screen:
                for line in help_text(screen).splitlines():
                    if line.startswith(" ") or "  " not in line:
                        continue  # a continuation line, or prose
                    ends = [cell_len(line[: m.end()]) for m in re.finditer(r" {2,}", line)]
                    first_key = cell_len(line[: line.index("  ")])
                    assert 13 in ends or first_key >= 12, (lang, screen, line)
    finally:
        i18n.set_language("en")


def test_card_types_are_named_in_the_persons_language(tmp_path: Path) -> None:
    """``show`` and ``try`` named a card's type with the deck file's English word under --lang zh."""
    shown = _cvquiz(tmp_path, "--lang", "zh", "show", "losses/ce-setup")
    assert shown.returncode == 0, shown.stderr
    assert "losses/ce-setup (问答)" in shown.stdout
    code = _cvquiz(tmp_path, "--lang", "zh", "show", "code/conv2d")
    assert "code/conv2d (代码)" in code.stdout
    submission = tmp_path / "x.py"
    submission.write_text("x = 1\n", encoding="utf-8")
    tried = _cvquiz(tmp_path, "--lang", "zh", "try", "losses/ce-setup", str(submission))
    assert tried.returncode == 2 and "losses/ce-setup 是问答卡，不是代码卡" in tried.stderr
    english = _cvquiz(tmp_path, "--lang", "en", "show", "losses/ce-setup")
    assert "losses/ce-setup (basic)" in english.stdout
