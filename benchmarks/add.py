"""``cvquiz add`` on a 2,000-card user deck, against ``python -c "import typer"`` (the CLI's floor).

Each run adds a new card with flags: find the deck, parse it, append the card keeping every other byte, parse
the result again, write it atomically, and sync the collection. The collection is synced once beforehand, so
the bundled decks cost a ``stat`` each, as they do for a user. Run by hand: ``python benchmarks/add.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import report, time_command


def make_deck(n: int) -> str:
    lines = ["# a big deck of my own\ndeck: my/bench\nname: My::Bench\n\ncards:\n"]
    for i in range(n):
        lines.append(
            f"  - id: card-{i}\n"
            "    type: basic\n"
            "    question:\n"
            f"      zh: 第 {i} 题：$\\frac{{H+2p-k}}{{s}}+1$ 是什么？\n"
            f"      en: 'Question {i}: what is $\\frac{{H+2p-k}}{{s}}+1$?'\n"
            f"    answer: Answer {i}, with some explanation.\n"
            f"    tags: [bench, group::{i % 17}]\n\n"
        )
    return "".join(lines)


def main(n: int = 2000, runs: int = 7) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-add-"))
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(tmp / "c.sqlite"),
        "CVQUIZ_DECKS": str(tmp / "decks"),
        "CVQUIZ_CONFIG": str(tmp / "config.toml"),
    }
    try:
        (tmp / "decks" / "my").mkdir(parents=True)
        (tmp / "decks" / "my" / "bench.yaml").write_text(make_deck(n), encoding="utf-8")
        subprocess.run(["cvquiz", "decks"], env=env, capture_output=True, check=True)
        times = []
        for i in range(runs + 1):
            argv = ["cvquiz", "add", "--deck", "my/bench", "-q", f"Fresh question {i}?", "-a", "A."]
            start = time.perf_counter()
            subprocess.run(argv, env=env, capture_output=True, check=True)
            if i:  # the first run warms the file cache
                times.append(time.perf_counter() - start)
        baseline = time_command([sys.executable, "-c", "import typer"], runs=runs)
        report(f"cvquiz add ({n}-card deck)", statistics.median(times), "import typer", baseline)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
