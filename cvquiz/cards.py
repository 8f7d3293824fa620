"""The card services: add cards to the user's decks, find cards by reference, show, search, suspend, forget.

Adding writes the user's own deck file (`cvquiz.deckfile.writer` keeps every other byte and writes
atomically); everything else reads or changes the collection. A card reference is ``deck/id`` or an
unambiguous prefix of it (a bare card id works when it is unique). Every service returns frozen dataclasses
the CLI renders as text or JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.deckfile.loader import DECK_ID_RE, load_deck_text
from cvquiz.errors import CardNotFoundError, CvquizError, DeckError, DeckProblems, UsageError
from cvquiz.model import Card, CardType, Deck

if TYPE_CHECKING:
    from cvquiz.collection import Collection

BUNDLED_HINT = (
    "bundled decks are replaced on upgrade; add to a user deck instead (e.g. --deck my/{id})"
)
_DECK_LINE_RE = re.compile(
    r"^\ufeff?deck:[ \t]*['\"]?([a-z0-9][a-z0-9_/-]*)['\"]?[ \t]*(?:#.*)?$", re.M
)
_STOPWORD_TEXT = (
    "a an the of is are was what which why how does do did in on to for and or with by from at as be its it "
    "this that these those can you your"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_MATH_RE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
_CLOZE_RE = re.compile(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}", re.S)


class DuplicateCardError(DeckError):
    """The deck already has this question (or this card id)."""


class CardInputError(CvquizError):
    """A new card as typed cannot be a card: empty question, unknown type or language, and so on."""


# ----------------------------------------------------------------------------------------------------------
# Finding deck files


@dataclass(frozen=True)
class UserDeck:
    """A deck in the user's decks folder.

    Attributes:
        id: the deck id.
        path: its file.
    """

    id: str
    path: Path


def _deck_id_of(path: Path) -> str | None:
    """Read a deck file's ``deck:`` line without parsing the whole file."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    match = _DECK_LINE_RE.search(head)
    return match.group(1) if match else None


