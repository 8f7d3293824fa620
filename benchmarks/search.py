"""How fast is ``cvquiz search`` on 100,000 cards, against ``python -c "import typer"``?

Builds a collection of 100,000 cards with bilingual text drawn from a vocabulary of computer-vision terms and a
thousand rarer model names (so the trigram index has real text to index), with schedules for most of them,
by bulk SQL inserts (the collection's triggers fill the text index as deck sync would). Then it times,
interleaved with the baseline (medians), ``cvquiz search WORD`` for a model name in about a hundred cards
(issue 16's goal: at most 2.5x), and for context a word in a tenth of the cards (the output dominates), a
two-character Chinese word (which scans the index's text), a wildcard, and a query of filters only.

Run by hand:  python benchmarks/search.py [--cards 100000] [--rounds 9] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, report, time_interleaved

from cvquiz import clock
from cvquiz.collection import Collection

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_MS = 86_400_000
DECKS = 50
TERMS = [
    ("卷积", "convolution"), ("池化", "pooling"), ("感受野", "receptive field"), ("步幅", "stride"),
    ("填充", "padding"), ("交叉熵", "cross-entropy"), ("梯度", "gradient"), ("反向传播", "backpropagation"),
    ("批归一化", "batch normalization"), ("层归一化", "layer normalization"), ("注意力", "attention"),
    ("非极大值抑制", "non-maximum suppression"), ("锚框", "anchor box"), ("交并比", "intersection over union"),
    ("平均精度", "average precision"), ("召回率", "recall"), ("精确率", "precision"), ("学习率", "learning rate"),
    ("动量", "momentum"), ("权重衰减", "weight decay"), ("残差连接", "residual connection"),
    ("特征金字塔", "feature pyramid"), ("语义分割", "semantic segmentation"), ("实例分割", "instance segmentation"),
    ("关键点", "keypoint"), ("数据增强", "data augmentation"), ("过拟合", "overfitting"), ("正则化", "regularization"),
    ("激活函数", "activation function"), ("损失函数", "loss function"), ("优化器", "optimizer"),
    ("量化", "quantization"), ("蒸馏", "distillation"), ("对比学习", "contrastive learning"),
    ("位置编码", "positional encoding"), ("多头注意力", "multi-head attention"), ("上采样", "upsampling"),
    ("双线性插值", "bilinear interpolation"), ("空洞卷积", "dilated convolution"), ("深度可分离卷积", "depthwise separable convolution"),
]  # fmt: skip
TEMPLATES = [
    ("什么是{a}？它与{b}有什么关系？", "What is {a}, and how does it relate to {b}?"),
    ("为什么{a}能改善{b}？", "Why does {a} help {b}?"),
    ("写出{a}的公式，并说明{b}的作用。", "Write the formula of {a} and explain the role of {b}."),
    ("比较{a}和{b}的优缺点。", "Compare {a} and {b}: strengths and weaknesses."),
]  # fmt: skip


SYLLABLES = ["ka", "ro", "mi", "te", "lu", "sa", "vo", "ne", "di", "pa"]
FILTERS = "deck:bench/d07 is:due prop:r<0.8"
RARE = [a.capitalize() + b + c + "Net" for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
"""A thousand model names, each in about one card in a thousand: the words a person really searches for."""


def _text(rng: random.Random) -> dict[str, object]:
    (za, ea), (zb, eb) = rng.sample(TERMS, 2)
    zq, eq = rng.choice(TEMPLATES)
    (zc, ec), (zd, ed) = rng.sample(TERMS, 2)
    model = rng.choice(RARE)
    return {
        "id": "x",
        "type": "basic",
        "question": {"zh": zq.format(a=za, b=zb), "en": eq.format(a=ea, b=eb)},
        "answer": {
            "zh": f"{zc}与{zd}：见 {model} 的推导。",
            "en": f"Through {ec} and {ed}; see the derivation in {model}.",
        },
    }


def build(path: Path, n_cards: int, seed: int = 0) -> None:
    """Fill a new collection with decks, bilingual cards, schedules and a review log."""
    rng = random.Random(seed)
    now_ms = clock.to_ms(NOW)
    col = Collection.open(path, now=NOW)
    conn = col.conn
    per_deck = -(-n_cards // DECKS)
    with col.transaction():
        conn.executemany(
            "INSERT INTO decks (id, name, tags, bundled, active, position) VALUES (?, ?, '[]', 0, 1, ?)",
            [(f"bench/d{d:02d}", f"Bench::Deck {d}", d) for d in range(DECKS)],
        )
        conn.executemany(
            """INSERT INTO cards (pk, deck_id, card_id, ord, type, content, content_hash, tags, line,
                                  position, active, added_at, modified_at)
               VALUES (?, ?, ?, 0, 'basic', ?, 'h', ?, 1, ?, 1, ?, ?)""",
            (
                (
                    pk,
                    f"bench/d{(pk - 1) // per_deck:02d}",
                    f"c{pk}",
                    json.dumps(_text(rng), ensure_ascii=False, sort_keys=True),
                    f" bench t{pk % 37} ",
                    ((pk - 1) // per_deck) * 1_000_000 + (pk - 1) % per_deck,
                    now_ms - 800 * DAY_MS,
                    now_ms - 800 * DAY_MS,
                )
                for pk in range(1, n_cards + 1)
            ),
        )
        rows = []
        for pk in range(1, n_cards + 1):
            if rng.random() < 0.1:
                rows.append((pk, 0, None, None, None, None, 0, 0, None))
                continue
            stability = min(max(rng.lognormvariate(3.0, 1.2), 0.1), 3000.0)
            last = now_ms - int(rng.uniform(0, 1.2) * stability * DAY_MS)
            interval = max(round(stability), 1)
            due = last + interval * DAY_MS
            day = datetime.fromtimestamp((due - 4 * 3_600_000) / 1000, UTC).date().isoformat()
            rows.append((pk, 2, stability, rng.uniform(1, 10), due, last, 5, rng.randrange(4), day))
        conn.executemany(
            """INSERT INTO schedule (card_pk, state, stability, difficulty, due, last_review, reps, lapses,
                                     due_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
    conn.execute("ANALYZE")
    col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the collection in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "collection.sqlite"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.cards)
        print(f"built {args.cards:,} cards in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB with the text index)")  # fmt: skip
    (folder / "decks").mkdir(exist_ok=True)
    env = {
        "CVQUIZ_COLLECTION": str(path),
        "CVQUIZ_DECKS": str(folder / "decks"),
        "CVQUIZ_CONFIG": str(folder / "config.toml"),
        "CVQUIZ_NOW": NOW.isoformat(),
        "TZ": "UTC",
    }
    # Python compiles every module on each run when it may not write .pyc files; an installed cvquiz has them
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    cvquiz = shutil.which("cvquiz") or "cvquiz"
    word = RARE[123]
    with sqlite3.connect(path) as conn:
        for term in (word, "distillation", "蒸馏"):
            (n,) = conn.execute(
                "SELECT COUNT(*) FROM card_text WHERE instr(lower(text), ?) > 0", (term.lower(),)
            ).fetchone()
            print(f"  {term!r} is in {n:,} of {args.cards:,} cards")
    commands = {
        "import typer": [PYTHON, "-c", "import typer"],
        f"cvquiz search {word}": [cvquiz, "search", word],
        "cvquiz search distillation (10% of cards)": [cvquiz, "search", "distillation"],
        "cvquiz search 蒸馏 (2 characters, 10%)": [cvquiz, "search", "蒸馏"],
        f"cvquiz search {word[:5]}*Net": [cvquiz, "search", f"{word[:5]}*Net"],
        "cvquiz search 'deck:bench/d07 is:due prop:r<0.8'": [cvquiz, "search", FILTERS],
    }
    times = time_interleaved(commands, env, rounds=args.rounds)
    baseline = times.pop("import typer")
    for name, seconds in times.items():
        report(name, seconds, "import typer", baseline, 2.5 if name.endswith(word) else None)
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
