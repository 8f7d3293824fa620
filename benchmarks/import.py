"""``cvquiz import`` of a 100,000-row CSV into a new deck, against libyaml writing and reading the same cards.

The import runs as the installed ``cvquiz`` in a fresh process, with a fresh collection and decks folder each
time: read and sniff the CSV, check every card by the loader's rules, write the deck file once, and sync its
cards into the collection. The baseline is ``yaml.dump(Dumper=CSafeDumper)`` of the cards the import wrote
(read back from its file, untimed) to a file, then ``yaml.load(Loader=CSafeLoader)`` of that file: the least a
tool that keeps its decks as YAML must do. Runs alternate, so both meet the same machine load.

Goals: at most 2x the baseline; the import's peak memory (resident set) under 500 MB.
Run by hand: ``python benchmarks/import.py [ROWS] [RUNS]``.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import compile_bytecode, report

PEAK_GOAL_MB = 500


def write_csv(path: Path, rows: int) -> None:
    """Write a CSV with a header row: question, answer (two lines), tags; text in Chinese and English."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer", "tags"])
        for n in range(rows):
            writer.writerow(
                [
                    f"第 {n} 题：what is the receptive field of {n % 9 + 2} stacked 3×3 convs?",
                    f"{2 * (n % 9 + 2) + 1}\nEach layer adds k − 1 = 2 (row {n}).",
                    f"bench g{n % 7}",
                ]
            )


def import_command(source: Path, folder: Path) -> tuple[list[str], dict[str, str]]:
    """The import's command line and environment, with a fresh collection and decks folder in ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(folder / "collection.sqlite"),
        "CVQUIZ_DECKS": str(folder / "decks"),
        "CVQUIZ_CONFIG": str(folder / "config.toml"),
    }
    return ["cvquiz", "import", str(source), "--deck", "bench/import"], env


def import_once(source: Path, folder: Path) -> tuple[float, Path]:
    """Run one import into a fresh collection and decks folder; return its wall time and the deck file."""
    argv, env = import_command(source, folder)
    start = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=True)
    return time.perf_counter() - start, folder / "decks" / "bench" / "import.yaml"


PEAK_PROBE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], capture_output=True, check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
"""Runs a command and prints its peak resident set in KiB. A child forked by this benchmark's own process would
count the benchmark's memory too (Linux keeps the larger of the address space it forked with and the one it
exec'ed), so the import is started from this small process instead."""


def import_peak_mb(source: Path, folder: Path) -> float:
    """Run one import (untimed) and return its peak resident set, in MB."""
    argv, env = import_command(source, folder)
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1]) / 1024


def libyaml_once(cards: object, target: Path) -> float:
    """Write ``cards`` with libyaml's dumper to ``target`` and read them back; return the wall time."""
    start = time.perf_counter()
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(cards, handle, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    with target.open("rb") as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def main(rows: int = 100_000, runs: int = 3) -> None:
    compile_bytecode()
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-import-"))
    try:
        source = tmp / "cards.csv"
        write_csv(source, rows)
        folder = tmp / "run"
        imports: list[float] = []
        baselines: list[float] = []
        cards: object = None
        for _ in range(runs):
            seconds, deck = import_once(source, folder)
            imports.append(seconds)
            if cards is None:
                with deck.open("rb") as handle:
                    cards = yaml.load(handle, Loader=yaml.CSafeLoader)
                count = len(cards["cards"])  # type: ignore[index]
                if count != rows:
                    raise SystemExit(f"the import wrote {count} cards, not {rows}")
            baselines.append(libyaml_once(cards, tmp / "libyaml.yaml"))
        peak_mb = import_peak_mb(source, folder)
        print(
            f"{rows:,} rows, {runs} runs each (median); deck file {deck.stat().st_size / 1e6:.1f} MB"
        )
        report(
            f"cvquiz import ({rows:,} CSV rows)",
            statistics.median(imports),
            "libyaml dump+load",
            statistics.median(baselines),
            goal=2,
        )
        verdict = "met" if peak_mb < PEAK_GOAL_MB else "NOT met"
        print(
            f"{'peak memory of cvquiz import':<34} {peak_mb:9.1f} MB   (goal < {PEAK_GOAL_MB} MB: {verdict})"
        )
        per_card = statistics.median(imports) / rows * 1e6
        print(f"{'per card':<34} {per_card:9.1f} µs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