def _yaml_files(folder: Path, recursive: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(
        p
        for p in found
        if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
    )


def list_user_decks(decks_dir: Path) -> list[UserDeck]:
    """Return the decks of the user's decks folder, by id (files without a readable id are left out)."""
    decks = [UserDeck(i, p) for p in _yaml_files(decks_dir, True) if (i := _deck_id_of(p))]
    return sorted(decks, key=lambda d: d.id)


def bundled_deck_ids(bundled_dir: Path) -> set[str]:
    """Return the ids of the bundled decks."""
    return {i for p in _yaml_files(bundled_dir, False) if (i := _deck_id_of(p))}


def user_deck_path(decks_dir: Path, bundled_dir: Path, deck_id: str) -> Path:
    """Return the file of the user deck ``deck_id``: where it is, or ``<decks dir>/<deck id>.yaml`` if new.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        deck_id: the deck id.

    Raises:
        DeckError: for a malformed id, a bundled deck (with a hint), or a default file holding another deck.
    """
    if not DECK_ID_RE.match(deck_id) or "//" in deck_id or deck_id.endswith("/"):
        raise DeckError(
            f"bad deck id {deck_id!r}: lowercase letters, digits, '-', '_' and '/' (e.g. my/interviews)"
        )
    if deck_id in bundled_deck_ids(bundled_dir):
        raise DeckError(
            f"deck {deck_id!r} is a bundled deck: {BUNDLED_HINT.format(id=deck_id.rsplit('/', 1)[-1])}"
        )
    default = decks_dir / f"{deck_id}.yaml"
    for candidate in (default, default.with_suffix(".yml")):
        if candidate.is_file():
            found = _deck_id_of(candidate)
            if found == deck_id:
                return candidate
    for deck in list_user_decks(decks_dir):
        if deck.id == deck_id:
            return deck.path
    if default.exists():
        raise DeckError(
            f"{default} holds deck {_deck_id_of(default)!r}, not {deck_id!r}; choose another deck id"
        )
    return default


# ----------------------------------------------------------------------------------------------------------
# Building and checking new cards


def text_data(text: str, lang: str | None) -> str | dict[str, str]:
    """Return user-typed text in deck form: ``{lang: text}`` when the language is given, else the string.

    Raises:
        CardInputError: for a language other than zh or en.
    """
    if lang is None:
        return text
    if lang not in ("zh", "en"):
        raise CardInputError(f"unknown language {lang!r}: use zh or en")
    return {lang: text}


def parse_param(spec: str) -> tuple[str, Any]:
    """Read one ``--param`` option: ``name=1,2,3`` (choices) or ``name=1..3`` (an inclusive range).

    Values are read as YAML flow scalars (safely), so ``true``, ``0.5``, ``[3, 3]`` and ``same`` all work.

    Raises:
        UsageError: when the option is not ``name=values``.
    """
    import yaml

    name, sep, values = spec.partition("=")
    name = name.strip()
    if not sep or not re.match(r"^[a-z][a-z0-9_]*$", name) or not values.strip():
        raise UsageError(f"--param {spec!r}: write name=value,value or name=min..max")
    bounds = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", values)
    if bounds:
        return name, {"min": int(bounds.group(1)), "max": int(bounds.group(2))}
    try:
        parsed = yaml.safe_load(f"[{values}]")
    except yaml.YAMLError:
        raise UsageError(f"--param {spec!r}: cannot read the values") from None
    if not isinstance(parsed, list) or not parsed:
        raise UsageError(f"--param {spec!r}: cannot read the values")
    return name, parsed


def card_data(
    question: str | None,
    answer: str | None = None,
    *,
    card_type: str = "basic",
    tags: Sequence[str] = (),
    source: str | None = None,
    lang: str | None = None,
    explanation: str | None = None,
    generator: str | None = None,
    params: Mapping[str, Any] | None = None,
    card_id: str | None = None,
) -> dict[str, Any]:
    """Return the deck-file fields of a card typed on the command line.

    Args:
        question: the question (optional for compute cards).
        answer: the answer (optional for cloze, not for compute).
        card_type: basic, reversed, cloze or compute.
        tags: the card's tags.
        source: a URL, or None.
        lang: the language the text is in (zh/en), or None for text shown in every language.
        explanation: text shown after the answer, or None.
        generator: the compute generator's name.
        params: the narrowed parameter space (compute).
        card_id: the id to use, or None to derive one.

    Raises:
        CardInputError: for an unknown card type or language, an empty question (or answer, for basic and
            reversed cards), or compute fields on another type.
    """
    try:
        kind = CardType(card_type)
    except ValueError:
        raise CardInputError(
            f"unknown card type {card_type!r}: use basic, reversed, cloze or compute"
        ) from None
    data: dict[str, Any] = {"type": kind.value}
    if card_id is not None:
        data["id"] = card_id
    question = question.strip() if question is not None else None
    if kind is not CardType.COMPUTE and not question:
        raise CardInputError("the question is empty")
    if question:
        data["question"] = text_data(question, lang)
    answer = answer.strip() if answer is not None else None
    if answer:
        data["answer"] = text_data(answer, lang)
    elif kind in (CardType.BASIC, CardType.REVERSED):
        raise CardInputError("the answer is empty (give -a TEXT, or -a - to read it from stdin)")
    if explanation and explanation.strip():
        data["explanation"] = text_data(explanation.strip(), lang)
    if tags:
        data["tags"] = list(dict.fromkeys(tags))
    if source:
        data["source"] = source.strip()
    if kind is CardType.COMPUTE:
        if not generator:
            raise CardInputError("a compute card needs --generator NAME")
        data["generator"] = generator
        if params:
            data["params"] = dict(params)
    elif generator or params:
        raise CardInputError("--generator and --param are for compute cards (--type compute)")
    return data


def slugify(text: str, max_words: int = 5, max_len: int = 40) -> str:
    """Return a short ASCII slug of a question (math and Chinese left out; may be empty).

    Examples: ``What is the gradient of softmax cross-entropy?`` gives ``gradient-softmax-cross-entropy``.
    """
    text = _CLOZE_RE.sub(r"\1", _MATH_RE.sub(" ", text))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text) if w not in _STOPWORDS]
    slug = ""
    for word in words[:max_words]:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (words[0][:max_len] if words else "")


