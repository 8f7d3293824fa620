"""The import directions between cvquiz's own modules: the rule, the check, and its part of the docs.

Every top-level module or package of ``cvquiz/`` is a *component* (``cards``, ``collection``, ``deckfile``...).
`ALLOWED` says which components each one may import; `violations` reads every ``import`` in the source (those
inside functions and ``TYPE_CHECKING`` blocks too) and lists each edge the table does not allow, and each
component the table does not know. ``tests/test_architecture.py`` runs it; ``scripts/gen_docs.py`` renders the
table and the components' docstrings into ``docs/architecture.md``, so the page cannot drift from the code.

To add a component, add it to `ALLOWED` (what it may import), then run ``python scripts/gen_docs.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvquiz"

FOUNDATION = frozenset(
    {"errors", "i18n", "clock", "paths", "model", "mathtext", "fileio", "progress"}
)
"""Small modules with no dependency beyond each other: every component may import them."""

ALLOWED: dict[str, frozenset[str]] = {
    # the foundation
    "errors": frozenset(),
    "i18n": frozenset(),
    "clock": FOUNDATION,
    "paths": FOUNDATION,
    "model": FOUNDATION,
    "mathtext": FOUNDATION,
    "fileio": FOUNDATION,
    "progress": FOUNDATION,
    "checkcache": FOUNDATION | {"__init__"},  # the version, part of every key
    "config": FOUNDATION,
    # reading decks, computing answers
    "deckfile": FOUNDATION,
    "engine": frozenset({"errors"}),
    "answers": FOUNDATION,
    "query": FOUNDATION,
    "generators": FOUNDATION | {"engine", "answers"},
    "cardstate": FOUNDATION,
    "scheduler": FOUNDATION | {"config", "cardstate"},
    "replay": FOUNDATION | {"config", "scheduler"},
    "review_policy": FOUNDATION | {"cardstate", "collection", "config", "scheduler"},
    # storage
    "collection": FOUNDATION | {"deckfile", "cardstate", "query"},
    # services over the collection
    "cards": FOUNDATION | {"collection", "config", "deckfile", "generators", "anki", "query"},
    "anki": FOUNDATION | {"collection", "config", "deckfile", "generators", "replay", "scheduler"},
    "mistakes": FOUNDATION | {"answers", "generators"},
    "streaks": FOUNDATION,
    "stats": FOUNDATION | {"collection", "config", "scheduler", "mistakes", "streaks"},
    "status": FOUNDATION | {"collection", "config", "scheduler"},
    "simulate": FOUNDATION | {"collection", "config", "stats"},
    "optimizer": FOUNDATION | {"collection", "config", "simulate"},
    "report_html": FOUNDATION | {"stats"},
    "codecards": FOUNDATION | {"engine", "generators", "collection", "cards"},
    "deckcheck": FOUNDATION | {"checkcache", "deckfile", "generators", "codecards"},
    "study": FOUNDATION
    | {
        "answers",
        "cardstate",
        "codecards",
        "collection",
        "config",
        "deckfile",
        "generators",
        "review_policy",
        "scheduler",
        "streaks",
    },
    # the command line: typer and rich, over everything else
    "cli": frozenset({"*"}),
    "__main__": frozenset({"cli"}),
    "__init__": FOUNDATION,
}
"""Component -> the components it may import (``*``: any)."""

PENDING: dict[tuple[str, str], str] = {}
"""Edges `ALLOWED` still permits only until the work named lands; then they leave both tables."""


@dataclass(frozen=True)
class Component:
    """A top-level module or package of cvquiz.

    Attributes:
        name: its name under ``cvquiz/`` (``cards``, ``clock``...).
        path: its module file or package folder, relative to the repository.
        summary: the first line of its docstring.
    """

    name: str
    path: str
    summary: str


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def components() -> list[Component]:
    """Return every component of cvquiz, packages first, each sorted by name."""
    found: list[Component] = []
    for path in sorted(PACKAGE.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            found.append(
                Component(path.name, f"cvquiz/{path.name}/", _summary(path / "__init__.py"))
            )
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem not in ("__init__", "__main__"):
            found.append(Component(path.stem, f"cvquiz/{path.name}", _summary(path)))
    return found


def _component_of(module: str) -> str | None:
    """The component a dotted module name (``cvquiz.cards.adding``) belongs to; None outside cvquiz."""
    parts = module.split(".")
    if parts[0] != "cvquiz":
        return None
    if len(parts) == 1:
        return "__init__"
    name = parts[1]
    if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file():
        return name
    return "__init__"  # a name the package itself exports, such as __version__


def _source_component(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return rel.stem


def _imported(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        if node.module == "cvquiz":
            yield from (f"cvquiz.{alias.name}" for alias in node.names)
        else:
            yield node.module


def import_edges() -> dict[tuple[str, str], list[str]]:
    """Return every import of one component by another: (from, to) -> the places, ``file:line``."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _source_component(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for module in _imported(node):
                target = _component_of(module)
                if target is None or target == source:
                    continue
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                edges.setdefault((source, target), []).append(where)
    return edges


def violations() -> list[str]:
    """Return one line per import the table does not allow, and per component it does not know."""
    problems: list[str] = []
    known = set(ALLOWED)
    for component in components():
        if component.name not in known:
            problems.append(
                f"{component.path}: component {component.name!r} is not in scripts/architecture.py's "
                "ALLOWED table: add it with what it may import, then run python scripts/gen_docs.py"
            )
    for (source, target), places in sorted(import_edges().items()):
        allowed = ALLOWED.get(source, frozenset())
        if "*" in allowed or target in allowed:
            continue
        if source in known:
            problems.append(
                f"{places[0]}: {source} imports {target}, which ALLOWED does not permit "
                f"({len(places)} place(s))"
            )
    for source, target in PENDING:
        if target not in ALLOWED.get(source, frozenset()):
            problems.append(f"PENDING lists {source} -> {target}, which ALLOWED no longer has")
    return problems


def render() -> str:
    """Return the generated part of docs/architecture.md: the components and who may import whom."""
    out = ["```"]
    entries = components()
    width = max(len(c.path) - len("cvquiz/") for c in entries) + 2
    out.append("cvquiz/")
    for c in entries:
        out.append(f"  {c.path.removeprefix('cvquiz/'):<{width}}{c.summary}")
    out.append("```")
    out += [
        "",
        "Who may import whom (checked by `tests/test_architecture.py`, from `scripts/architecture.py`). "
        f"The foundation ({', '.join(f'`{n}`' for n in sorted(FOUNDATION))}) may be imported by every "
        "component; beyond it:",
        "",
        "| component | may also import |",
        "|---|---|",
    ]
    for name, allowed in ALLOWED.items():
        if name in FOUNDATION or name == "__init__":
            continue
        if "*" in allowed:
            extra = "everything"
        else:
            parts = []
            for target in sorted(allowed - FOUNDATION):
                note = PENDING.get((name, target))
                parts.append(f"`{target}`" + (f" (until {note})" if note else ""))
            extra = ", ".join(parts) or "the foundation only"
            if name == "engine":
                extra = "`errors` only (and NumPy)"
        out.append(f"| `{name}` | {extra} |")
    return "\n".join(out) + "\n"
