"""Shell completion through the installed ``cvquiz``: commands, options, deck ids, tags, card references and
setting names, for bash (in a real bash), zsh and fish (their completion protocols and installers)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("cvquiz") is None, reason="cvquiz is not installed")


@pytest.fixture
def env(cvquiz_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The environment of a user whose collection has been synced once."""
    environ = {**os.environ, **cvquiz_env, "HOME": str(tmp_path / "home")}
    subprocess.run(["cvquiz", "decks"], env=environ, check=True, capture_output=True, timeout=120)
    return environ


def bash_complete(env: dict[str, str], line: str) -> list[str]:
    words = line.split(" ")
    script = (
        "source <(cvquiz --show-completion)\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        "_cvquiz_completion cvquiz\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        ["bash", "--norc", "-c", script],
        env={**env, "SHELL": "/bin/bash"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [line for line in out.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completes_commands_options_and_names(env: dict[str, str]) -> None:
    assert bash_complete(env, "cvquiz dr") == ["drill"]
    assert {"status", "stats", "show", "search"} <= set(bash_complete(env, "cvquiz s"))
    assert "--deck" in bash_complete(env, "cvquiz drill --")
    assert bash_complete(env, "cvquiz drill --deck los") == ["losses"]
    refs = bash_complete(env, "cvquiz show losses/ce-")
    assert refs and all(ref.startswith("losses/ce-") for ref in refs)
    assert "notes::1" in bash_complete(env, "cvquiz drill --tag notes::")
    assert bash_complete(env, "cvquiz config get desired_") == ["desired_retention"]


def protocol(env: dict[str, str], shell: str, line: str) -> str:
    """What ``cvquiz`` answers a shell's completion function (typer's protocol for zsh and fish)."""
    extra = {"_CVQUIZ_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "fish":
        extra["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    out = subprocess.run(
        ["cvquiz"], env={**env, **extra}, capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout


def test_zsh_and_fish_get_the_same_names(env: dict[str, str]) -> None:
    zsh = protocol(env, "zsh", "cvquiz drill --deck los")
    assert '"losses"' in zsh and "practice" not in zsh
    fish = protocol(env, "fish", "cvquiz drill --deck los")
    assert fish.splitlines()[0].split("\t")[0] == "losses"
    assert "drill" in protocol(env, "zsh", "cvquiz dri")


@pytest.mark.parametrize(
    ("shell", "installed"),
    [
        ("bash", ".bash_completions/cvquiz.sh"),
        ("zsh", ".zfunc/_cvquiz"),
        ("fish", ".config/fish/completions/cvquiz.fish"),
    ],
)
def test_install_completion_writes_the_shells_script(
    env: dict[str, str], shell: str, installed: str
) -> None:
    home = Path(env["HOME"])
    out = subprocess.run(
        ["cvquiz", "--install-completion", shell],
        env={**env, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    script = (home / installed).read_text(encoding="utf-8")
    assert "_CVQUIZ_COMPLETE" in script


def test_completion_without_a_collection_offers_no_names(cvquiz_env: dict[str, str]) -> None:
    environ = {**os.environ, **cvquiz_env}
    assert '"losses"' not in protocol(environ, "zsh", "cvquiz drill --deck los")
    assert not Path(cvquiz_env["CVQUIZ_COLLECTION"]).exists()
