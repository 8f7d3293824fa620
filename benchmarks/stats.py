"""How fast is ``cvquiz stats`` on a big collection, next to ``cvquiz status`` on the same one?

Builds (or reuses) the collection of ``benchmarks/queue.py`` (100,000 cards, 1,000,000 review rows, built by its
own ``build``), adds a compute deck whose recent log holds wrong answers to classify, then times in a fresh
process ``cvquiz stats`` against the baseline ``cvquiz status`` (median of several runs each) and prints the
ratio. It also times the services in-process: `collection_stats`, `today_status`, and `simulate_collection`.

Run by hand:  python benchmarks/stats.py [--cards 100000] [--reviews 1000000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from _common import report, time_command

from cvquiz import clock
from cvquiz.collection import Collection
from cvquiz.config import Settings
from cvquiz.generators import generate
from cvquiz.model import Card
from cvquiz.simulate import Scenario, simulate_collection
from cvquiz.stats import collection_stats
from cvquiz.status import today_status

COMPUTE_CARDS = 200
COMPUTE_REVIEWS = 20_000
WRONG_SHARE = 0.15
GENERATORS = ("conv2d_output_shape", "pool_output_shape", "cross_entropy", "bce")


def queue_benchmark() -> ModuleType:
    """Load benchmarks/queue.py by path (its name would otherwise be the standard library's queue)."""
    spec = importlib.util.spec_from_file_location(
        "bench_queue", Path(__file__).with_name("queue.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_compute_log(path: Path, now_ms: int, seed: int = 1) -> None:
    """Add a compute deck and a month of its answers, some wrong, unless already there."""
    import numpy as np

    gen = np.random.default_rng(seed)
    with Collection.open(path) as col:
        conn = col.conn
        if conn.execute("SELECT 1 FROM decks WHERE id = 'bench/compute'").fetchone():
            return
        (top,) = conn.execute("SELECT MAX(pk) FROM cards").fetchone()
        cards = []
        for i in range(COMPUTE_CARDS):
            data = {"id": f"k{i}", "type": "compute", "generator": GENERATORS[i % len(GENERATORS)]}
            cards.append((top + 1 + i, f"k{i}", json.dumps(data), Card.from_data(data)))
        day_ms = 86_400_000
        rows = []
        for n in range(COMPUTE_REVIEWS):
            pk, _, _, card = cards[n % COMPUTE_CARDS]
            when = now_ms - int(gen.uniform(0, 29.5) * day_ms)
            seed_n = int(gen.integers(0, 2**31))
            wrong = gen.random() < WRONG_SHARE
            answer, correct = None, 1
            if wrong:
                instance = generate(card, seed_n)
                expected = instance.expected
                if isinstance(expected, tuple):  # a shape: forget the +1 in the spatial dimensions
                    answer = str((*expected[:2], *(d - 1 for d in expected[2:])))
                else:
                    answer = f"{float(expected) * (1.4427 if gen.random() < 0.5 else 1.7):.4f}"
                correct = 0
            day = clock.study_day(clock.from_ms(when)).isoformat()
            rows.append((pk, when, day, 1 if wrong else 3, answer, correct, seed_n))
        with col.transaction():
            conn.execute(
                "INSERT INTO decks (id, name, tags, bundled, active, position) "
                "VALUES ('bench/compute', 'Bench::Compute', '[]', 0, 1, 99)"
            )
            conn.executemany(
                """INSERT INTO cards (pk, deck_id, card_id, ord, type, content, content_hash, tags, line,
                                      position, active, added_at, modified_at)
                   VALUES (?, 'bench/compute', ?, 0, 'compute', ?, 'h', ' compute ', 1, 0, 1, 0, 0)""",
                [(pk, card_id, content) for pk, card_id, content, _ in cards],
            )
            conn.executemany(
                "INSERT INTO schedule (card_pk, state) VALUES (?, 0)", [(c[0],) for c in cards]
            )
            conn.executemany(
                """INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, duration_ms, answer,
                                        correct, seed, state_before, state_after, before, after)
                   VALUES (?, ?, ?, ?, 9000, ?, ?, ?, 2, 2, '{}', '{}')""",
                rows,
            )
        conn.execute("ANALYZE")


def in_process(name: str, call: object, runs: int) -> float:
    assert callable(call)
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(f"{name:>22}: {1000 * seconds:8.1f} ms (in process, median of {runs})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the collection in this folder")
    args = parser.parse_args()

    os.environ["TZ"] = "UTC"
    time.tzset()
    queue = queue_benchmark()
    now = queue.NOW
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "collection.sqlite"
    if not path.exists():
        start = time.perf_counter()
        queue.build(path, args.cards, args.reviews)
        print(f"built {args.cards:,} cards and {args.reviews:,} reviews in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    add_compute_log(path, clock.to_ms(now))
    (folder / "decks").mkdir(exist_ok=True)
    env = {
        "CVQUIZ_COLLECTION": str(path),
        "CVQUIZ_DECKS": str(folder / "decks"),
        "CVQUIZ_CONFIG": str(folder / "config.toml"),
        "CVQUIZ_NOW": now.isoformat(),
        "TZ": "UTC",
        "NO_COLOR": "1",
    }
    cvquiz = shutil.which("cvquiz")
    base = [cvquiz] if cvquiz else [sys.executable, "-m", "cvquiz"]
    status_time = time_command(
        [*base, "status"], env, runs=args.runs
    )  # its warm-up run syncs the decks

    settings = Settings()
    with Collection.open(path) as col:
        (n_reviews,) = col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
        (n_cards,) = col.conn.execute("SELECT COUNT(*) FROM cards WHERE active = 1").fetchone()
        print(f"collection: {n_cards:,} active cards, {n_reviews:,} review rows")
        in_process("today_status", lambda: today_status(col, now, settings), args.runs)
        in_process("collection_stats", lambda: collection_stats(col, now, settings), args.runs)
        in_process(
            "stats, no classifying",
            lambda: collection_stats(col, now, settings, mistake_sample=0),
            args.runs,
        )
        in_process(
            "simulate 60 days",
            lambda: simulate_collection(col, now, settings, [Scenario(0.9, 20)], days=60),
            max(1, args.runs // 2),
        )
        result = collection_stats(col, now, settings)
        print(f"  streak {result.streak.current}/{result.streak.longest}, "
              f"retention 30d {result.retention[2].retention:.3f}, "
              f"{len(result.by_deck)} decks, {len(result.by_tag)} tags, "
              f"{len(result.compute)} generators, due today {result.forecast[0].count:,}")  # fmt: skip

    stats_time = time_command([*base, "stats"], env, runs=args.runs)
    report("cvquiz stats (100k cards, 1M reviews)", stats_time, "cvquiz status", status_time)
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
