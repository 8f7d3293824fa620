"""Start-up of the everyday commands on the bundled decks, against ``python -c "import typer"``.

Every command and the baseline run in turn, round after round (medians of interleaved runs), on a collection
synced once beforehand; the goals are issue 16's. ``cvquiz drill`` runs in line mode with empty input, so it
stops right after showing the first card. ``cvquiz check`` keeps the verdicts of what passed
(``CVQUIZ_CACHE``, here a throw-away folder): the untimed first run of each command fills it, so "unchanged"
is a check of decks checked before. "first run" is the first check after installing: its cache folder cannot
be created (``CVQUIZ_CACHE`` under /dev/null), so nothing is ever kept, and only the verdicts shipped with the
bundled decks count. The check trusting nothing (``--fresh``: every card drawn and judged) is timed apart.

Run by hand: ``python benchmarks/startup.py [--rounds 9]``. Uses a throw-away collection.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, compile_bytecode, report, time_command, time_interleaved

GOALS = {
    "cvquiz --version": None,
    "cvquiz --help": 2.0,
    "cvquiz decks": 2.0,
    "cvquiz status": 2.0,
    "cvquiz drill (first card)": 2.5,
    "cvquiz check (first run)": 3.0,
    "cvquiz check (unchanged)": 3.0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    compile_bytecode()
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    env = {
        "CVQUIZ_COLLECTION": str(tmp / "c.sqlite"),
        "CVQUIZ_DECKS": str(tmp / "decks"),
        "CVQUIZ_CONFIG": str(tmp / "c.toml"),
        "CVQUIZ_CACHE": str(tmp / "cache"),
    }
    cvquiz = shutil.which("cvquiz") or "cvquiz"
    bundled = str(Path(__file__).resolve().parent.parent / "decks")
    commands = {
        "import typer": [PYTHON, "-c", "import typer"],
        "cvquiz --version": [cvquiz, "--version"],
        "cvquiz --help": [cvquiz, "--help"],
        "cvquiz decks": [cvquiz, "decks"],
        "cvquiz status": [cvquiz, "status"],
        "cvquiz drill (first card)": [cvquiz, "drill"],
        "cvquiz check (first run)": [cvquiz, "check", bundled],
        "cvquiz check (unchanged)": [cvquiz, "check", bundled],
    }
    first_run = {"CVQUIZ_CACHE": "/dev/null/cvquiz-cache"}  # never kept
    extra_env = {"cvquiz check (first run)": first_run}
    times = time_interleaved(commands, env, rounds=args.rounds, extra_env=extra_env)
    baseline = times.pop("import typer")
    for name, seconds in times.items():
        report(name, seconds, "import typer", baseline, GOALS.get(name))
    fresh = time_command([cvquiz, "check", "--fresh", bundled], env, runs=3)
    report("cvquiz check --fresh", fresh, "import typer", baseline)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