def _question_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _card_keys(card: Card) -> set[str]:
    """What makes two cards of a deck the same question."""
    if card.type is CardType.COMPUTE:
        blob = json.dumps(
            [
                card.generator,
                dict(card.params),
                card.question.to_data() if card.question.strings() else None,
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return {"compute:" + blob}
    return {_question_key(s) for s in card.question.strings()}


KEY_TAG_SIZE = 8


def key_tag(key: str) -> str:
    """Return the hash an id made from ``key`` ends with (see `make_card_id`)."""
    return hashlib.sha256(key.encode()).hexdigest()[:KEY_TAG_SIZE]


def make_card_id(card: Card, taken: Iterable[str], key: str | None = None) -> str:
    """Return a readable id for a new card, unique among ``taken``: a slug of its question and a short hash.

    Args:
        card: the card (its id is ignored).
        taken: ids already used in the deck.
        key: what to hash instead of the question (an imported note's GUID keeps its id stable).
    """
    if card.type is CardType.COMPUTE:
        slug = (card.generator or "compute").replace("_", "-")
        blob = json.dumps(sorted(_card_keys(card)), ensure_ascii=False)
    else:
        slug = slugify(card.question.en or card.question.zh or "")
        blob = json.dumps([card.type.value, *sorted(card.question.strings())], ensure_ascii=False)
    digest = hashlib.sha256((key if key is not None else blob).encode()).hexdigest()
    used = set(taken)
    # A keyed id ends in the key's own 8-digit hash, so a later import finds the note by it (`key_tag`).
    for size in range(KEY_TAG_SIZE if key is not None else 4, len(digest) + 1, 2):
        candidate = f"{slug}-{digest[:size]}" if slug else f"q-{digest[:size]}"
        if candidate not in used:
            return candidate
    raise DeckError("cannot find a free card id")  # pragma: no cover - 2**256 ids taken


def _strip_position(message: str, label: str) -> str:
    return re.sub(rf"^{re.escape(label)}:\d+:\d+: ", "", message)


def validate_card(data: Mapping[str, Any], label: str = "card") -> Card:
    """Check one card's fields against the deck format, exactly as a deck file would be checked.

    Args:
        data: the fields (with an id).
        label: the name used in messages.

    Returns:
        The card.

    Raises:
        DeckError: with the first problem (``card 'id': message``) when the card is not valid.
    """
    from cvquiz.deckfile.writer import card_item

    text = "deck: new\nname: new\ncards:\n" + card_item(data, 2, 4)
    try:
        deck = load_deck_text(text, label)
    except DeckProblems as error:
        raise DeckError(_strip_position(error.problems[0], label)) from None
    return deck.cards[0]


def check_compute(card: Card) -> None:
    """Check a compute card by drawing instances of its generator.

    Raises:
        CvquizError: for an unknown generator, bad parameters, or a space that draws no problem.
    """
    if card.type is not CardType.COMPUTE:
        return
    from cvquiz import generators

    names = {getattr(g, "name", g) for g in generators.list_generators()}
    if card.generator not in names:
        import difflib

        close = difflib.get_close_matches(card.generator or "", [str(n) for n in names], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (see cvquiz calc --list-generators)"
        raise DeckError(f"unknown generator {card.generator!r}{hint}")
    problems = generators.check_card(card)
    if problems:
        raise DeckError(f"card {card.id!r}: {problems[0]}")


# ----------------------------------------------------------------------------------------------------------
# The card template an editor opens (as `git commit` does)

ERROR_MARK = "# ERROR: "
TEMPLATE_HELP = (
    "# Write the card, save and close the editor. An empty file (or only comments) cancels.",
    "# type: basic | reversed | cloze ({{c1::...}} in the question) | compute (generator:, params:)",
    "# Text is one line, or `|` and indented lines below it; give zh: and en: lines for two languages.",
    "# Optional: explanation, tags: [a, b::c], source: https://..., id: my-id (else one is made).",
)


def card_template(deck_id: str | None, data: Mapping[str, Any]) -> str:
    """Return the YAML template an editor opens for a new card, prefilled from ``data``.

    Args:
        deck_id: the deck, or None to leave ``deck:`` for the user to fill in.
        data: fields already known (from the command line); question and answer get empty slots.
    """
    from cvquiz.deckfile.writer import card_yaml

    fields = dict(data)
    kind = fields.pop("type", "basic")
    parts = [*TEMPLATE_HELP, "", f"deck: {deck_id or ''}".rstrip(), f"type: {kind}"]
    for name in ("question", "answer"):
        value = fields.pop(name, None)
        if value is not None:
            parts.append(card_yaml({name: value}).rstrip("\n"))
        elif kind != "compute" or name == "question":
            parts.append(f"{name}: ")
    if "tags" not in fields:
        fields["tags"] = []
    rest = card_yaml(fields).rstrip("\n") if fields else ""
    return "\n".join(p.rstrip() for p in parts) + "\n" + rest + "\n"


@dataclass(frozen=True)
class TemplateCard:
    """What a person wrote in the card template.

    Attributes:
        deck: the ``deck:`` they named, or None.
        data: the card's fields.
    """

    deck: str | None
    data: dict[str, Any]


def strip_errors(text: str) -> str:
    """Remove the error lines a previous round put at the top of a template."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(ERROR_MARK):
        lines.pop(0)
    return "".join(lines)


def with_errors(text: str, errors: Sequence[str]) -> str:
    """Return a template with ``errors`` as comment lines at the top (old error lines replaced).

    Positions in the messages (``line 5``) are shifted to match the lines of the returned text.
    """
    body = strip_errors(text)
    shift = len(errors)

    def moved(message: str) -> str:
        return re.sub(
            r"^template:(\d+):(\d+): ",
            lambda m: f"line {int(m.group(1)) + shift}, column {m.group(2)}: ",
            message,
        )

    return "".join(f"{ERROR_MARK}{moved(e)}\n" for e in errors) + body


def parse_template(text: str) -> TemplateCard | None:
    """Read a card template an editor saved.

    Args:
        text: the saved text (error lines from an earlier round are ignored).

    Returns:
        The card, or None when the text is empty or only comments (the person cancelled).

    Raises:
        DeckProblems: for YAML that does not parse (``template:line:column: message``).
        DeckError: when the text is not a mapping of card fields.
    """
    from cvquiz.deckfile.loader import parse_yaml
    from cvquiz.deckfile.writer import plain_data

    body = strip_errors(text)
    data = parse_yaml(body, "template")
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise DeckError("write the card as fields: question: ..., answer: ...")
    fields = {k: v for k, v in plain_data(data).items() if v is not None}
    deck = fields.pop("deck", None)
    if deck is not None and not isinstance(deck, str):
        raise DeckError(f"deck must be a deck id such as my/interviews, got {deck!r}")
    return TemplateCard(deck=deck, data=fields)


@dataclass(frozen=True)
class AddedCard:
    """A card written to a deck file.

    Attributes:
        ref: the card reference, ``deck/id``.
        id: the card id.
        line: its line in the deck file.
    """

    ref: str
    id: str
    line: int
    question: str = ""


def _headline(question: Any) -> str:
    """The first line of a question in deck form (a string or ``{zh, en}``), for listings."""
    if isinstance(question, Mapping):
        question = question.get("en") or question.get("zh") or ""
    text = str(question or "").strip()
    return text.splitlines()[0] if text else ""


def _added(deck_id: str, data: Mapping[str, Any], line: int = 0) -> AddedCard:
    ref = f"{deck_id}/{data['id']}"
    head = _headline(data.get("question")) or str(data.get("generator") or "")
    return AddedCard(ref, str(data["id"]), line, head)


@dataclass(frozen=True)
class AddResult:
    """What adding cards did.

    Attributes:
        deck: the deck id.
        path: the deck file.
        created: True when the deck file was created.
        added: the new cards.
        skipped: how many cards were already in the deck (import only).
        dry_run: True when nothing was written.
    """

    deck: str
    path: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class Rejected:
    """A card that cannot be added.

    Attributes:
        index: its position in the cards given.
        message: why.
    """

    index: int
    message: str


@dataclass(frozen=True)
class Prepared:
    """New cards checked against a deck, ready to write.

    Attributes:
        cards: the cards' fields, with ids.
        indexes: for each, its position in the cards given.
        skipped: positions of cards already in the deck (same question, or same id from the same key).
        rejected: cards that cannot be added.
    """

    cards: tuple[dict[str, Any], ...]
    indexes: tuple[int, ...]
    skipped: tuple[int, ...]
    rejected: tuple[Rejected, ...]


def _already_there(
    data: Mapping[str, Any],
    key: str | None,
    taken: set[str],
    tags_taken: set[str],
    seen: Mapping[str, str],
) -> bool:
    """Tell, without validating, whether a card is plainly in the deck already (by id, key or question)."""
    if data.get("id") in taken or (key is not None and key_tag(key) in tags_taken):
        return True
    try:
        card = Card.from_data({**data, "id": "new"})
    except (KeyError, ValueError, TypeError, AttributeError):
        return False  # not even shaped like a card: validation will say why
    return any(k in seen for k in _card_keys(card))


def prepare_cards(
    deck: Deck | None,
    cards: Sequence[Mapping[str, Any]],
    keys: Sequence[str | None] | None = None,
    skip_existing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Prepared:
    """Check new cards against the deck they go to, give them ids, and sort out duplicates.

    Args:
        deck: the deck as it stands, or None for a new deck.
        cards: the new cards' fields (an ``id`` is kept if given).
        keys: per card, a stable key to derive its id from (imported GUIDs), or None.
        skip_existing: skip cards whose question (or derived id) is already in the deck instead of
            rejecting them; used by import so that importing twice adds nothing.
        progress: called with (done, total) as cards are checked.

    Returns:
        The cards ready to write, the skipped and the rejected ones.
    """
    existing = deck.cards if deck is not None else ()
    taken = {c.id for c in existing}
    tags_taken = {i.rsplit("-", 1)[-1] for i in taken}
    seen: dict[str, str] = {}
    for card in existing:
        for k in _card_keys(card):
            seen.setdefault(k, card.id)
    ready: list[dict[str, Any]] = []
    indexes: list[int] = []
    skipped: list[int] = []
    rejected: list[Rejected] = []
    total = len(cards)
    for index, raw in enumerate(cards):
        if progress is not None and (index % 50 == 0 or index == total - 1):
            progress(index + 1, total)
        data = dict(raw)
        given_id = data.get("id")
        key = keys[index] if keys is not None else None
        if skip_existing and _already_there(data, key, taken, tags_taken, seen):
            skipped.append(index)  # re-importing a big file should not re-check every note
            continue
        try:
            probe = validate_card({**data, "id": given_id or "new"})
        except DeckError as error:
            rejected.append(Rejected(index, str(error).replace("card 'new': ", "")))
            continue
        if given_id is None:
            # A key (an Anki GUID) names the same note on every import, however its text changed since:
            # the id ends in the key's hash, so a card already holding that hash is that note.
            if key is not None and key_tag(key) in tags_taken:
                if skip_existing:
                    skipped.append(index)
                    continue
                rejected.append(Rejected(index, "the deck already has this note"))
                continue
            data = {"id": make_card_id(probe, taken, key), **data}
        elif given_id in taken:
            if skip_existing:
                skipped.append(index)
                continue
            rejected.append(Rejected(index, f"the deck already has a card {given_id!r}"))
            continue
        dup = next((seen[k] for k in _card_keys(probe) if k in seen), None)
        if dup is not None:
            if skip_existing:
                skipped.append(index)
                continue
            rejected.append(Rejected(index, f"the deck already has this question (card {dup!r})"))
            continue
        for k in _card_keys(probe):
            seen[k] = data["id"]
        taken.add(data["id"])
        tags_taken.add(data["id"].rsplit("-", 1)[-1])
        ready.append(data)
        indexes.append(index)
    return Prepared(tuple(ready), tuple(indexes), tuple(skipped), tuple(rejected))


def add_cards(
    decks_dir: Path,
    bundled_dir: Path,
    deck_id: str,
    cards: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str | None] | None = None,
    skip_existing: bool = False,
    dry_run: bool = False,
    deck_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Add cards to a user deck file (created if new), atomically, keeping every other byte of it.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder (adding there is refused).
        deck_id: the deck to add to.
        cards: the cards' fields (see `card_data`).
        keys: per card, a stable key for its id (imported GUIDs), or None.
        skip_existing: skip cards already in the deck instead of failing (import).
        dry_run: check everything, write nothing.
        deck_name: the display name of a new deck (default: from its id).
        progress: called with (done, total) while cards are checked.

    Returns:
        What was added.

    Raises:
        DeckError: for a bundled deck, a deck file that does not parse, an invalid or duplicate card, or an
            unknown generator; the deck file is then unchanged.
    """
    from cvquiz.deckfile.writer import read_deck_file

    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    deck: Deck | None = None
    current = None
    if path.exists():
        current = read_deck_file(path)
        deck = current[1]
        if deck.id != deck_id:  # pragma: no cover - user_deck_path matched the deck: line
            raise DeckError(f"{path} holds deck {deck.id!r}, not {deck_id!r}")
    prepared = prepare_cards(deck, cards, keys, skip_existing, progress)
    if prepared.rejected:
        first = prepared.rejected[0]
        where = f"card {first.index + 1}: " if len(cards) > 1 else ""
        message = first.message
        error_type = DuplicateCardError if "already has" in message else DeckError
        raise error_type(f"{where}{message}")
    for data in prepared.cards:
        if data.get("type") == CardType.COMPUTE.value:
            check_compute(Card.from_data(data))
    return _write(path, current, deck_id, prepared, dry_run, deck_name)


def _write(
    path: Path,
    current: tuple[str, Deck] | None,
    deck_id: str,
    prepared: Prepared,
    dry_run: bool,
    deck_name: str | None,
) -> AddResult:
    from cvquiz.deckfile.writer import append_cards, deck_id_to_name

    if dry_run or not prepared.cards:
        added = tuple(_added(deck_id, c) for c in prepared.cards)
        return AddResult(
            deck_id,
            str(path),
            current is None and bool(added),
            added,
            len(prepared.skipped),
            dry_run,
        )
    result = append_cards(
        path,
        prepared.cards,
        create=(deck_id, deck_name or deck_id_to_name(deck_id)),
        current=current,
    )
    return AddResult(
        deck=deck_id,
        path=str(path),
        created=result.created,
        added=tuple(
            _added(deck_id, data, card.line)
            for card, data in zip(result.added, prepared.cards, strict=True)
        ),
        skipped=len(prepared.skipped),
    )


@dataclass(frozen=True)
class ImportResult:
    """What importing a notes file did (or, with ``dry_run``, would do).

    Attributes:
        deck: the deck imported into.
        path: its file.
        format: ``anki`` or ``csv``.
        created: True when the deck file was created.
        added: the new cards.
        skipped: notes already in the deck.
        problems: records that could not be imported, as ``file:line: message`` (only with ``skip_bad``).
        dry_run: True when nothing was written.
    """

    deck: str
    path: str
    format: str
    created: bool
    added: tuple[AddedCard, ...]
    skipped: int
    problems: tuple[str, ...]
    dry_run: bool


def import_notes(
    decks_dir: Path,
    bundled_dir: Path,
    text: str,
    filename: str,
    deck_id: str | None = None,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import an Anki plain-text export or a CSV into a user deck; importing the same file again adds nothing.

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        text: the file's text.
        filename: its name (for messages, and ``.csv`` means comma-separated).
        deck_id: the deck to import into (default: from the file's ``#deck:`` header).
        dry_run: check everything, write nothing.
        skip_bad: import the good records even when some cannot be read (they are listed in the result).
        progress: called with (done, total) while notes are checked.

    Returns:
        What was (or would be) added.

    Raises:
        UsageError: when no deck is named and the file names none cvquiz can use.
        DeckProblems: one line per record that cannot be imported (without ``skip_bad``); nothing is
            written then.
        DeckError: for a bundled deck or a deck file that does not parse.
    """
    from cvquiz.anki.importer import anki_deck_id, parse_notes
    from cvquiz.deckfile.writer import read_deck_file

    parsed = parse_notes(text, filename)
    if deck_id is None:
        deck_id = anki_deck_id(parsed.deck) if parsed.deck else None
        if deck_id is None:
            raise UsageError("name the deck to import into, e.g. --deck my/anki")
    path = user_deck_path(decks_dir, bundled_dir, deck_id)
    current = read_deck_file(path) if path.exists() else None
    deck = current[1] if current is not None else None
    rows = parsed.rows
    prepared = prepare_cards(deck, [r.data for r in rows], [r.key for r in rows], True, progress)
    problems = sorted(
        [(p.line, p.message) for p in parsed.problems]
        + [(rows[r.index].line, r.message) for r in prepared.rejected]
    )
    lines = tuple(f"{filename}:{line}: {message}" for line, message in problems)
    if lines and not skip_bad:
        raise DeckProblems(
            [
                *lines,
                f"{len(lines)} record(s) cannot be imported; nothing was written "
                "(fix them, or pass --skip-bad to import the rest)",
            ]
        )
    result = _write(path, current, deck_id, prepared, dry_run, None)
    return ImportResult(
        deck=deck_id,
        path=result.path,
        format=parsed.format,
        created=result.created,
        added=result.added,
        skipped=result.skipped,
        problems=lines,
        dry_run=dry_run,
    )


# ----------------------------------------------------------------------------------------------------------
# Card references


@dataclass(frozen=True)
class CardRef:
    """A deck entry in the collection, with the review cards it makes.

    Attributes:
        deck: the deck id.
        id: the card id.
        pks: the collection keys of its review cards, by ord.
        ords: the ords of those review cards.
        path: the deck file.
        line: the card's line in it.
        bundled: True for a bundled deck.
    """

    deck: str
    id: str
    pks: tuple[int, ...]
    ords: tuple[int, ...]
    path: str | None
    line: int
    bundled: bool

    @property
    def ref(self) -> str:
        """The full reference, ``deck/id``."""
        return f"{self.deck}/{self.id}"


def resolve(col: Collection, reference: str) -> CardRef:
    """Find the card a person named: ``deck/id``, a unique prefix of it, or a unique card id (or prefix).

    Raises:
        CardNotFoundError: when nothing matches, or several cards do (the message lists them).
    """
    ref = reference.strip()
    if not ref:
        raise CardNotFoundError("name a card: deck/id, or a prefix of it")
    rows = list(
        col.rows(
            """SELECT c.deck_id, c.card_id, c.pk, c.ord, c.line, d.path, d.bundled
               FROM cards c JOIN decks d ON d.id = c.deck_id
               WHERE c.active = 1 AND (substr(c.deck_id || '/' || c.card_id, 1, :n) = :ref
                                       OR substr(c.card_id, 1, :n) = :ref)
               ORDER BY d.position, c.position, c.ord""",
            {"ref": ref, "n": len(ref)},
        )
    )
    entries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        entries.setdefault((row["deck_id"], row["card_id"]), []).append(row)
    if not entries:
        raise CardNotFoundError(f"no card matches {ref!r} (try cvquiz search TEXT)")
    exact = [k for k in entries if f"{k[0]}/{k[1]}" == ref] or [k for k in entries if k[1] == ref]
    keys = exact if len(exact) == 1 else list(entries)
    if len(keys) > 1:
        shown = ", ".join(f"{d}/{c}" for d, c in keys[:10])
        more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
        raise CardNotFoundError(f"{ref!r} matches {len(keys)} cards: {shown}{more}")
    picked = entries[keys[0]]
    first = picked[0]
    return CardRef(
        deck=first["deck_id"],
        id=first["card_id"],
        pks=tuple(r["pk"] for r in picked),
        ords=tuple(r["ord"] for r in picked),
        path=first["path"],
        line=first["line"],
        bundled=bool(first["bundled"]),
    )


def resolve_many(col: Collection, references: Sequence[str]) -> list[CardRef]:
    """Resolve several references, reporting every one that fails at once.

    Raises:
        CardNotFoundError: one line per reference that matches no card or several.
    """
    found: list[CardRef] = []
    problems: list[str] = []
    for reference in references:
        try:
            found.append(resolve(col, reference))
        except CardNotFoundError as error:
            problems.append(str(error))
    if problems:
        raise CardNotFoundError("\n".join(problems))
    return list({c.ref: c for c in found}.values())


# ----------------------------------------------------------------------------------------------------------
# Show


@dataclass(frozen=True)
class ScheduleInfo:
    """The scheduling state of one review card.

    Attributes:
        ord: which review card of the entry (0 front, 1 reverse, N for cloze cN).
        state: 0 new, 1 learning, 2 review, 3 relearning.
        due: when it is due (ISO 8601 UTC), or None while new.
        last_review: the last review (ISO 8601 UTC), or None.
        stability: FSRS stability in days, or None.
        difficulty: FSRS difficulty, or None.
        reps: reviews so far.
        lapses: times forgotten.
        suspended: True when suspended.
        buried_until: the study day it comes back, or None.
        leech: True when flagged as a leech.
    """

    ord: int
    state: int
    due: str | None
    last_review: str | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    leech: bool


@dataclass(frozen=True)
class ReviewInfo:
    """One review of the card.

    Attributes:
        ord: the review card reviewed.
        reviewed_at: when (ISO 8601 UTC).
        rating: 1 again, 2 hard, 3 good, 4 easy.
        state_before: the state before.
        state_after: the state after.
        duration_ms: time spent, or None.
        answer: what was typed (compute cards), or None.
        correct: the engine's verdict (compute cards), or None.
    """

    ord: int
    reviewed_at: str | None
    rating: int
    state_before: int
    state_after: int
    duration_ms: int | None
    answer: str | None
    correct: bool | None


@dataclass(frozen=True)
class CardDetails:
    """Everything about one card, as ``cvquiz show`` prints it.

    Attributes:
        ref: ``deck/id``.
        deck: the deck id.
        id: the card id.
        type: the card type.
        content: the card's fields as in the deck file.
        tags: its tags (deck tags included).
        path: the deck file.
        line: the card's line in it.
        bundled: True for a bundled deck.
        schedule: the state of each review card.
        reviews: the review history, oldest first.
    """

    ref: str
    deck: str
    id: str
    type: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    path: str | None
    line: int
    bundled: bool
    schedule: tuple[ScheduleInfo, ...]
    reviews: tuple[ReviewInfo, ...] = field(default_factory=tuple)


def show(col: Collection, reference: str) -> CardDetails:
    """Return a card with its deck file and line, its scheduling state and its review history.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
    """
    from cvquiz.clock import iso_utc

    found = resolve(col, reference)
    marks = ",".join("?" * len(found.pks))
    rows = list(
        col.rows(
            f"""SELECT c.ord, c.type, c.content, c.tags, s.* FROM cards c
                JOIN schedule s ON s.card_pk = c.pk WHERE c.pk IN ({marks}) ORDER BY c.ord""",
            found.pks,
        )
    )
    schedule = tuple(
        ScheduleInfo(
            ord=r["ord"],
            state=r["state"],
            due=iso_utc(r["due"]),
            last_review=iso_utc(r["last_review"]),
            stability=r["stability"],
            difficulty=r["difficulty"],
            reps=r["reps"],
            lapses=r["lapses"],
            suspended=bool(r["suspended"]),
            buried_until=r["buried_until"],
            leech=bool(r["leech"]),
        )
        for r in rows
    )
    reviews = tuple(
        ReviewInfo(
            ord=r["ord"],
            reviewed_at=iso_utc(r["reviewed_at"]),
            rating=r["rating"],
            state_before=r["state_before"],
            state_after=r["state_after"],
            duration_ms=r["duration_ms"],
            answer=r["answer"],
            correct=None if r["correct"] is None else bool(r["correct"]),
        )
        for r in col.rows(
            f"""SELECT c.ord, r.* FROM reviews r JOIN cards c ON c.pk = r.card_pk
                WHERE r.card_pk IN ({marks}) ORDER BY r.reviewed_at, r.id""",
            found.pks,
        )
    )
    first = rows[0]
    return CardDetails(
        ref=found.ref,
        deck=found.deck,
        id=found.id,
        type=first["type"],
        content=json.loads(first["content"]),
        tags=tuple(first["tags"].split()),
        path=found.path,
        line=found.line,
        bundled=found.bundled,
        schedule=schedule,
        reviews=reviews,
    )


# ----------------------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class SearchHit:
    """A card whose text matches a search.

    Attributes:
        ref: ``deck/id``.
        deck: the deck id.
        id: the card id.
        type: the card type.
        question: the question, as in the deck file (a string or ``{zh, en}``).
        line: the card's line in its deck file.
    """

    ref: str
    deck: str
    id: str
    type: str
    question: Any
    line: int


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)


def search(
    col: Collection, text: str, deck: str | None = None, tag: str | None = None
) -> tuple[SearchHit, ...]:
    """Find cards whose question, answer or explanation holds every word of ``text`` (any case, any language).

    Args:
        col: the collection.
        text: the words to find; Chinese is matched as written (no word splitting needed).
        deck: only this deck and the decks under it (``my`` covers ``my/interviews``).
        tag: only cards with this tag or a tag under it (``losses`` covers ``losses::focal``).

    Returns:
        The matching cards in deck and file order.
    """
    words = [w.casefold() for w in text.split()]
    where = [
        "c.active = 1",
        "c.ord = (SELECT MIN(ord) FROM cards x WHERE x.deck_id = c.deck_id AND x.card_id = c.card_id AND x.active = 1)",
    ]
    params: dict[str, Any] = {}
    if deck:
        where.append("(c.deck_id = :deck OR substr(c.deck_id, 1, :n) = :prefix)")
        params.update(
            deck=deck.rstrip("/"), prefix=deck.rstrip("/") + "/", n=len(deck.rstrip("/")) + 1
        )
    if tag:
        where.append("(instr(c.tags, :tag) > 0 OR instr(c.tags, :sub) > 0)")
        params.update(tag=f" {tag} ", sub=f" {tag}::")
    hits: list[SearchHit] = []
    for row in col.rows(
        f"""SELECT c.deck_id, c.card_id, c.type, c.content, c.line FROM cards c
            JOIN decks d ON d.id = c.deck_id WHERE {" AND ".join(where)}
            ORDER BY d.position, c.position""",
        params,
    ):
        content = json.loads(row["content"])
        haystack = "\n".join(
            s for key in ("question", "answer", "explanation") for s in _strings(content.get(key))
        ).casefold()
        if content.get("generator"):
            haystack += "\n" + str(content["generator"]).casefold()
        if all(w in haystack for w in words):
            hits.append(
                SearchHit(
                    ref=f"{row['deck_id']}/{row['card_id']}",
                    deck=row["deck_id"],
                    id=row["card_id"],
                    type=row["type"],
                    question=content.get("question"),
                    line=row["line"],
                )
            )
    return tuple(hits)


# ----------------------------------------------------------------------------------------------------------
# Edit, suspend, forget


@dataclass(frozen=True)
class EditTarget:
    """Where to open an editor on a card.

    Attributes:
        ref: ``deck/id``.
        path: the deck file.
        line: the card's line.
    """

    ref: str
    path: str
    line: int


def edit_target(col: Collection, reference: str) -> EditTarget:
    """Return the deck file and line of a card the user may edit.

    Raises:
        CardNotFoundError: when the reference matches no card or several.
        DeckError: for a card of a bundled deck (edits there are lost on upgrade).
    """
    found = resolve(col, reference)
    if found.bundled or not found.path:
        raise DeckError(
            f"{found.ref} is in a bundled deck: {BUNDLED_HINT.format(id=found.deck.rsplit('/', 1)[-1])}"
        )
    return EditTarget(found.ref, found.path, max(found.line, 1))


@dataclass(frozen=True)
class ChangeResult:
    """What suspend, unsuspend or forget did.

    Attributes:
        action: ``suspend``, ``unsuspend`` or ``forget``.
        cards: the references changed.
        review_cards: how many review cards that was.
    """

    action: str
    cards: tuple[str, ...]
    review_cards: int


def change(col: Collection, action: str, references: Sequence[str], now: datetime) -> ChangeResult:
    """Suspend, unsuspend or forget cards (forget: back to new, the review history kept).

    Args:
        col: the collection.
        action: ``suspend``, ``unsuspend`` or ``forget``.
        references: the cards.
        now: the current time (forget records it).

    Raises:
        CardNotFoundError: for references that match no card or several (nothing is changed then).
        UsageError: for an unknown action.
    """
    from cvquiz.collection import scheduling

    found = resolve_many(col, references)
    pks = [pk for c in found for pk in c.pks]
    if action == "suspend":
        scheduling.suspend(col, pks)
    elif action == "unsuspend":
        scheduling.unsuspend(col, pks)
    elif action == "forget":
        scheduling.forget(col, pks, now)
    else:
        raise UsageError(f"unknown action {action!r}")
    return ChangeResult(action, tuple(c.ref for c in found), len(pks))


__all__ = [
    "AddResult",
    "AddedCard",
    "CardDetails",
    "CardInputError",
    "CardRef",
    "ChangeResult",
    "DuplicateCardError",
    "EditTarget",
    "ImportResult",
    "SearchHit",
    "add_cards",
    "card_data",
    "change",
    "edit_target",
    "import_notes",
    "list_user_decks",
    "make_card_id",
    "parse_param",
    "prepare_cards",
    "resolve",
    "search",
    "show",
    "slugify",
    "user_deck_path",
    "validate_card",
]
