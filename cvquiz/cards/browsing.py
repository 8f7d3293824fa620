"""``cvquiz browse``: the card browser's state — the query, its hits, the cursor, marked cards — free of terminal code.

A `Browser` runs a search and lets a person move through the hits, refine the query, mark cards and act on
them (suspend, unsuspend, bury, forget, tag, undo), each action being the same undoable change the bulk commands
make. After every change the query runs again, so the rows show the collection as it now is. The terminal
front end (`cvquiz.cli.browser`) only reads keys and draws this state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cvquiz.cards.details import CardDetails, show
from cvquiz.cards.lifecycle import ChangeResult, change
from cvquiz.cards.searching import SearchContext, SearchHit, Selection, search
from cvquiz.cards.tagging import TagResult, tag_cards
from cvquiz.cards.undoing import UndoResult, undo_last

if TYPE_CHECKING:
    from pathlib import Path

    from cvquiz.collection import Collection

__all__ = ["Browser"]


@dataclass
class Browser:
    """The state of a card browser.

    Attributes:
        col: the collection.
        ctx: now, the rollover hour and the FSRS decay.
        query: the query the rows come from.
        hits: the rows.
        cursor: the row the cursor is on.
        top: the first row on screen.
        marked: the cards marked for an action (``deck/id``); when none is, actions apply to the cursor's card.
        decks_dir: the user's decks folder, locked while a tag change or its undo writes deck files.
    """

    col: Collection
    ctx: SearchContext
    query: str = ""
    hits: tuple[SearchHit, ...] = ()
    cursor: int = 0
    top: int = 0
    marked: set[str] = field(default_factory=set)
    decks_dir: Path | None = None

    def run(self, query: str | None = None) -> None:
        """Run a query (the current one when None) and keep the cursor on the same card where it can.

        Raises:
            QuerySyntaxError, UnknownFilterError: for a query that cannot be run; the rows stay as they were.
        """
        text = self.query if query is None else query
        current = self.current.ref if self.current is not None else None
        hits = search(self.col, text, self.ctx).hits
        self.query, self.hits = text, hits
        refs = [h.ref for h in hits]
        if query is not None:
            self.marked.clear()
            self.cursor = self.top = 0
        elif current in refs:
            self.cursor = refs.index(current)
        self.marked &= set(refs)
        self.cursor = max(0, min(self.cursor, len(hits) - 1))

    @property
    def current(self) -> SearchHit | None:
        """The card under the cursor, or None when there are no rows."""
        return self.hits[self.cursor] if 0 <= self.cursor < len(self.hits) else None

    def move(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows (clamped to the rows there are)."""
        if self.hits:
            self.cursor = max(0, min(self.cursor + delta, len(self.hits) - 1))

    def home(self) -> None:
        """Move to the first row."""
        self.cursor = 0

    def end(self) -> None:
        """Move to the last row."""
        self.cursor = max(len(self.hits) - 1, 0)

    def window(self, height: int) -> range:
        """The rows to draw in ``height`` lines, scrolled so that the cursor is on screen."""
        height = max(height, 1)
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(len(self.hits) - height, 0)))
        return range(self.top, min(self.top + height, len(self.hits)))

    def toggle_mark(self) -> None:
        """Mark the cursor's card, or unmark it, and move down a row."""
        hit = self.current
        if hit is None:
            return
        self.marked ^= {hit.ref}
        self.move(1)

    def mark_all(self) -> None:
        """Mark every row; when all are marked already, unmark them."""
        refs = {h.ref for h in self.hits}
        self.marked = set() if refs and self.marked >= refs else refs

    def targets(self) -> Selection | None:
        """What an action applies to: the marked cards, else the cursor's card (None when no rows)."""
        chosen = [h for h in self.hits if h.ref in self.marked] or (
            [self.current] if self.current is not None else []
        )
        if not chosen:
            return None
        label = (
            self.query
            if self.marked and len(chosen) == len(self.hits)
            else " ".join(h.ref for h in chosen)
        )
        return Selection(
            label=label or "*",
            by_query=False,
            refs=tuple(h.ref for h in chosen),
            pks=tuple(pk for h in chosen for pk in h.pks),
            hits=tuple(chosen),
        )

    def act(self, action: str) -> ChangeResult | None:
        """Suspend, unsuspend, bury or forget the targets (one undoable change), then refresh the rows."""
        chosen = self.targets()
        if chosen is None:
            return None
        result = change(self.col, action, chosen, self.ctx.now, self.ctx.rollover_hour)
        self.run()
        return result

    def tag(self, op: str, tag: str) -> TagResult | None:
        """Add a tag to the targets or remove it (one undoable change), then refresh the rows."""
        chosen = self.targets()
        if chosen is None:
            return None
        result = tag_cards(self.col, op, tag, chosen, self.ctx.now, self.decks_dir)
        self.run()
        return result

    def undo(self) -> UndoResult:
        """Take back the last change to the collection (whatever made it), then refresh the rows."""
        result = undo_last(self.col, self.decks_dir)
        self.run()
        return result

    def details(self) -> CardDetails | None:
        """The cursor's card in full (``cvquiz show``), or None when there are no rows."""
        hit = self.current
        return None if hit is None else show(self.col, hit.ref)
