"""Anki export against genanki alone writing the same notes from pre-rendered fields, and re-export speed.

1. All bundled decks, end to end: ``cvquiz export anki`` in a fresh process, (a) on a collection that has never
   been exported (every note rendered, every compute instance drawn) and (b) again with no card changed (the
   notes come from the collection's note cache), against (c) ``python _genanki_write.py``: genanki alone
   writing the same decks and notes from their rendered fields (read from the first package), in a fresh
   process too. Interleaved runs, medians. Goals (issue 16): a re-export within 1.5x of genanki, and within
   0.3x of the first export. Each cvquiz run starts from a copy of its collection (``cp``, in both cases), so
   every "first" export really starts with an empty cache.
2. 10,000 synthetic deck entries (basic, reversed and cloze, Chinese and English, LaTeX, a little Markdown), in
   process: ``export_anki`` with an empty cache and with a full one, against genanki writing the same notes.

Run by hand: ``python benchmarks/export.py [--rounds 7] [--skip-synthetic]``. Uses throw-away collections.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import genanki
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, compile_bytecode, report, time_call, time_interleaved

from cvquiz.anki import notetypes
from cvquiz.anki.exporter import AnkiExportOptions, export_anki
from cvquiz.collection import Collection
from cvquiz.config import Settings

N = 10_000
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
HERE = Path(__file__).resolve().parent


def package_notes(
    package: Path,
) -> list[tuple[int, str, str, list[tuple[int, list[str], str, list[str]]]]]:
    """The decks and notes of a package: ``[(deck id, name, description, [(model, fields, guid, tags)])]``."""
    conn = sqlite3.connect(":memory:")
    conn.deserialize(zipfile.ZipFile(package).read("collection.anki2"))
    (decks_json,) = conn.execute("SELECT decks FROM col").fetchone()
    info = json.loads(decks_json)
    decks: dict[int, tuple[int, str, str, list[tuple[int, list[str], str, list[str]]]]] = {}
    rows = conn.execute(
        """SELECT n.guid, n.mid, n.tags, n.flds, (SELECT did FROM cards WHERE nid = n.id LIMIT 1)
           FROM notes n ORDER BY n.id"""
    )
    for guid, mid, tags, flds, did in rows:
        if did not in decks:
            deck = info[str(did)]
            decks[did] = (did, deck["name"], deck["desc"], [])
        decks[did][3].append((mid, flds.split("\x1f"), guid, tags.split()))
    conn.close()
    return list(decks.values())


def bundled(rounds: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    cvquiz = shutil.which("cvquiz") or "cvquiz"
    env = {
        "CVQUIZ_DECKS": str(tmp / "decks"),
        "CVQUIZ_CONFIG": str(tmp / "c.toml"),
        "CVQUIZ_NOW": NOW.isoformat(),
        "CVQUIZ_LANG": "en",
    }
    merged = {**os.environ, **env}
    fresh, warm = tmp / "fresh.sqlite", tmp / "warm.sqlite"
    subprocess.run(
        [cvquiz, "--collection", str(fresh), "decks"], env=merged, check=True, capture_output=True
    )
    shutil.copy(fresh, warm)
    first = tmp / "first.apkg"
    subprocess.run(
        [cvquiz, "--collection", str(warm), "export", "anki", "-o", str(first)],
        env=merged,
        check=True,
        capture_output=True,
    )
    decks = package_notes(first)
    notes = sum(len(d[3]) for d in decks)
    (tmp / "notes.json").write_text(json.dumps(decks, ensure_ascii=False), encoding="utf-8")

    def export_from(template: Path, name: str) -> list[str]:
        run = tmp / f"{name}.sqlite"
        script = (
            f'rm -f "{run}" "{run}-wal" "{run}-shm" && cp "{template}" "{run}" && '
            f'exec "{cvquiz}" --collection "{run}" export anki -o "{tmp / name}.apkg"'
        )
        return ["sh", "-c", script]

    commands = {
        "genanki": [
            PYTHON,
            str(HERE / "_genanki_write.py"),
            str(tmp / "notes.json"),
            str(tmp / "genanki.apkg"),
            str(NOW.timestamp()),
        ],
        "first": export_from(fresh, "first-run"),
        "again": export_from(warm, "again-run"),
    }
    times = time_interleaved(commands, env, rounds=rounds)
    print(
        f"all bundled decks: {len(decks)} decks, {notes:,} notes (--lang en, 5 instances per compute card)"
    )
    report("export anki, again (no change)", times["again"], "genanki", times["genanki"], 1.5)
    report("export anki, again (no change)", times["again"], "first export", times["first"], 0.3)
    report("export anki, first (empty cache)", times["first"], "genanki", times["genanki"])
    shutil.rmtree(tmp)


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


def synthetic() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    user = tmp / "decks"
    user.mkdir()
    empty = tmp / "bundled"
    empty.mkdir()
    (user / "bench.yaml").write_text(make_deck(N), encoding="utf-8")
    col = Collection.open(tmp / "c.sqlite")
    col.sync_decks(empty, user, NOW)
    settings = Settings()
    print(f"{N:,} synthetic deck entries, in process")
    models = {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}
    for lang in ("en", "both"):
        out = tmp / f"export-{lang}.apkg"
        options = AnkiExportOptions(lang=lang)

        def export(out: Path = out, options: AnkiExportOptions = options) -> None:
            export_anki(col, out, NOW, settings, options)

        def empty_cache() -> None:
            with col.transaction():
                col.conn.execute("DELETE FROM anki_note_cache")

        first = time_call(export, setup=empty_cache)
        export()
        again = time_call(export)
        decks = package_notes(out)

        def write(decks: list = decks) -> None:  # type: ignore[type-arg]
            built = []
            due = 0
            for deck_id, name, description, notes in decks:
                deck = genanki.Deck(deck_id, name, description)
                for model_id, fields, guid, tags in notes:
                    deck.add_note(
                        genanki.Note(
                            model=models[model_id], fields=fields, guid=guid, tags=tags, due=due
                        )
                    )
                    due += 1
                built.append(deck)
            genanki.Package(built).write_to_file(
                str(tmp / "genanki.apkg"), timestamp=NOW.timestamp()
            )

        base = time_call(write)
        count = sum(len(d[3]) for d in decks)
        report(f"export_anki --lang {lang}, again", again, "genanki alone", base, 1.5)
        report(f"export_anki --lang {lang}, again", again, "first export", first, 0.3)
        report(f"export_anki --lang {lang}, first ({count} notes)", first, "genanki alone", base)
    col.close()
    shutil.rmtree(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    compile_bytecode()
    bundled(args.rounds)
    if not args.skip_synthetic:
        synthetic()


if __name__ == "__main__":
    main()
