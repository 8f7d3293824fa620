"""How fast are today's queue, ``cvquiz status``, ``decks`` and ``drill`` on a big collection?

Builds a collection of 100,000 cards and 1,000,000 review rows with bulk SQL inserts (not the review API), then
times ``cvquiz status``, ``cvquiz decks`` and ``cvquiz drill`` (line mode, to the first card shown) in fresh
processes, interleaved with the baseline ``python -c "import typer"`` (medians), and prints each ratio against
issue 16's goals (status <= 3x, decks <= 2.5x, drill <= 3x). It also times the queue calls in-process.

Run by hand:  python benchmarks/queue.py [--cards 100000] [--reviews 1000000] [--runs 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, compile_bytecode, report, time_interleaved

from cvquiz import clock
from cvquiz.collection import Collection
from cvquiz.collection.queue import next_card, queue_counts
from cvquiz.config import Settings
from cvquiz.status import today_status

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_MS = 86_400_000
DECKS = 50


def build(path: Path, n_cards: int, n_reviews: int, seed: int = 0) -> None:
    """Fill a new collection with synthetic decks, cards, schedules and a review log."""
    gen = np.random.default_rng(seed)
    now_ms = clock.to_ms(NOW)
    col = Collection.open(path)
    conn = col.conn
    per_deck = -(-n_cards // DECKS)
    content = json.dumps({"id": "x", "type": "basic", "question": "q", "answer": "a"})
    with col.transaction():
        conn.executemany(
            "INSERT INTO decks (id, name, tags, bundled, active, position) VALUES (?, ?, '[]', 0, 1, ?)",
            [(f"bench/d{d:02d}", f"Bench::Deck {d}", d) for d in range(DECKS)],
        )
        conn.executemany(
            """INSERT INTO cards (pk, deck_id, card_id, ord, type, content, content_hash, tags, line,
                                  position, active, added_at, modified_at)
               VALUES (?, ?, ?, 0, 'basic', ?, 'h', ' bench ', 1, ?, 1, ?, ?)""",
            (
                (
                    pk,
                    f"bench/d{(pk - 1) // per_deck:02d}",
                    f"c{pk}",
                    content,
                    ((pk - 1) // per_deck) * 1_000_000 + (pk - 1) % per_deck,
                    now_ms - 800 * DAY_MS,
                    now_ms - 800 * DAY_MS,
                )
                for pk in range(1, n_cards + 1)
            ),
        )
        # 10% new, 2% (re)learning, 88% review; intervals spread so some are due, many overdue.
        state = gen.choice([0, 1, 2, 3], size=n_cards, p=[0.10, 0.01, 0.88, 0.01])
        stability = gen.lognormal(3.0, 1.2, n_cards).clip(0.1, 3000)
        difficulty = gen.uniform(1, 10, n_cards)
        last = now_ms - (gen.uniform(0, 1.2, n_cards) * stability * DAY_MS).astype(np.int64)
        interval = np.maximum(np.round(stability), 1).astype(np.int64) * DAY_MS
        due = np.where(
            state == 2, last + interval, now_ms + gen.integers(-3_600_000, 3_600_000, n_cards)
        )
        last_day = (last - 4 * 3_600_000) // DAY_MS  # TZ=UTC, rollover 04:00
        due_day = np.where(
            state == 2, last_day + interval // DAY_MS, (due - 4 * 3_600_000) // DAY_MS
        )
        days = np.datetime64("1970-01-01") + due_day.astype("timedelta64[D]")
        rows = []
        for i in range(n_cards):
            s = int(state[i])
            if s == 0:
                rows.append((i + 1, 0, None, None, None, None, None, 0, 0, None))
            else:
                rows.append(
                    (
                        i + 1,
                        s,
                        0 if s in (1, 3) else None,
                        float(stability[i]),
                        float(difficulty[i]),
                        int(due[i]),
                        int(last[i]),
                        10,
                        int(s == 3),
                        str(days[i]),
                    )
                )
        conn.executemany(
            """INSERT INTO schedule (card_pk, state, step, stability, difficulty, due, last_review,
                                     reps, lapses, due_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        # The review log: two years, denser lately; a hundred reviews today.
        studied = np.flatnonzero(state > 0) + 1
        # before today's study day (04:00 UTC), except the hundred reviews of today below
        day_start = now_ms - (now_ms - 4 * 3_600_000) % DAY_MS
        when = (day_start - 1 - (1 - gen.power(3.0, n_reviews)) * 730 * DAY_MS).astype(np.int64)
        when[: min(100, n_reviews)] = now_ms - gen.integers(0, 4 * 3_600_000, min(100, n_reviews))
        study_days = np.datetime64("1970-01-01") + ((when - 4 * 3_600_000) // DAY_MS).astype(
            "timedelta64[D]"
        )
        cards = gen.choice(studied, n_reviews)
        ratings = gen.choice([1, 2, 3, 4], n_reviews, p=[0.1, 0.1, 0.7, 0.1])
        before_state = gen.choice([0, 1, 2, 3], n_reviews, p=[0.1, 0.1, 0.75, 0.05])
        blob = json.dumps(
            {
                "state": 2, "step": None, "stability": 12.345678901234, "difficulty": 5.4321,
                "due": now_ms, "last_review": now_ms, "reps": 3, "lapses": 0, "suspended": 0,
                "buried_until": None, "leech": 0, "due_day": "2026-03-02",
            }
        )  # fmt: skip
        conn.executemany(
            """INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, duration_ms, state_before,
                                    state_after, before, after) VALUES (?, ?, ?, ?, ?, ?, 2, ?, ?)""",
            (
                (
                    int(cards[i]),
                    int(when[i]),
                    str(study_days[i]),
                    int(ratings[i]),
                    8000,
                    int(before_state[i]),
                    blob,
                    blob,
                )
                for i in range(n_reviews)
            ),
        )
    conn.execute("ANALYZE")
    col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the collection in this folder")
    args = parser.parse_args()
    compile_bytecode()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "collection.sqlite"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.cards, args.reviews)
        print(f"built {args.cards:,} cards and {args.reviews:,} reviews in "
              f"{time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")  # fmt: skip
    (folder / "decks").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(path),
        "CVQUIZ_DECKS": str(folder / "decks"),
        "CVQUIZ_CONFIG": str(folder / "config.toml"),
        "CVQUIZ_NOW": NOW.isoformat(),
        "TZ": "UTC",
    }
    os.environ["TZ"] = "UTC"
    time.tzset()

    # In-process: the queue and the status service on the warm collection.
    settings = Settings()
    with Collection.open(path) as col:
        for name, call in (
            ("queue_counts", lambda: queue_counts(col, NOW, settings)),
            ("next_card", lambda: next_card(col, NOW, settings)),
            ("today_status", lambda: today_status(col, NOW, settings)),
        ):
            call()
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            print(f"{name:>13}: {1000 * statistics.median(times):7.1f} ms (in process, median)")
        status = today_status(col, NOW, settings)
        print(f"       status: new {status.new}, learning {status.learning}, review {status.review}, "
              f"{status.review_cards:,} review cards, forecast {[d.due for d in status.forecast]}")  # fmt: skip

    cvquiz = shutil.which("cvquiz") or "cvquiz"
    commands = {
        "import typer": [PYTHON, "-c", "import typer"],
        "import numpy (for context)": [PYTHON, "-c", "import numpy"],
        "cvquiz --version": [cvquiz, "--version"],
        "cvquiz status": [cvquiz, "status"],
        "cvquiz decks": [cvquiz, "decks"],
        "cvquiz drill (first card)": [cvquiz, "drill"],
    }
    times = time_interleaved(commands, env, rounds=args.runs)
    baseline = times.pop("import typer")
    goals = {"cvquiz status": 3.0, "cvquiz decks": 2.5, "cvquiz drill (first card)": 3.0}
    for name, seconds in times.items():
        report(name, seconds, "import typer", baseline, goals.get(name))
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
