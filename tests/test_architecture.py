"""The layers stay where STYLE.md puts them, and start-up stays light.

Each check imports a module in a fresh interpreter and looks at what it pulled in.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "sqlite_utils", "genanki", "fsrs", "yaml", "pylatexenc", "ruamel")


def imported_by(code: str) -> set[str]:
    probe = (
        code + "\nimport sys, json\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_and_version_import_nothing_heavy() -> None:
    for argv in (["--help"], ["--version"]):
        mods = imported_by(
            f"import sys\nsys.argv = ['cvquiz', *{argv!r}]\nfrom cvquiz.cli.app import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass"
        )
        assert not mods & set(HEAVY), f"cvquiz {' '.join(argv)} imports {sorted(mods & set(HEAVY))}"


@pytest.mark.parametrize(
    ("module", "banned"),
    [
        ("cvquiz.model", {"typer", "rich", "sqlite_utils", "numpy", "genanki", "yaml"}),
        ("cvquiz.deckfile", {"typer", "rich", "sqlite_utils", "numpy", "genanki"}),
        # sqlite-utils itself imports numpy when it is installed (for its type map), so numpy is not checked here.
        ("cvquiz.collection", {"typer", "rich", "genanki"}),
        ("cvquiz.config", {"typer", "rich", "sqlite_utils", "numpy", "genanki"}),
        ("cvquiz.clock", {"typer", "rich", "sqlite_utils", "numpy", "genanki"}),
        ("cvquiz.mathtext", {"typer", "rich", "sqlite_utils", "numpy", "genanki", "pylatexenc"}),
    ],
)
def test_domain_layers_do_not_import_the_cli_or_foreign_layers(
    module: str, banned: set[str]
) -> None:
    mods = imported_by(f"import {module}")
    assert not mods & banned, f"{module} pulls in {sorted(mods & banned)}"


def test_engine_imports_only_numpy_and_errors() -> None:
    mods = imported_by("import cvquiz.engine")
    assert "numpy" in mods
    assert not mods & {"typer", "rich", "sqlite_utils", "genanki", "yaml", "fsrs"}


def test_nothing_imports_the_cli() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "cvquiz"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "cli" not in p.relative_to(root).parts
        and p.name != "__main__.py"  # the entry point runs the CLI
        and (
            "from cvquiz.cli" in p.read_text(encoding="utf-8")
            or "import cvquiz.cli" in p.read_text(encoding="utf-8")
        )
    ]
    assert offenders == []
