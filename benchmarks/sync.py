"""Deck sync: a generated 10,000-card deck synced cold and again unchanged, against pyyaml's C loader alone.

Goals: cold sync under 1.5x of ``yaml.load(text, CSafeLoader)``; an unchanged re-sync under 5% of the cold sync.
Run by hand: ``python benchmarks/sync.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import report, time_call

from cvquiz.collection import Collection


def make_deck(n: int) -> str:
    cards = []
    for i in range(n):
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


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    user = tmp / "decks"
    user.mkdir()
    empty = tmp / "bundled"
    empty.mkdir()
    text = make_deck(10_000)
    deck = user / "bench.yaml"
    deck.write_text(text, encoding="utf-8")
    now = datetime(2026, 1, 1, tzinfo=UTC)

    baseline = time_call(
        lambda: yaml.load(deck.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    )

    counter = iter(range(1000))

    def fresh() -> None:
        global col
        col = Collection.open(tmp / f"c{next(counter)}.sqlite")

    cold = time_call(lambda: col.sync_decks(empty, user, now), setup=fresh)
    warm = time_call(lambda: col.sync_decks(empty, user, now), runs=7)
    print(
        f"10,000-card deck, {len(text.encode()) / 1e6:.1f} MB of YAML, {sum(1 for _ in col.conn.execute('SELECT 1 FROM cards'))} review cards"
    )
    report("cold sync", cold, "CSafeLoader load", baseline, goal=1.5)
    report("unchanged re-sync", warm, "cold sync", cold, goal=0.05)
    shutil.rmtree(tmp)


col: Collection

if __name__ == "__main__":
    main()
