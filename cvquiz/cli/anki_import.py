"""``cvquiz import [anki] FILE.apkg|.colpkg``: calls `cvquiz.cards.anki_packages` and prints what it did.

What was merged or would be (with ``--dry-run``, per deck) goes to stdout; the summary, what was left out and
why, and warnings go to stderr.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from cvquiz.i18n import _, after_label, ngettext

if TYPE_CHECKING:
    from cvquiz.anki.merge import MergeResult
    from cvquiz.cards.anki_packages import SharedDeckResult
    from cvquiz.cli.context import Env

__all__ = ["import_anki_package"]


def _say(env: Env, text: str) -> None:
    env.err.print(text, highlight=False, soft_wrap=True)


def _merge_lines(result: MergeResult) -> list[str]:
    """Why entries and notes were left out, one line each."""
    s = result.skipped
    reasons = [
        (
            s.already_logged,
            ngettext("{n} already in cvquiz", "{n} already in cvquiz", s.already_logged),
        ),
        (
            s.cram,
            ngettext(
                "{n} cram review (filtered deck without rescheduling)",
                "{n} cram reviews (filtered deck without rescheduling)",
                s.cram,
            ),
        ),
        (
            s.rescheduled,
            ngettext(
                "{n} reschedule (set due date, FSRS rescheduling)",
                "{n} reschedules (set due date, FSRS rescheduling)",
                s.rescheduled,
            ),
        ),
        (
            s.resets,
            ngettext(
                "{n} reset (the reviews after it start from a new card)",
                "{n} resets (the reviews after them start from a new card)",
                s.resets,
            ),
        ),
        (
            s.other_problems,
            ngettext(
                "{n} answer to a compute problem beyond the first",
                "{n} answers to compute problems beyond the first",
                s.other_problems,
            ),
        ),
        (
            s.retired,
            ngettext(
                "{n} of a card no longer in its deck",
                "{n} of cards no longer in their decks",
                s.retired,
            ),
        ),
        (
            s.unreadable,
            ngettext(
                "{n} unreadable (a time, time taken, type or button Anki does not write)",
                "{n} unreadable (times, times taken, types or buttons Anki does not write)",
                s.unreadable,
            ),
        ),
    ]
    lines = []
    shown = [text.format(n=n) for n, text in reasons if n]
    if shown:
        lines.append(_("Not added from Anki's log: {reasons}.").format(reasons="; ".join(shown)))
    unknown = result.notes.get("unknown", 0)
    if unknown:
        lines.append(
            ngettext(
                "Left out {n} note cvquiz did not export (--deck mine/NAME makes a deck of them).",
                "Left out {n} notes cvquiz did not export (--deck mine/NAME makes a deck of them).",
                unknown,
            ).format(n=unknown)
        )
    changed = result.notes.get("note type changed", 0)
    if changed:
        lines.append(
            ngettext(
                "Left out {n} note whose note type was changed in Anki.",
                "Left out {n} notes whose note type was changed in Anki.",
                changed,
            ).format(n=changed)
        )
    if result.edited:
        lines.append(
            ngettext(
                "{n} note was edited in Anki: its text stays as in cvquiz, its progress merged: {cards}",
                "{n} notes were edited in Anki: their text stays as in cvquiz, their progress merged: "
                "{cards}",
                len(result.edited),
            ).format(n=len(result.edited), cards=", ".join(result.edited))
        )
    return lines


def _print_merge(env: Env, result: MergeResult, heading: str | None = None) -> None:
    def counted(reviews: int, cards: int) -> dict[str, str]:
        return {
            "reviews": ngettext("{n} review", "{n} reviews", reviews).format(n=reviews),
            "cards": ngettext("{count} card", "{count} cards", cards).format(count=cards),
        }

    for deck in result.decks:
        line = (
            _("{deck}: would add {reviews} to {cards}")
            if result.dry_run
            else _("{deck}: added {reviews} to {cards}")
        )
        env.out.print(
            escape(line.format(deck=deck.deck, **counted(deck.reviews, deck.cards))),
            highlight=False,
            soft_wrap=True,
        )
    summary = (
        _("Would merge {reviews} from Anki into {cards}.")
        if result.dry_run
        else _("Merged {reviews} from Anki into {cards}.")
    )
    text = summary.format(**counted(result.reviews, result.cards))
    _say(env, escape(text if heading is None else f"{heading} {text}"))
    for line in _merge_lines(result):
        _say(env, escape(line))


def _print_deck(env: Env, deck: SharedDeckResult) -> None:
    if not deck.notes:
        _say(
            env,
            escape(
                _(
                    "Nothing to add to deck {deck}: every note of the package was exported by cvquiz."
                ).format(deck=deck.deck)
            ),
        )
        return
    added = ngettext("{count} card", "{count} cards", len(deck.added)).format(count=len(deck.added))
    text = (
        _("Would add {added} to deck {deck} ({path}); {updated} updated, {unchanged} unchanged.")
        if deck.dry_run
        else _(
            "Added {added} to deck {deck} ({path}); {updated} updated, {unchanged} unchanged, {media} copied."
        )
    )
    media = ngettext("{n} media file", "{n} media files", deck.media).format(n=deck.media)
    _say(
        env,
        escape(
            text.format(
                added=added,
                deck=deck.deck,
                path=deck.path,
                updated=len(deck.updated),
                unchanged=deck.unchanged,
                media=media,
            )
        ),
    )
    if deck.dry_run and deck.reviews:
        _say(
            env,
            escape(
                ngettext(
                    "The package holds {n} review of these notes (--with-progress merges it).",
                    "The package holds {n} reviews of these notes (--with-progress merges them).",
                    deck.reviews,
                ).format(n=deck.reviews)
            ),
        )
    if deck.kept:
        _say(
            env,
            escape(
                ngettext(
                    "Kept {n} card you changed since the last import: {cards}",
                    "Kept {n} cards you changed since the last import: {cards}",
                    len(deck.kept),
                ).format(n=len(deck.kept), cards=", ".join(deck.kept))
            ),
        )
    label = escape(_("Warning:"))
    for warning in deck.warnings:
        _say(env, f"[yellow]{label}[/]{after_label(label)}{escape(warning)}")
    skipped = escape(_("Skipped"))
    for problem in deck.problems:
        _say(env, f"[yellow]{skipped}[/] {escape(problem)}")


def import_anki_package(
    env: Env, path: Path, deck: str | None, dry_run: bool, with_progress: bool, as_json: bool
) -> None:
    """Import an Anki package and print what happened."""
    from cvquiz.cards.anki_packages import import_package

    result = import_package(
        path,
        env.collection,
        env.settings,
        env.now,
        decks_dir=env.paths.decks,
        bundled_dir=env.paths.bundled,
        deck_id=deck,
        with_progress=with_progress,
        dry_run=dry_run,
    )
    if as_json:
        env.out.print(
            json.dumps(asdict(result), ensure_ascii=False, indent=2),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    if result.deck is not None:
        _print_deck(env, result.deck)
    new_deck = result.deck is not None and result.deck.dry_run and result.deck.created
    if result.deck is not None and result.deck_reviews is not None and not new_deck:
        _print_merge(env, result.deck_reviews, _("Deck {deck}:").format(deck=result.deck.deck))
    merged = result.reviews
    if result.deck is None or merged.reviews or merged.decks or _merge_lines(merged):
        _print_merge(env, merged)
