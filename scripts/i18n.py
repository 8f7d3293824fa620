"""Keep cvquiz's gettext catalogs in step with the source (Babel does the extracting and compiling).

    python scripts/i18n.py extract   # add the source's new messages to every catalog, drop the ones gone
    python scripts/i18n.py compile   # write the .mo files next to the .po files (the build hook does it too)
    python scripts/i18n.py check     # fail when a catalog lacks a message of the source or a translation
    python scripts/i18n.py missing   # list the messages with no translation yet, per language
    python scripts/i18n.py fill zh FILE.json   # set translations from {"msgid": "msgstr", ...} (- for stdin)
    python scripts/i18n.py libraries # rewrite scripts/library_messages.json from the installed click and typer

Messages are what the source passes to ``_()``, ``ngettext()`` and ``N_()`` (from ``cvquiz.i18n``, or from
``cvquiz.errors`` for error templates translated where they are shown, as the reference engine's are); the help
texts of every command (docstrings and ``help=``, as click holds them: `cvquiz.cli.lazy.help_texts`); and the
messages of click and typer listed in ``scripts/library_messages.json`` (usage lines, panel titles, errors), which
cvquiz lets them translate through its catalog (`cvquiz.i18n.translate_libraries`). The catalogs are sorted by
message and carry no source locations, so that two changes rarely touch the same lines.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvquiz"
LOCALE = PACKAGE / "locale"
DOMAIN = "cvquiz"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
FIELD = re.compile(
    r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[.\[][^}]*)?(?:![rsa])?(?::[^{}]*)?\}(?!\})"
)


LIBRARIES = ("click", "typer")
LIBRARY_MESSAGES = ROOT / "scripts" / "library_messages.json"


def command_messages() -> list[str]:
    """Return the help texts of every command, as click holds them (built afresh, in English)."""
    sys.path.insert(0, str(ROOT))
    from cvquiz.cli import lazy

    texts: list[str] = []
    for entry in lazy.COMMANDS:
        for holder, attribute in lazy.help_texts(lazy.build_command(entry)):
            texts.append(getattr(holder, attribute))
    return texts


def library_messages() -> dict[str, list[str | list[str]]]:
    """Return the messages the installed click and typer pass to gettext: text, or [singular, plural]."""
    found: dict[str, list[str | list[str]]] = {}
    for name in LIBRARIES:
        folder = Path(importlib.import_module(name).__file__ or "").parent
        messages: list[str | list[str]] = []
        for path in sorted(folder.glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
                if node.func.id == "_" and texts and isinstance(texts[0], str):
                    messages.append(texts[0])
                elif node.func.id == "ngettext" and len(texts) >= 2:
                    messages.append([str(texts[0]), str(texts[1])])
        found[name] = sorted({json.dumps(m): m for m in messages}.values(), key=json.dumps)
    return found


def write_library_messages() -> None:
    """Rewrite scripts/library_messages.json from the installed click and typer."""
    text = json.dumps(library_messages(), ensure_ascii=False, indent=1) + "\n"
    LIBRARY_MESSAGES.write_text(text, encoding="utf-8")
    print(f"{LIBRARY_MESSAGES.relative_to(ROOT)}: written")


def source_catalog() -> Catalog:
    """Return every message to translate: the source's, the commands' help texts, click's and typer's."""
    template = Catalog(project="cvquiz", domain=DOMAIN, fuzzy=False)
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message)
    for text in command_messages():
        template.add(text)
    listed = json.loads(LIBRARY_MESSAGES.read_text(encoding="utf-8"))
    for messages in listed.values():
        for message in messages:
            template.add(tuple(message) if isinstance(message, list) else message)
    return template


def catalogs() -> list[Path]:
    """Return the .po file of every language."""
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    """Read one .po file."""
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name, domain=DOMAIN)


HEADER = """# {name} messages of cvquiz. Edit the msgstr lines; `python scripts/i18n.py extract` adds new messages.
msgid ""
msgstr ""
"Project-Id-Version: cvquiz\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"

"""
NAMES = {"zh": "Chinese (Simplified)"}


def write(path: Path, catalog: Catalog) -> None:
    """Write one .po file: a fixed header, then the messages sorted, without locations."""
    lang = path.parent.parent.name
    buffer = io.BytesIO()
    buffer.write(
        HEADER.format(name=NAMES.get(lang, lang), lang=lang, plural=catalog.plural_forms).encode()
    )
    write_po(
        buffer,
        catalog,
        width=100,
        no_location=True,
        omit_header=True,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
    )
    path.write_bytes(buffer.getvalue())


def extract() -> None:
    """Merge the source's messages into every catalog."""
    template = source_catalog()
    for path in catalogs():
        catalog = read(path)
        catalog.update(template, no_fuzzy_matching=True)
        write(path, catalog)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def fill(lang: str, source: str) -> None:
    """Set translations of ``lang`` from a JSON object {msgid: msgstr} (a file, or - for stdin)."""
    import json

    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    translations: dict[str, str] = json.loads(text)
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    catalog = read(path)
    unknown = [msgid for msgid in translations if catalog.get(msgid) is None]
    for msgid, msgstr in translations.items():
        entry = catalog.get(msgid)
        if entry is None:
            continue
        entry.string = (msgstr,) * len(entry.string) if isinstance(entry.string, tuple) else msgstr
        entry.flags.discard("fuzzy")
    write(path, catalog)
    for msgid in unknown:
        print(f"not in the catalog (run extract first?): {msgid!r}", file=sys.stderr)


def compile_all() -> None:
    """Compile every catalog to its .mo file."""
    for path in catalogs():
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, read(path), use_fuzzy=False)


def _strings(message: object) -> tuple[str, ...]:
    if isinstance(message, str):
        return (message,)
    return tuple(str(m) for m in message)  # type: ignore[attr-defined]


def _fields(text: str) -> set[str]:
    return set(FIELD.findall(text))


def problems() -> list[str]:
    """Return every way the catalogs fall short of the source: missing messages, translations, fields."""
    template = source_catalog()
    found: list[str] = []
    for path in catalogs():
        where = path.relative_to(ROOT)
        catalog = read(path)
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id)
            key = _strings(message.id)[0]
            if entry is None:
                found.append(f"{where}: not extracted yet: {key!r} (run scripts/i18n.py extract)")
                continue
            texts = [t for t in _strings(entry.string) if t]
            if entry.fuzzy or not texts:
                found.append(f"{where}: no translation: {key!r}")
                continue
            # A counted message's forms may differ in fields ("argument" / "{n} arguments"): a translation with
            # fewer forms (Chinese has one) needs the fields every form has, and may use any of the others.
            forms = [_fields(s) for s in _strings(message.id)]
            allowed, needed = set().union(*forms), set.intersection(*forms)
            for text in texts:
                if not needed <= _fields(text) <= allowed:
                    found.append(
                        f"{where}: {key!r}: the translation's fields {sorted(_fields(text))} "
                        f"differ from {sorted(allowed)}"
                    )
    return found


def main(argv: list[str]) -> int:
    """Run the command named by ``argv[0]``."""
    command = argv[0] if argv else "check"
    if command == "extract":
        extract()
    elif command == "libraries":
        write_library_messages()
    elif command == "compile":
        compile_all()
    elif command == "fill" and len(argv) == 3:
        fill(argv[1], argv[2])
    elif command in ("check", "missing"):
        found = problems()
        for line in found:
            print(line)
        if command == "check" and found:
            print(f"{len(found)} problems in the message catalogs", file=sys.stderr)
            return 1
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
