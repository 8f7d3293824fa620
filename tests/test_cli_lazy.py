"""The lazy command group: ``--help`` from the static table, each command imported only when it runs, and the
pydantic-free parameter converters agreeing with typer's own."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer._coercion import build_runtime_param

from cvquiz.cli import lazy
from cvquiz.cli.app import app

CLI = Path(lazy.__file__).resolve().parent


def _modules_after(argv: list[str], env: dict[str, str]) -> list[str]:
    """The modules ``cvquiz ARGV`` imports beyond what the interpreter had loaded at start-up (a machine's
    ``.pth`` files or sitecustomize may load some of the modules a test looks for before cvquiz runs)."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import json\n"
        f"sys.argv = ['cvquiz', *{argv!r}]\n"
        "from cvquiz.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(set(sys.modules) - before)), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    return list(json.loads(out.stderr.strip().splitlines()[-1]))


@pytest.fixture
def env(cvquiz_env: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **cvquiz_env}


def test_help_lists_every_command_without_importing_one(env: dict[str, str]) -> None:
    modules = _modules_after(["--help"], env)
    assert [m for m in modules if m.startswith("cvquiz.cli.commands_")] == []
    assert "pydantic" not in modules
    assert "typer.rich_utils" not in modules  # the top-level help is drawn by cvquiz.cli.roothelp


def test_the_top_level_help_shows_every_command_in_its_panel() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    text = result.stdout
    for entry in lazy.COMMANDS:
        assert f"{entry.name} " in text
        assert entry.help.split()[0] in text
    panels = [entry.panel for entry in lazy.COMMANDS]
    positions = [text.index(f"─ {panel} ─") for panel in dict.fromkeys(panels)]
    assert positions == sorted(positions)
    assert "--collection" in text and "--lang" in text and "--install-completion" in text


def test_a_command_imports_its_own_module_only(env: dict[str, str]) -> None:
    modules = _modules_after(["status"], env)
    assert [m for m in modules if m.startswith("cvquiz.cli.commands_")] == [
        "cvquiz.cli.commands_status"
    ]
    assert "pydantic" not in modules, "a parameter fell back to typer's pydantic converter"


HEAVY = {
    "numpy",
    "sqlite_utils",
    "genanki",
    "fsrs",
    "fsrs_rs_python",
    "yaml",
    "ruamel",
    "markdown_it",
    "pylatexenc",
    "pydantic",
    "plotext",
}


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["decks"],
        ["--help"],
        ["config", "get", "fuzz"],
        # line mode: a recall card without a formula, then the summary
        ["drill", "--deck", "activations"],
    ],
)
def test_everyday_commands_import_nothing_heavy(env: dict[str, str], argv: list[str]) -> None:
    """The import budget: once the decks are synced, these commands load typer, rich and cvquiz only."""
    subprocess.run(["cvquiz", "decks"], env=env, check=True, capture_output=True, timeout=120)
    loaded = {m.split(".")[0] for m in _modules_after(argv, env)}
    assert loaded & HEAVY == set(), f"cvquiz {' '.join(argv)} imports {sorted(loaded & HEAVY)}"


