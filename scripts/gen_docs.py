"""Generate the docs that must not drift: docs/cli.md (from the app), docs/schema.md (from the migrations),
docs/decks.md (from the bundled decks), the module map of docs/architecture.md (from scripts/architecture.py),
and the README's paragraph on the bundled decks; and the bundled decks' check verdicts that ship with cvquiz
(cvquiz/bundled_verdicts.json, from a full check of them).

Usage: ``python scripts/gen_docs.py`` rewrites them; ``--check`` exits 1 when any is out of date (CI runs it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cli_doc() -> str:
    from cvquiz.cli.app import app

    root = typer.main.get_command(app)
    out = [
        "# Command reference",
        "",
        "Generated from the app by `python scripts/gen_docs.py`; do not edit by hand.",
        "",
    ]

    # typer vendors its own click, so commands are inspected by duck typing rather than isinstance.
    def walk(cmd: Any, path: list[str], parent: Any) -> None:
        ctx = cmd.context_class(cmd, info_name=path[-1], parent=parent)
        if len(path) > 1:
            out.append(f"{'#' * min(len(path), 4)} `{' '.join(path)}`")
            out.append("")
            if cmd.help:
                out.append(cmd.help.strip())
                out.append("")
            pieces = " ".join(cmd.collect_usage_pieces(ctx))
            out.append(f"```\n{' '.join(path)} {pieces}\n```")
            out.append("")
            rows = []
            for param in cmd.params:
                if param.name == "help":
                    continue
                if param.param_type_name == "argument":
                    name = f"`{(param.metavar or param.name or '').upper()}`"
                else:
                    name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
                help_text = (
                    (getattr(param, "help", None) or "").replace("\n", " ").replace("|", "\\|")
                )
                default = getattr(param, "default", None)
                if (
                    default not in (None, False, (), [])
                    and not callable(default)
                    and getattr(param, "show_default", True) is not False
                ):
                    help_text += f" (default: {default})"
                rows.append(f"| {name} | {help_text} |")
            if rows:
                out.extend(["| argument / option | meaning |", "|---|---|", *rows, ""])
        if hasattr(cmd, "list_commands"):
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name], ctx)

    walk(root, ["cvquiz"], None)
    return "\n".join(out).rstrip() + "\n"


def schema_doc() -> str:
    from cvquiz.collection import Collection
    from cvquiz.collection.migrations import migrations

    out = [
        "# The collection schema",
        "",
        "Generated from the migrations by `python scripts/gen_docs.py`; do not edit by hand.",
        "",
        "## Migrations",
        "",
    ]
    for migration in migrations._migrations:
        doc = (migration.fn.__doc__ or "").strip().splitlines()
        out.append(f"- `{migration.name}`: {doc[0] if doc else ''}")
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection.open(Path(tmp) / "c.sqlite")
        rows = col.conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '_sqlite_migrations%' ORDER BY type DESC, name"
        ).fetchall()
        col.close()
    # a virtual table's shadow tables (card_text_data, ...) are its implementation, not the schema
    virtual = [name for _, name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    rows = [
        r for r in rows if r[0] != "table" or not any(r[1].startswith(v + "_") for v in virtual)
    ]
    out += ["", "## Tables and indexes", ""]
    for kind, name, sql in rows:
        out += [f"### {kind} `{name}`", "", "```sql", sql.strip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _bundled_decks() -> list[Any]:
    from cvquiz.deckfile import DeckSource, load_decks
    from cvquiz.paths import bundled_decks_dir

    files = sorted(bundled_decks_dir().glob("*.yaml"))
    return load_decks([DeckSource(p, bundled=True) for p in files])


COUNTS_NOTE = (
    "Two counts, the same everywhere (here, in the README, `cvquiz decks` and `cvquiz check`): **cards** as "
    "written in the deck files, and the **study cards** they expand to, each scheduled on its own (a reversed "
    "card makes two, a cloze card one per deletion, every other card one)."
)


def decks_doc() -> str:
    from cvquiz.model import deck_totals

    decks = _bundled_decks()
    out = [
        "# The bundled decks",
        "",
        "Generated from `decks/` by `python scripts/gen_docs.py`; do not edit by hand.",
        "",
        COUNTS_NOTE,
        "",
        "| deck | id | cards | study cards | basic | reversed | cloze | compute | code | notes items |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    items_all: set[int] = set()
    for deck in sorted(decks, key=lambda d: d.name):
        types = deck_totals([deck]).by_type
        items = sorted(
            {int(t.split("::")[1]) for c in deck.cards for t in c.tags if t.startswith("notes::")}
        )
        items_all.update(items)
        out.append(
            f"| {deck.name} | `{deck.id}` | {len(deck.cards)} | {deck.study_cards()} | {types['basic']} | "
            f"{types['reversed']} | {types['cloze']} | {types['compute']} | {types['code']} | "
            f"{', '.join(map(str, items))} |"
        )
    total = deck_totals(decks)
    by_type = total.by_type
    out.append(
        f"| **all {total.decks} decks** | | **{total.cards}** | **{total.study_cards}** | "
        f"{by_type['basic']} | {by_type['reversed']} | {by_type['cloze']} | {by_type['compute']} | "
        f"{by_type['code']} | {', '.join(map(str, sorted(items_all)))} |"
    )
    out += ["", "## Topics", ""]
    for deck in sorted(decks, key=lambda d: d.name):
        tags = Counter(
            t
            for c in deck.cards
            for t in c.tags
            if not t.startswith("notes::") and t not in deck.tags
        )
        top = ", ".join(f"`{t}`" for t, _ in tags.most_common(12))
        desc = deck.description.get("en").strip().replace("\n", " ") if deck.description else ""
        out.append(f"- **{deck.name}**: {desc} {('Tags: ' + top) if top else ''}".rstrip())
    return "\n".join(out).rstrip() + "\n"


README_START = "<!-- bundled-decks: generated by scripts/gen_docs.py from the decks -->\n"
README_END = "<!-- end of bundled-decks -->\n"


def readme_doc() -> str:
    """README.md with its paragraph on the bundled decks counted again from the decks and the generators."""
    from cvquiz.generators import list_generators
    from cvquiz.model import deck_totals

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head, found, rest = text.partition(README_START)
    _, found_end, tail = rest.partition(README_END)
    if not (found and found_end):
        raise SystemExit("README.md lacks the bundled-decks markers")
    counts = deck_totals(_bundled_decks())
    paragraph = (
        f"The bundled decks hold **{counts.cards} cards** as written in {counts.decks} deck files, which\n"
        f"expand to **{counts.study_cards} study cards** (a reversed card makes two, a cloze card one per\n"
        f"deletion); {counts.compute} of the cards are compute cards over {len(list_generators())} generators "
        f"and {counts.by_type['code']} are code cards.\nSee [docs/decks.md](docs/decks.md) and "
        "[docs/generators.md](docs/generators.md).\n"
    )
    return head + README_START + paragraph + README_END + tail


GENERATED_START = "<!-- generated by scripts/gen_docs.py from scripts/architecture.py and the modules' docstrings: do not edit -->\n"
GENERATED_END = "<!-- end of generated part -->\n"


def architecture_doc() -> str:
    """docs/architecture.md with its generated part (components, import directions) brought up to date."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import architecture

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    head, _, rest = text.partition(GENERATED_START)
    _, _, tail = rest.partition(GENERATED_END)
    return head + GENERATED_START + architecture.render() + GENERATED_END + tail


