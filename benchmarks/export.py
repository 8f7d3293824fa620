"""Anki export: 10,000 cards exported as a package, against genanki alone writing the same notes.

The deck mixes basic, reversed and cloze cards with Chinese and English text, LaTeX and a little Markdown. The
baseline builds the same notes (the exported fields, GUIDs and tags, read back from the package) as genanki
objects and writes them with ``genanki.Package.write_to_file``; the figure is ``export_anki`` end to end, from
the collection to the .apkg. Goal: under 1.5x. Run by hand: ``python benchmarks/export.py``.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import genanki
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import report, time_call

from cvquiz.anki import notetypes
from cvquiz.anki.exporter import AnkiExportOptions, export_anki
from cvquiz.collection import Collection
from cvquiz.config import Settings

N = 10_000


def make_deck(n: int) -> str:
    cards = []
    for i in range(n):
        kind = ("basic", "reversed", "cloze")[i % 3]
        if kind == "cloze":
            question = {
                "zh": f"第 {i} 题：步长为 1 时 full 模式输出 {{{{c1::$H + K - 1$}}}} 个值，valid 模式 {{{{c2::$H - K + 1$}}}} 个。",
                "en": f"Question {i}: at stride 1 full mode gives {{{{c1::$H + K - 1$}}}} values, valid mode {{{{c2::$H - K + 1$}}}}.",
            }
        else:
            question = {
                "zh": f"第 {i} 题：$\\lfloor (H + 2p - k)/s \\rfloor + 1$ 是什么？",
                "en": f"Question {i}: what is $\\lfloor (H + 2p - k)/s \\rfloor + 1$?",
            }
        card = {
            "id": f"card-{i}",
            "type": kind,
            "question": question,
            "tags": ["bench", f"group::g{i % 17}"],
        }
        if kind != "cloze":
            card["answer"] = {
                "zh": f"答案 {i}：输出尺寸，向下取整。",
                "en": f"Answer {i}: the output size, floored.",
            }
        if i % 5 == 0:
            card["explanation"] = {
                "zh": f"见 `torch.nn.Conv2d` 文档（第 {i} 条）；**注意** $p$ 是单侧补零。",
                "en": f"See the `torch.nn.Conv2d` docs (note {i}); **mind** that $p$ pads each side.",
            }
        cards.append(card)
    return yaml.safe_dump(
        {"deck": "bench", "name": "Bench::Export", "cards": cards},
        allow_unicode=True,
        sort_keys=False,
    )


def genanki_baseline(package: Path, out: Path, now: datetime) -> None:
    """Write the notes of ``package`` again with genanki alone (the fields as the export rendered them)."""
    with zipfile.ZipFile(package) as zf:
        db = out.with_suffix(".anki2")
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    conn.close()
    models = {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}
    notes = [(guid, mid, tags.split(), flds.split("\x1f")) for guid, mid, tags, flds in rows]

    def write() -> None:
        deck = genanki.Deck(1 << 31, "Bench::Export")
        for guid, mid, tags, fields in notes:
            deck.add_note(genanki.Note(model=models[mid], fields=fields, guid=guid, tags=tags))
        genanki.Package(deck).write_to_file(str(out), timestamp=now.timestamp())

    global baseline_write
    baseline_write = write


baseline_write = None


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    user = tmp / "decks"
    user.mkdir()
    empty = tmp / "bundled"
    empty.mkdir()
    (user / "bench.yaml").write_text(make_deck(N), encoding="utf-8")
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    col = Collection.open(tmp / "c.sqlite")
    col.sync_decks(empty, user, now)
    settings = Settings()
    print(f"{N:,} deck entries")
    for lang in ("en", "both"):
        out = tmp / f"export-{lang}.apkg"
        options = AnkiExportOptions(lang=lang)
        ours = time_call(
            lambda out=out, options=options: export_anki(col, out, now, settings, options)
        )
        result = export_anki(col, out, now, settings, options)
        genanki_baseline(out, tmp / f"genanki-{lang}.apkg", now)
        assert baseline_write is not None
        base = time_call(baseline_write)
        report(
            f"export_anki --lang {lang} ({result.notes} notes)",
            ours,
            "genanki alone",
            base,
            goal=1.5,
        )
    col.close()
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