def test_a_re_export_to_anki_loads_no_renderer_and_no_asyncio(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A re-export with no card changed takes its notes from the cache: no Markdown or LaTeX renderer, no rich
    console, and genanki without the asyncio its ``cached_property`` backport would import (cvquiz.anki)."""
    argv = ["export", "anki", "--deck", "activations", "-o", str(tmp_path / "a.apkg")]
    subprocess.run(["cvquiz", *argv], env=env, check=True, capture_output=True, timeout=120)
    loaded = set(_modules_after(argv, env))
    assert "genanki" in loaded
    unwanted = {"asyncio", "markdown_it", "pylatexenc", "rich.console"}
    assert loaded & unwanted == set(), f"a re-export imports {sorted(loaded & unwanted)}"


PLAIN = {"rich.console", "rich.table", "rich.markdown", "tomllib", "hashlib", "tempfile"}
"""What the plainly printed commands need none of, on a synced collection without a settings file: they draw
their output with `cvquiz.cli.draw`, read no TOML and hash no deck file."""


@pytest.mark.parametrize("argv", [["decks"], ["status"], ["--help"]])
def test_plain_commands_load_no_rich_console(env: dict[str, str], argv: list[str]) -> None:
    subprocess.run(["cvquiz", "decks"], env=env, check=True, capture_output=True, timeout=120)
    loaded = set(_modules_after(argv, env))
    assert loaded & PLAIN == set(), f"cvquiz {' '.join(argv)} imports {sorted(loaded & PLAIN)}"


@pytest.mark.parametrize("entry", lazy.COMMANDS, ids=lambda e: e.name)
def test_the_table_help_is_the_commands_own_first_line(entry: lazy.Entry) -> None:
    command = lazy.load_command(entry)
    own = (command.help or "").strip().splitlines()[0]
    assert entry.help == own


def test_every_command_module_is_in_the_table() -> None:
    tabled = {module for entry in lazy.COMMANDS for module in entry.modules}
    modules = {p.stem for p in CLI.glob("commands_*.py")}
    assert modules == tabled


def _registered_names(module: str) -> set[str]:
    """The command names a module registers, read from its ``register`` function's source."""
    tree = ast.parse((CLI / f"{module}.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "command"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "app"
        ):
            names.add(str(node.args[0].value))
    return names


def test_every_top_level_command_is_in_the_table() -> None:
    tabled = {entry.name for entry in lazy.COMMANDS}
    for module in {m for entry in lazy.COMMANDS for m in entry.modules}:
        assert _registered_names(module) <= tabled, module


def test_the_root_group_resolves_every_command() -> None:
    root = typer.main.get_command(app)
    ctx = root.make_context("cvquiz", ["--help"], resilient_parsing=True)
    for name in lazy.command_names():
        command = root.get_command(ctx, name)
        assert command is not None and command.name == name


# --- the converters ----------------------------------------------------------------------------------------


def _params() -> list[Any]:
    found: list[Any] = []

    def walk(command: Any) -> None:
        for param in command.params:
            if isinstance(getattr(param, "_runtime_param", None), lazy._FastParam):
                found.append(param)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    for entry in lazy.COMMANDS:
        walk(lazy.load_command(entry))
    return found


SAMPLES = [
    "0",
    "1",
    "-1",
    "7",
    "250",
    "1e3",
    "0.5",
    "-0.25",
    "abc",
    "",
    " 3 ",
    "1_000",
    "inf",
    "yes",
]


def _outcome(converter: Any, value: Any, param: Any) -> tuple[str, Any]:
    try:
        return "ok", converter.coerce(value, param=param, ctx=None)
    except typer.BadParameter:
        return "bad", None


def test_fast_converters_accept_and_refuse_what_typer_does() -> None:
    params = _params()
    assert len(params) > 50
    kinds: set[str] = set()
    for param in params:
        converter = param._runtime_param
        kinds.add(converter.kind.__name__)
        reference = build_runtime_param(param.type_descriptor)
        multi = param.multiple or param.nargs == -1
        for sample in SAMPLES:
            value: Any = [sample] if multi else sample
            ours, theirs = _outcome(converter, value, param), _outcome(reference, value, param)
            assert ours[0] == theirs[0], (param.name, sample, ours, theirs)
            if ours[0] == "ok":
                assert list(ours[1]) == list(theirs[1]) if multi else ours[1] == theirs[1]
        assert _outcome(converter, None, param) == _outcome(reference, None, param)
    assert {"int", "str", "Path", "float", "bool"} <= kinds


def test_a_mistyped_command_gets_the_closest_names() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["dril"])
    assert result.exit_code == 2
    assert "No such command 'dril'. Did you mean 'drill'?" in " ".join(result.output.split())
    unrelated = CliRunner().invoke(app, ["zzzz"])
    assert "Did you mean" not in unrelated.output
