"""The card template ``cvquiz add --editor`` opens, as ``git commit`` opens its message template.

The template is YAML: a few comment lines of help, ``deck:`` and the card's fields. When what was saved is not
a valid card, the problems go back in as ``# ERROR:`` comment lines at the top (`with_errors`) and the editor
opens again (`cvquiz.cards.editloop`); those lines are ignored when the text is read (`strip_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.errors import CvquizError, DeckError, DeckProblems
from cvquiz.i18n import _

if TYPE_CHECKING:
    from cvquiz.cards.adding import AddResult
    from cvquiz.cards.editloop import EditorRunner

__all__ = [
    "ERROR_MARK",
    "TemplateCard",
    "add_with_editor",
    "card_template",
    "parse_template",
    "strip_errors",
    "template_help",
    "with_errors",
]

ERROR_MARK = "# ERROR: "
TEMPLATE_LABEL = "template"
"""The name problems of the template are reported under (``template:3:1: ...``)."""


def template_help() -> tuple[str, ...]:
    """Return the comment lines at the top of a new card template, in the current language."""
    return (
        "# "
        + _("Write the card, save and close the editor. An empty file (or only comments) cancels."),
        "# "
        + _(
            "type: basic | reversed | cloze ({{c1::...}} in the question) | compute (generator:, params:)"
        ),
        "# "
        + _(
            "Text is one line, or `|` and indented lines below it; give zh: and en: lines for two languages."
        ),
        "# "
        + _(
            "Optional: explanation, tags: [a, b::c], source: https://..., id: my-id (else one is made)."
        ),
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
    parts = [*template_help(), "", f"deck: {deck_id or ''}".rstrip(), f"type: {kind}"]
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
    """Remove the error lines a previous round put at the top of a text."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith(ERROR_MARK):
        start += 1
    return "".join(lines[start:])


def with_errors(text: str, errors: Sequence[str], label: str = TEMPLATE_LABEL) -> str:
    """Return a text with ``errors`` as comment lines at the top (old error lines replaced).

    Positions in the messages (``label:5:3: ...``) become ``line 7, column 3: ...``, shifted to match the
    lines of the returned text.

    Args:
        text: the text as saved.
        errors: the problems, one line each.
        label: the file name the problems carry.
    """
    body = strip_errors(text)
    shift = len(errors)
    position = re.compile(rf"^{re.escape(label)}:(\d+):(\d+): ")

    def moved(message: str) -> str:
        return position.sub(
            lambda m: _("line {line}, column {column}: ").format(
                line=int(m.group(1)) + shift, column=m.group(2)
            ),
            message.splitlines()[0] if message else message,
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
    data = parse_yaml(body, TEMPLATE_LABEL)
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise DeckError(_("write the card as fields: question: ..., answer: ..."))
    fields = {k: v for k, v in plain_data(data).items() if v is not None}
    deck = fields.pop("deck", None)
    if deck is not None and not isinstance(deck, str):
        raise DeckError(
            _("deck must be a deck id such as my/interviews, got {value!r}").format(value=deck)
        )
    return TemplateCard(deck=deck, data=fields)


def add_with_editor(
    decks_dir: Path,
    bundled_dir: Path,
    deck_id: str | None,
    data: Mapping[str, Any],
    run_editor: EditorRunner,
) -> AddResult | None:
    """Open the card template in the editor until it holds a valid card, then add it (``add --editor``).

    Args:
        decks_dir: the user's decks folder.
        bundled_dir: the bundled decks folder.
        deck_id: the deck to add to, or None to let the person name it in the template.
        data: fields already known (from the command line).
        run_editor: opens the editor on a file at a line.

    Returns:
        What was added, or None when the person emptied the template (cancelled).

    Raises:
        DeckError: when a template with problems is saved unchanged.
        CvquizError: when the deck file itself is broken (editing the card cannot fix that), or the editor
            fails.
    """
    from cvquiz.cards.adding import add_cards
    from cvquiz.cards.editloop import edit_until_valid

    def accept(text: str) -> AddResult:
        card = parse_template(text)
        if card is None:
            raise DeckError(_("write the card as fields: question: ..., answer: ..."))
        target = card.deck or deck_id
        if not target:
            raise DeckError(_("name the deck to add to: deck: my/interviews"))
        try:
            return add_cards(decks_dir, bundled_dir, target, [card.data])
        except DeckProblems as error:
            raise CvquizError("\n".join(error.problems)) from None  # the deck file, not the card

    edited = edit_until_valid(
        card_template(deck_id, data), accept, run_editor, label=TEMPLATE_LABEL, line=1
    )
    return None if edited is None else edited.value
