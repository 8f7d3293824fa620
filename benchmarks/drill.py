"""How fast does the next card show after a rating, on a big collection?

Builds (or reuses) the 100,000-card / 1,000,000-review collection of ``benchmarks/queue.py``, then runs a scripted
non-TTY ``cvquiz drill`` of 200 reviews and reports the time per review, against a bare ``sqlite3`` loop doing the
same rows by hand (select the next due card by index, insert its review row, update its schedule row, commit).
It also times the same 200 reviews in process through `cvquiz.study.Session`, without the process start-up.

Run by hand:  python benchmarks/drill.py [--keep DIR] [--reviews 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from queue import NOW, build  # type: ignore[attr-defined]

from cvquiz import clock
from cvquiz.collection import Collection
from cvquiz.collection.queue import QueueFilter
from cvquiz.config import Settings
from cvquiz.model import Rating
from cvquiz.study import Session


def bare_sqlite(path: Path, n: int) -> float:
    """The baseline: the same reads and writes as a review, written by hand with sqlite3."""
    conn = sqlite3.connect(path, isolation_level=None)
    now_ms = clock.to_ms(NOW)
    start = time.perf_counter()
    for _ in range(n):
        row = conn.execute(
            "SELECT card_pk, state, stability, difficulty, due FROM schedule"
            " WHERE state = 2 AND due_day <= '2026-03-02' AND suspended = 0 ORDER BY due_day LIMIT 1"
        ).fetchone()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, duration_ms, state_before,"
            " state_after, before, after) VALUES (?, ?, '2026-03-02', 3, 1000, 2, 2, ?, ?)",
            (row[0], now_ms, json.dumps(row), json.dumps(row)),
        )
        conn.execute(
            "UPDATE schedule SET due = due + 86400000, due_day = '2026-03-20', last_review = ? WHERE card_pk = ?",
            (now_ms, row[0]),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build (or reuse) the collection in this folder")
    parser.add_argument("--reviews", type=int, default=200)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "collection.sqlite"
    if not master.exists():
        build(master, 100_000, 1_000_000)
    os.environ["TZ"] = "UTC"
    time.tzset()
    n = args.reviews

    def fresh(name: str) -> Path:
        copy = folder / name
        shutil.copy(master, copy)
        return copy

    base = bare_sqlite(fresh("baseline.sqlite"), n)

    path = fresh("inprocess.sqlite")
    settings = Settings()  # the default limits: 200 reviews a day, exactly this session
    with Collection.open(path) as col:
        session = Session(
            col=col,
            settings=settings,
            now=lambda: NOW,
            flt=QueueFilter(decks=("bench",)),
            rng=random.Random(0),
        )
        start = time.perf_counter()
        for _ in range(n):
            view = session.next()
            assert view is not None
            session.previews(view)
            session.rate(view, Rating.GOOD, duration_ms=1000)
        inproc = time.perf_counter() - start

    path = fresh("cli.sqlite")
    (folder / "decks").mkdir(exist_ok=True)
    (folder / "config.toml").unlink(missing_ok=True)
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(path),
        "CVQUIZ_DECKS": str(folder / "decks"),
        "CVQUIZ_CONFIG": str(folder / "config.toml"),
        "CVQUIZ_NOW": NOW.isoformat(),
    }
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "cvquiz", "drill", "--deck", "bench", "--limit", str(n), "--json"],
        input="\n3\n" * n, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    cli = time.perf_counter() - start
    rated = sum(1 for line in result.stdout.splitlines() if '"event": "rated"' in line)
    assert rated == n, (rated, result.stderr[-500:])

    per = 1000 / n
    print(f"{n} reviews on 100,000 cards / 1,000,000 review rows")
    print(f"bare sqlite3 select+insert+update : {base * per:7.2f} ms per review")
    print(
        f"Session.next + previews + rate     : {inproc * per:7.2f} ms per review  = {inproc / base:5.1f}x the bare loop"
    )
    print(f"cvquiz drill (line mode, whole run): {cli * per:7.2f} ms per review  = {cli / base:5.1f}x the bare loop"
          f"  (includes start-up, {cli:.2f} s in all)")  # fmt: skip
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