def bundled_verdicts() -> str:
    """cvquiz/bundled_verdicts.json: each bundled deck file's SHA-256 with what a full check of it found."""
    import hashlib
    import json

    from cvquiz.deckcheck import check_decks
    from cvquiz.paths import bundled_decks_dir

    bundled = bundled_decks_dir()
    with tempfile.TemporaryDirectory() as nothing:
        report = check_decks(
            None, bundled, Path(nothing), cache=None
        )  # every card drawn and judged
    if not report.ok:
        problems = [line for f in report.files for line in f.lines()]
        raise SystemExit("the bundled decks have problems:\n" + "\n".join(problems))
    files = {
        hashlib.sha256(Path(f.path).read_bytes()).hexdigest(): [f.deck, f.cards, f.study_cards]
        for f in report.files
    }
    rows = [
        f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(files.items())
    ]
    return '{"format": 1, "files": {\n' + ",\n".join(rows) + "\n}}\n"  # a line per file


DOCS = {
    "cvquiz/bundled_verdicts.json": bundled_verdicts,
    "docs/cli.md": cli_doc,
    "docs/schema.md": schema_doc,
    "docs/decks.md": decks_doc,
    "docs/architecture.md": architecture_doc,
    "README.md": readme_doc,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a generated doc is out of date"
    )
    args = parser.parse_args()
    stale = []
    for rel, make in DOCS.items():
        path = ROOT / rel
        text = make()
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/gen_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
