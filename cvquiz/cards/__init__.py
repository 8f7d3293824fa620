"""The card services: the user's own cards in their deck files, and every card in the collection.

One small module per job, each calling the collection for what it reads or changes (no SQL here):

- `userdecks`: the user's decks folder, and which file a deck id writes to.
- `fields`, `ids`, `validation`: a new card as typed, its id, and the deck format's rules applied to it.
- `adding`: new cards checked against their deck and written into its file (``add``).
- `importing`: a notes file (Anki text export, CSV) into a deck (``import``).
- `anki_packages`: an Anki package's reviews merged, its shared notes made a deck (``import anki FILE.apkg``).
- `template`, `editloop`: the card template ``add --editor`` opens, and the editor loop it shares with ``edit``.
- `references`: ``deck/id`` and unique prefixes, resolved to cards (every command that names cards).
- `details`, `editing`, `overriding`: ``show``, ``edit`` (of a bundled card: your own version of it).
- `searching`, `browsing`: ``search`` and ``browse`` (Anki's search syntax), and what a bulk action applies to (`select`).
- `lifecycle`, `tagging`, `undoing`: ``suspend``/``unsuspend``/``bury``/``forget``, ``tag add|remove``, ``undo``.

Every service returns frozen dataclasses the CLI renders as text or JSON. The names below are the public API;
import them from here. They load lazily: a command imports the services it uses and no other (``search`` does
not import the YAML loader).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvquiz.cards.adding import (
        AddedCard,
        AddResult,
        Prepared,
        Rejected,
        add_cards,
        prepare_cards,
    )
    from cvquiz.cards.details import CardDetails, ReviewInfo, ScheduleInfo, show
    from cvquiz.cards.editing import EditResult, EditTarget, edit_card, edit_file, edit_target
    from cvquiz.cards.fields import card_data, check_new_tag, parse_param, text_data
    from cvquiz.cards.ids import key_tag, make_card_id, slugify
    from cvquiz.cards.importing import ImportResult, import_notes
    from cvquiz.cards.lifecycle import Action, ChangeResult, change
    from cvquiz.cards.references import CardRef, resolve, resolve_many
    from cvquiz.cards.searching import (
        SearchContext,
        SearchHit,
        SearchResult,
        Selection,
        search,
        select,
    )
    from cvquiz.cards.tagging import TagResult, tag_cards
    from cvquiz.cards.template import (
        ERROR_MARK,
        TemplateCard,
        add_with_editor,
        card_template,
        parse_template,
        strip_errors,
        with_errors,
    )
    from cvquiz.cards.undoing import UndoResult, undo_last
    from cvquiz.cards.userdecks import UserDeck, bundled_deck_ids, list_user_decks, user_deck_path
    from cvquiz.cards.validation import check_compute, validate_card
    from cvquiz.errors import CardInputError, DuplicateCardError

__all__ = [
    "ERROR_MARK",
    "Action",
    "AddResult",
    "AddedCard",
    "CardDetails",
    "CardInputError",
    "CardRef",
    "ChangeResult",
    "DuplicateCardError",
    "EditResult",
    "EditTarget",
    "ImportResult",
    "Prepared",
    "Rejected",
    "ReviewInfo",
    "ScheduleInfo",
    "SearchContext",
    "SearchHit",
    "SearchResult",
    "Selection",
    "TagResult",
    "TemplateCard",
    "UndoResult",
    "UserDeck",
    "add_cards",
    "add_with_editor",
    "bundled_deck_ids",
    "card_data",
    "card_template",
    "change",
    "check_compute",
    "check_new_tag",
    "edit_card",
    "edit_file",
    "edit_target",
    "import_notes",
    "key_tag",
    "list_user_decks",
    "make_card_id",
    "parse_param",
    "parse_template",
    "prepare_cards",
    "resolve",
    "resolve_many",
    "search",
    "select",
    "show",
    "slugify",
    "strip_errors",
    "tag_cards",
    "text_data",
    "undo_last",
    "user_deck_path",
    "validate_card",
    "with_errors",
]

_HOMES = {
    "Action": "cards.lifecycle",
    "AddResult": "cards.adding",
    "AddedCard": "cards.adding",
    "CardDetails": "cards.details",
    "CardInputError": "errors",
    "CardRef": "cards.references",
    "ChangeResult": "cards.lifecycle",
    "DuplicateCardError": "errors",
    "ERROR_MARK": "cards.template",
    "EditResult": "cards.editing",
    "EditTarget": "cards.editing",
    "ImportResult": "cards.importing",
    "Prepared": "cards.adding",
    "Rejected": "cards.adding",
    "ReviewInfo": "cards.details",
    "ScheduleInfo": "cards.details",
    "SearchContext": "cards.searching",
    "SearchHit": "cards.searching",
    "SearchResult": "cards.searching",
    "Selection": "cards.searching",
    "TagResult": "cards.tagging",
    "TemplateCard": "cards.template",
    "UndoResult": "cards.undoing",
    "UserDeck": "cards.userdecks",
    "add_cards": "cards.adding",
    "add_with_editor": "cards.template",
    "bundled_deck_ids": "cards.userdecks",
    "card_data": "cards.fields",
    "check_new_tag": "cards.fields",
    "card_template": "cards.template",
    "change": "cards.lifecycle",
    "check_compute": "cards.validation",
    "edit_card": "cards.editing",
    "edit_file": "cards.editing",
    "edit_target": "cards.editing",
    "import_notes": "cards.importing",
    "key_tag": "cards.ids",
    "list_user_decks": "cards.userdecks",
    "make_card_id": "cards.ids",
    "parse_param": "cards.fields",
    "parse_template": "cards.template",
    "prepare_cards": "cards.adding",
    "resolve": "cards.references",
    "resolve_many": "cards.references",
    "search": "cards.searching",
    "select": "cards.searching",
    "show": "cards.details",
    "slugify": "cards.ids",
    "strip_errors": "cards.template",
    "tag_cards": "cards.tagging",
    "text_data": "cards.fields",
    "undo_last": "cards.undoing",
    "user_deck_path": "cards.userdecks",
    "validate_card": "cards.validation",
    "with_errors": "cards.template",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cvquiz.cards' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cvquiz.{home}"), name)
