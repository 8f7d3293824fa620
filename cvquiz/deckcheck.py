"""Checking deck files whole (``cvquiz check``, ``cvquiz edit``): every problem of every file, in one pass.

Each file is checked whole: its structure (the loader's rules), then the compute cards that pass them against
their generators and the code cards against their judges, even when other cards of the file have problems; a
deck id used by two files is a problem of the second. Problems come back structured (file, line, column, card,
message) for ``--json``, and as the ``file:line:column: card 'id': message`` lines the loader writes.

What passed is not worked out again: given a `VerdictCache`, a file whose exact bytes passed before costs a
hash, and a compute or code card whose generator and parameters (or whose code and judge) passed before is not
drawn or judged again, even in another file (`cvquiz.checkcache`). A bundled deck file whose bytes are those
shipped comes with its verdict. Only passes are kept, so a problem is always found afresh.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cvquiz.checkcache import VerdictCache, code_key, compute_key, file_key, shipped_verdict
from cvquiz.deckfile.discovery import deck_files, expand_deck_paths
from cvquiz.deckfile.messages import card_prefix, split_card_prefix
from cvquiz.errors import DeckProblems, UnreadableFileError
from cvquiz.fileio import TEXT_FILE_LIMIT, describe_decode_error, read_limited
from cvquiz.i18n import _
from cvquiz.model import Card, CardType, Deck
from cvquiz.progress import REPORT_EVERY, Progress, no_progress

__all__ = ["CheckReport", "FileCheck", "Problem", "check_decks", "check_text", "sound_deck"]

_POSITION_RE = re.compile(r"(\d+):(\d+): ")


@dataclass(frozen=True)
class Problem:
    """One problem of a deck file.

    Attributes:
        line: its line (1-based), or None when it is about the whole file (it cannot be read).
        column: its column (1-based), or None.
        card: the id of the card it is about, or None.
        message: what is wrong.
    """

    line: int | None
    column: int | None
    card: str | None
    message: str


@dataclass(frozen=True)
class FileCheck:
    """What checking one deck file found.

    Attributes:
        path: the file.
        deck: the deck id it names, when it names a valid one.
        cards: how many of its cards follow the format (as written, one per ``- id:`` entry).
        study_cards: the study cards those expand to (a reversed card makes two, a cloze one per deletion).
        problems: every problem, in file order.
    """

    path: str
    deck: str | None
    cards: int
    study_cards: int
    problems: tuple[Problem, ...]

    def lines(self) -> list[str]:
        """Return the problems as ``file:line:column: card 'id': message`` lines."""
        out = []
        for p in self.problems:
            where = f"{self.path}:{p.line}:{p.column}: " if p.line else f"{self.path}: "
            card = card_prefix(p.card) if p.card else ""
            out.append(where + card + p.message)
        return out


@dataclass(frozen=True)
class CheckReport:
    """What ``cvquiz check`` found.

    Attributes:
        files: one entry per deck file checked.
        decks: how many files hold a sound deck.
        cards: how many cards follow the format, as written.
        study_cards: the study cards they expand to.
        problems: how many problems there are in all.
    """

    files: tuple[FileCheck, ...]
    decks: int
    cards: int
    study_cards: int
    problems: int

    @property
    def ok(self) -> bool:
        """True when no file has a problem."""
        return self.problems == 0


def _problem(line: str, label: str) -> Problem:
    """Split a loader message (``label:line:column: card 'id': message``) into its parts."""
    rest = line.removeprefix(label).removeprefix(":").lstrip()
    position = _POSITION_RE.match(rest)
    row = column = None
    if position:
        row, column = int(position.group(1)), int(position.group(2))
        rest = rest[position.end() :]
    card, message = split_card_prefix(rest)
    return Problem(row, column, card, message)


def check_text(
    text: str,
    label: str,
    path: Path | None = None,
    bundled: bool = False,
    progress: Progress = no_progress,
    cache: VerdictCache | None = None,
) -> tuple[FileCheck, Deck | None]:
    """Check one deck's text: its structure, then the compute and code cards that pass it.

    Args:
        text: the YAML source (without a BOM).
        label: the file name problems carry.
        path: the file, if any.
        bundled: True for a bundled deck.
        progress: told of the compute cards checked.
        cache: verdicts of earlier checks: a compute or code card found there is not checked again, and each
            card that passes is added to it (None: every card is checked).

    Returns:
        The check, and the deck when there is no problem at all.
    """
    from cvquiz.deckfile.loader import check_deck_text

    cache = cache if cache is not None else VerdictCache(None)
    checked = check_deck_text(text, label, path=path, bundled=bundled)
    problems = [_problem(line, label) for line in checked.problems]
    code = _unknown(checked.cards, CardType.CODE, cache)
    if code:
        from cvquiz.codecards.spec import check_cards as check_code_cards

        progress(_("Checking code cards in {file}").format(file=Path(label).name), 0, len(code))
        for (key, card), messages in zip(
            code, check_code_cards([c for _k, c in code]), strict=True
        ):
            problems += [Problem(card.line, card.column, card.id, m) for m in messages]
            if not messages:
                cache.remember(key)
    compute = _unknown(checked.cards, CardType.COMPUTE, cache)
    if compute:
        from cvquiz.generators import check_card

        stage = _("Checking compute cards in {file}").format(file=Path(label).name)
        # cards with the same generator and parameters are checked once
        found: dict[str, list[str]] = {}
        for number, (key, card) in enumerate(compute):
            if number % REPORT_EVERY == 0:
                progress(stage, number, len(compute))
            if key not in found:
                found[key] = check_card(card)
                if not found[key]:
                    cache.remember(key)
            messages = found[key]
            problems += [Problem(card.line, card.column, card.id, m) for m in messages]
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    study = sum(len(card.ords()) for card in checked.cards)
    result = FileCheck(label, checked.deck_id, len(checked.cards), study, tuple(problems))
    return result, (checked.deck if not problems else None)


def _unknown(cards: Sequence[Card], kind: CardType, cache: VerdictCache) -> list[tuple[str, Card]]:
    """Return the cards of a kind that the cache does not know to pass, each with its key.

    A compute card's verdict depends on its generator, parameters and answer format only; a code card's on all
    its fields but its id and tags.
    """
    keyed = []
    for card in cards:
        if card.type is not kind:
            continue
        if kind is CardType.COMPUTE:
            key = compute_key(card.generator, card.params, card.decimals, card.tolerance)
        else:
            key = code_key({k: v for k, v in card.to_data().items() if k not in ("id", "tags")})
        if cache.get(key) is None:
            keyed.append((key, card))
    return keyed


def sound_deck(text: str, path: Path) -> Deck:
    """Return the deck a text holds when it has no problem at all (`check_text`); `cvquiz edit` saves only that.

    Raises:
        DeckProblems: every problem, one ``file:line:column: ...`` line each.
    """
    checked, deck = check_text(text, str(path), path=path)
    if deck is None:
        raise DeckProblems(checked.lines())
    return deck


def _check_file(
    path: Path, bundled: bool, progress: Progress, cache: VerdictCache | None
) -> FileCheck:
    label = str(path)
    try:
        blob = read_limited(path, TEXT_FILE_LIMIT)
        text = blob.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        message = _("not UTF-8 text ({reason} at byte {byte})").format(
            reason=describe_decode_error(error), byte=error.start
        )
        return FileCheck(label, None, 0, 0, (Problem(1, 1, None, message),))
    except UnreadableFileError as error:
        return FileCheck(label, None, 0, 0, (Problem(None, None, None, error.reason),))
    key = file_key(blob, bundled) if cache is not None else ""
    known = cache.get(key) if cache is not None else None
    if known is None and cache is not None and cache.trust_shipped:
        known = shipped_verdict(blob)  # a bundled deck as shipped: its bytes checked by its release
        if known is not None:
            cache.remember(key, known)
    if isinstance(known, list) and len(known) == 3:
        deck, cards, study_cards = known
        return FileCheck(label, deck, cards, study_cards, ())
    checked = check_text(text, label, path, bundled, progress, cache)[0]
    if cache is not None and not checked.problems:
        cache.remember(key, [checked.deck, checked.cards, checked.study_cards])
    return checked


def check_decks(
    paths: Sequence[Path] | None,
    bundled_dir: Path,
    decks_dir: Path,
    progress: Progress = no_progress,
    cache: VerdictCache | None = None,
) -> CheckReport:
    """Check deck files and report every problem of every file.

    Args:
        paths: files and folders to check (folders searched recursively); None for the bundled decks and
            the user's decks folder.
        bundled_dir: the bundled decks folder.
        decks_dir: the user's decks folder.
        progress: told of each file checked, and of the compute cards of a big file.
        cache: verdicts of earlier checks (see `check_text`): a file whose bytes passed before is not checked
            again, and what passes now is added to it (the caller saves it). None: everything is checked.

    Returns:
        One entry per file, in the order checked.

    Raises:
        DeckProblems: for a path that does not exist.
    """
    if paths:
        sources = [(p, False) for p in expand_deck_paths(paths)]
    else:
        sources = [(p, True) for p in deck_files(bundled_dir, recursive=False)]
        sources += [(p, False) for p in deck_files(decks_dir)]
    files: list[FileCheck] = []
    owners: dict[str, str] = {}
    for number, (path, bundled) in enumerate(sources):
        progress(_("Checking deck files"), number, len(sources))
        checked = _check_file(path, bundled, progress, cache)
        if checked.deck is not None:
            first = owners.setdefault(checked.deck, checked.path)
            if first != checked.path:
                clash = Problem(
                    1,
                    1,
                    None,
                    _("deck id {id!r} is already used by {other}").format(
                        id=checked.deck, other=first
                    ),
                )
                checked = FileCheck(
                    checked.path,
                    checked.deck,
                    checked.cards,
                    checked.study_cards,
                    (clash, *checked.problems),
                )
        files.append(checked)
    progress(_("Checking deck files"), len(sources), len(sources))
    return CheckReport(
        files=tuple(files),
        decks=sum(1 for f in files if not f.problems),
        cards=sum(f.cards for f in files),
        study_cards=sum(f.study_cards for f in files),
        problems=sum(len(f.problems) for f in files),
    )
