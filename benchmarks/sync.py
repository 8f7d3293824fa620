"""Big decks: ``cvquiz check`` and a cold sync of a 10 MB deck, against pyyaml's C loader alone on the same file.

Goals (issue 17, item 15): ``cvquiz check FILE`` and a cold sync of a 10 MB deck each within 1.5x of
``yaml.load(text, CSafeLoader)`` of that file, timed in the same run; an unchanged re-sync under 5% of the cold
sync. A second deck of 100,000 compute problems (a generated practice deck: a few generators, each card its own
parameters picked from a handful of sets) shows the compute-card side of both.

Run by hand: ``python benchmarks/sync.py`` (``--quick`` for a 2.5 MB deck and 10,000 problems).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import report, time_call

from cvquiz import generators
from cvquiz.collection import Collection
from cvquiz.generators import card_problem

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def make_deck(n: int, compute_every: int = 0) -> str:
    """A deck of ``n`` cards: basic, reversed and cloze in turn, every ``compute_every``-th a compute card."""
    cards = []
    for i in range(n):
        if compute_every and i % compute_every == 0:
            cards.append(_compute_card(i, random.Random(i)))
            continue
        kind = ("basic", "reversed", "cloze")[i % 3]
        question = (
            {
                "zh": f"第 {i} 题：卷积输出尺寸 {{{{c1::{i}}}}} 是多少？",
                "en": f"Question {i}: the output size is {{{{c1::{i}}}}}?",
            }
            if kind == "cloze"
            else {
                "zh": f"第 {i} 题：$\\frac{{H+2p-k}}{{s}}+1$ 是什么？",
                "en": f"Question {i}: what is $\\frac{{H+2p-k}}{{s}}+1$?",
            }
        )
        card = {
            "id": f"card-{i}",
            "type": kind,
            "question": question,
            "tags": ["bench", f"group::{i % 17}"],
        }
        if kind != "cloze":
            card["answer"] = {
                "zh": f"答案 {i}，解释若干。",
                "en": f"Answer {i}, with some explanation.",
            }
        cards.append(card)
    return yaml.safe_dump(
        {"deck": "bench", "name": "Bench::Big", "cards": cards}, allow_unicode=True, sort_keys=False
    )


_PARAM_SETS = {
    "conv2d_output_shape": [
        {"kernel": [k], "stride": [s], "padding": [p]}
        for k in (1, 3, 5, 7)
        for s in (1, 2)
        for p in range(k // 2 + 1)
    ],
    "pool_output_shape": [{"kernel": [k], "stride": [s]} for k in (2, 3) for s in (1, 2)],
    "conv_params": [
        {"kernel": [k], "bias": [b], "groups": [1]} for k in (1, 3, 5, 7) for b in (True, False)
    ],
}


def _compute_card(i: int, rng: random.Random) -> dict[str, object]:
    generator = rng.choice(sorted(_PARAM_SETS))
    return {
        "id": f"problem-{i}",
        "type": "compute",
        "generator": generator,
        "params": {k: list(v) for k, v in rng.choice(_PARAM_SETS[generator]).items()},  # no aliases
        "tags": ["bench", "practice"],
    }


def time_check(deck: Path, env: dict[str, str], fresh: bool) -> float:
    """Median wall time of ``cvquiz check FILE`` (which must find no problem).

    ``fresh``: with ``--fresh``, nothing kept from earlier checks is trusted (a deck checked for the first
    time); without, the verdicts of the run before are (an unchanged deck).
    """
    cvquiz = shutil.which("cvquiz") or "cvquiz"
    argv = [cvquiz, "check", *(["--fresh"] if fresh else []), str(deck)]

    def run() -> None:
        subprocess.run(argv, env=env, capture_output=True, check=True)

    return time_call(run, runs=3)


def measure(label: str, text: str, tmp: Path) -> None:
    user = tmp / label / "decks"
    user.mkdir(parents=True)
    empty = tmp / label / "bundled"
    empty.mkdir()
    deck = user / "bench.yaml"
    deck.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "CVQUIZ_COLLECTION": str(tmp / label / "check.sqlite"),
        "CVQUIZ_DECKS": str(user),
        "CVQUIZ_CONFIG": str(tmp / label / "config.toml"),
        "CVQUIZ_CACHE": str(tmp / label / "cache"),
    }

    baseline = time_call(
        lambda: yaml.load(deck.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader), runs=3
    )
    counter = iter(range(1000))
    holder: dict[str, Collection] = {}

    def fresh() -> None:
        holder["col"] = Collection.open(tmp / label / f"c{next(counter)}.sqlite")
        generators._CARD_PROBLEMS.clear()  # a cold sync vets every compute card afresh

    cold = time_call(
        lambda: holder["col"].sync_decks(empty, user, NOW, vet=card_problem), runs=3, setup=fresh
    )
    warm = time_call(lambda: holder["col"].sync_decks(empty, user, NOW, vet=card_problem), runs=5)
    check = time_check(deck, env, fresh=True)
    unchanged = time_check(deck, env, fresh=False)
    (cards,) = holder["col"].conn.execute("SELECT COUNT(*) FROM cards").fetchone()
    print(f"\n{label}: {len(text.encode()) / 1e6:.1f} MB of YAML, {cards} study cards")
    report("cvquiz check FILE (first time)", check, "CSafeLoader load", baseline, goal=1.5)
    report("cvquiz check FILE (unchanged)", unchanged, "CSafeLoader load", baseline)
    report("cold sync", cold, "CSafeLoader load", baseline, goal=1.5)
    report("unchanged re-sync", warm, "cold sync", cold, goal=0.05)


def main() -> None:
    quick = "--quick" in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    try:
        measure("10 MB deck", make_deck(10_000 if quick else 40_000, compute_every=10), tmp)
        problems = 10_000 if quick else 100_000
        measure(f"{problems:,} compute problems", make_deck(problems, compute_every=1), tmp)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
