"""Files a person names to be read, through the installed ``cvquiz``: devices, FIFOs, endless input.

Every command that reads a file given on its command line reads at most a limit's worth of it, so ``/dev/zero``
or ``/dev/urandom`` (whose size on disk is 0) is one error line, not a process that fills the memory; a FIFO
such as ``<(...)`` still works for small text inputs. The commands run with their address space capped, so a
command that reads without a limit fails fast here instead of taking the machine's memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._faults import cvquiz_command, run

MEMORY_CAP = 2_000_000_000
"""Bytes of address space each command gets: far more than the largest limit, far less than /dev/zero."""


def capped(argv: list[str]) -> list[str]:
    """Run ``argv`` with its address space capped (``ulimit -v``)."""
    return ["sh", "-c", f'ulimit -v {MEMORY_CAP // 1024} && exec "$@"', "sh", *argv]


@pytest.fixture
def devices(tmp_path: Path) -> Path:
    """A folder with links to endless devices, named as the files the commands expect."""
    if not (Path("/dev/zero").exists() and Path("/dev/urandom").exists()):
        pytest.skip("no /dev/zero or /dev/urandom")
    folder = tmp_path / "named"
    folder.mkdir()
    for name, device in (("z.csv", "zero"), ("u.yaml", "urandom"), ("z.apkg", "zero")):
        (folder / name).symlink_to(f"/dev/{device}")
    return folder


ENDLESS = {
    "import csv": (["import", "{dir}/z.csv", "--deck", "x", "--dry-run"], "larger than 64 MB"),
    "import anki text": (["import", "anki", "/dev/zero", "--deck", "x"], "larger than 64 MB"),
    "import anki package": (["import", "{dir}/z.apkg", "--dry-run"], "not a regular file"),
    "import json": (["import", "json", "/dev/zero"], "larger than 256 MB"),
    "check": (["check", "{dir}/u.yaml"], "larger than 64 MB"),
    "try": (["try", "code/reverse-rows", "/dev/zero"], "larger than 1 MB"),
    "calc map": (["calc", "map", "--gt", "/dev/zero", "--dets", "/dev/zero"], "larger than 256 MB"),
}


@pytest.mark.parametrize("case", sorted(ENDLESS))
def test_an_endless_device_is_one_error_line(case: str, devices: Path, user_decks: Path) -> None:
    args, message = ENDLESS[case]
    argv = [cvquiz_command(), *(a.format(dir=devices) for a in args)]
    done = run(capped(argv))
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert message in done.stdout + done.stderr
    assert not (user_decks / "x.yaml").exists()


def test_an_endless_settings_file_is_one_error_line(devices: Path, user_decks: Path) -> None:
    done = run(capped([cvquiz_command(), "status"]), env={"CVQUIZ_CONFIG": "/dev/zero"})
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == ["Error: /dev/zero: larger than 1 MB; cvquiz reads no more"]


def test_a_fifo_within_the_limit_is_read(user_decks: Path, tmp_path: Path) -> None:
    cvquiz = cvquiz_command()
    script = f"""
        {cvquiz} import <(printf 'What is a stride?,The step of the kernel.\\n') --deck mine &&
        {cvquiz} check <(cat "$1/mine.yaml") &&
        {cvquiz} import csv <(head -c 70000000 /dev/zero) --deck other
    """
    done = run(capped(["bash", "-c", script, "bash", str(user_decks)]))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Added 1 card to mine" in done.stderr
    assert "no problems" in done.stderr
    assert done.stderr.splitlines()[-1].endswith(": larger than 64 MB; cvquiz reads no more")
    assert not (user_decks / "other.yaml").exists()


def test_a_code_cards_answer_file_in_the_line_drill_is_capped(user_decks: Path) -> None:
    """The line drill takes a code card's answer as a file's path: /dev/zero there is asked again."""
    done = run(
        capped([cvquiz_command(), "drill", "--deck", "code", "--new", "1", "--json"]),
        stdin="/dev/zero\nq\n",
    )
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "larger than 1 MB" in done.stdout + done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_anki_package_from_a_fifo_is_refused(tmp_path: Path, user_decks: Path) -> None:
    fifo = tmp_path / "phone.apkg"
    os.mkfifo(fifo)
    done = run(capped([cvquiz_command(), "import", str(fifo), "--dry-run"]))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        f"Error: {fifo}: not a regular file; an Anki package is read from a file (save it to one first)"
    ]
