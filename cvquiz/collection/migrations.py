"""The collection's schema, as append-only numbered migrations (sqlite-utils ``Migrations``).

Every migration runs when a collection is opened, so a newer cvquiz opens an older collection without loss.
Never edit a migration after it has been released: add ``m00N_...`` instead. docs/schema.md is generated from
these (``python scripts/gen_docs.py``).
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("cvquiz")


@migrations()
def m001_initial(db: Database) -> None:
    """Decks, their files, cards, scheduling state and the append-only review log."""
    # One statement at a time: executescript would commit the migration's transaction early.
    for statement in _M001.split(";"):
        if statement.strip():
            db.execute(statement)


_M001 = """
        CREATE TABLE decks (
            id TEXT PRIMARY KEY,            -- the stable deck id from the file
            name TEXT NOT NULL,             -- display name, '::' nests
            description TEXT,               -- JSON {zh, en} or NULL
            tags TEXT NOT NULL DEFAULT '[]',-- JSON list
            path TEXT,                      -- the deck file
            bundled INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,  -- 0 once its file is gone (history kept)
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE deck_files (
            path TEXT PRIMARY KEY,
            mtime_ns INTEGER NOT NULL,
            size INTEGER NOT NULL,
            digest TEXT NOT NULL,           -- sha256 of the bytes
            deck_id TEXT NOT NULL
        );
        CREATE TABLE cards (
            pk INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL REFERENCES decks(id),
            card_id TEXT NOT NULL,          -- stable id within the deck
            ord INTEGER NOT NULL,           -- 0 front, 1 reverse, N for cloze cN
            type TEXT NOT NULL,
            content TEXT NOT NULL,          -- JSON of the deck entry
            content_hash TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '',  -- ' tag1 tag2 ' for LIKE '% tag %'
            line INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0,  -- order of new cards: deck position, then file order
            active INTEGER NOT NULL DEFAULT 1,    -- 0 when removed from its file (history kept)
            added_at INTEGER NOT NULL,      -- ms since the epoch
            modified_at INTEGER NOT NULL,   -- last content change, ms since the epoch
            UNIQUE (deck_id, card_id, ord)
        );
        CREATE TABLE schedule (
            card_pk INTEGER PRIMARY KEY REFERENCES cards(pk),
            state INTEGER NOT NULL DEFAULT 0,     -- 0 new, 1 learning, 2 review, 3 relearning
            step INTEGER,                   -- learning step (py-fsrs)
            stability REAL,
            difficulty REAL,
            due INTEGER,                    -- ms since the epoch, NULL while new
            last_review INTEGER,            -- ms since the epoch
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,              -- study day (ISO date) the card comes back, or NULL
            leech INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX schedule_due ON schedule (state, due);
        CREATE INDEX cards_deck ON cards (deck_id, card_id);
        CREATE INDEX cards_position ON cards (active, position);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_pk INTEGER NOT NULL REFERENCES cards(pk),
            reviewed_at INTEGER NOT NULL,   -- ms since the epoch
            study_day TEXT NOT NULL,        -- ISO date of the study day (rollover applied)
            rating INTEGER NOT NULL,        -- 1 again, 2 hard, 3 good, 4 easy
            duration_ms INTEGER,            -- time spent on the card
            answer TEXT,                    -- what the user typed (compute cards)
            correct INTEGER,                -- the engine's verdict (compute cards)
            seed INTEGER,                   -- the compute instance's seed
            state_before INTEGER NOT NULL,
            state_after INTEGER NOT NULL,
            before TEXT NOT NULL,           -- JSON of the schedule row before
            after TEXT NOT NULL             -- JSON of the schedule row after
        );
        CREATE INDEX reviews_card ON reviews (card_pk, reviewed_at);
        CREATE INDEX reviews_day ON reviews (study_day);
        CREATE INDEX reviews_time ON reviews (reviewed_at);
"""


@migrations()
def m002_due_day(db: Database) -> None:
    """The study day each card falls due on, indexed, so daily queues and forecasts are DST-proof.

    Review intervals are whole days counted from the study day of the last review; a due *instant* alone
    would move across the rollover hour when daylight saving time starts or ends. Rows already reviewed are
    filled in with the default rollover hour (04:00).
    """
    from cvquiz.cardstate import SchedState, due_day  # (defined in cvquiz.scheduler until 0.2)
    from cvquiz.clock import DEFAULT_ROLLOVER_HOUR

    db.execute("ALTER TABLE schedule ADD COLUMN due_day TEXT")  # ISO date; NULL while new
    rows = db.execute(
        "SELECT card_pk, state, step, stability, difficulty, due, last_review FROM schedule"
        " WHERE due IS NOT NULL"
    ).fetchall()
    updates = []
    for pk, *values in rows:
        names = ("state", "step", "stability", "difficulty", "due", "last_review")
        day = due_day(
            SchedState.from_row(dict(zip(names, values, strict=True))), DEFAULT_ROLLOVER_HOUR
        )
        updates.append((None if day is None else day.isoformat(), pk))
    db.conn.executemany("UPDATE schedule SET due_day = ? WHERE card_pk = ?", updates)
    db.execute("CREATE INDEX schedule_due_day ON schedule (state, due_day)")


@migrations()
def m003_covering_indexes(db: Database) -> None:
    """Covering indexes, so ``cvquiz status`` reads index pages only on a collection of any size.

    The 30-day retention reads (study_day, state_before, rating) of every recent review; the retention
    estimate reads (stability, last_review) of every review card; the forecast reads (state, due_day,
    suspended). The new indexes start with the old ones' columns and replace them.
    """
    # one statement at a time: executescript would commit the migration's transaction early
    for statement in (
        "DROP INDEX reviews_day",
        "CREATE INDEX reviews_day_rating ON reviews (study_day, state_before, rating)",
        "DROP INDEX schedule_due_day",
        "CREATE INDEX schedule_due_day_memory"
        " ON schedule (state, due_day, suspended, stability, last_review)",
    ):
        db.execute(statement)


@migrations()
def m004_reviews_by_day_and_card(db: Database) -> None:
    """Extend the review log's day index with the card and the verdict, so ``cvquiz stats`` reads no review row.

    The period figures of stats (again-rates per deck and tag, compute-card accuracy) need each recent review's
    card and engine verdict. ``reviews(study_day, state_before, rating)`` gains ``card_pk`` and ``correct``;
    the columns it had stay its prefix, so the queries it served are still answered from the index alone.
    """
    for statement in (
        "DROP INDEX reviews_day_rating",
        "CREATE INDEX reviews_day_card ON reviews (study_day, state_before, rating, card_pk, correct)",
    ):
        db.execute(statement)


@migrations()
def m005_code_attempts(db: Database) -> None:
    """Every attempt at a code card: the code, the judge's verdict and when, so ``cvquiz show`` lists them.

    Attempts are kept apart from the review log: a review may take several attempts (a failed one, then a fix),
    and ``cvquiz try`` judges a file outside any review. Stats count them by study day, card and failure kind.
    """
    for statement in (
        """
        CREATE TABLE code_attempts (
            id INTEGER PRIMARY KEY,
            card_pk INTEGER NOT NULL REFERENCES cards(pk),
            attempted_at INTEGER NOT NULL,  -- ms since the epoch
            study_day TEXT NOT NULL,        -- ISO date of the study day (rollover applied)
            source TEXT NOT NULL,           -- 'drill' or 'try'
            code TEXT NOT NULL,             -- the submission, as judged
            passed INTEGER NOT NULL,        -- 1 when every case passed
            cases INTEGER NOT NULL,         -- cases in the card's set
            failed INTEGER NOT NULL,        -- cases that failed
            kind TEXT,                      -- why it failed: shape, tolerance, timeout, exception...; NULL if passed
            summary TEXT NOT NULL,          -- the one-line verdict, as shown
            seconds REAL NOT NULL           -- how long judging took
        )
        """,
        "CREATE INDEX code_attempts_card ON code_attempts (card_pk, attempted_at)",
        "CREATE INDEX code_attempts_day ON code_attempts (study_day, card_pk, passed, kind)",
    ):
        db.execute(statement)


@migrations()
def m006_anki_note_cache(db: Database) -> None:
    """A cache of the Anki notes each deck entry was rendered into, so a second export renders only what changed.

    One row per deck entry, language and compute instance: ``source`` says what it was rendered from (the
    card's content hash and the renderer's fingerprint); the note's type, GUID, tags, fields and cards are
    kept in Anki's own forms (space-separated tags, fields joined by U+001F). It is derived data: a backup
    leaves it out, and emptying it only makes the next export slower.
    """
    db.execute(
        """CREATE TABLE anki_note_cache (
               deck_id TEXT NOT NULL,
               card_id TEXT NOT NULL,
               lang TEXT NOT NULL,
               instance INTEGER NOT NULL,
               source TEXT NOT NULL,
               note_type INTEGER NOT NULL,
               guid TEXT NOT NULL,
               tags TEXT NOT NULL,
               fields TEXT NOT NULL,
               ords TEXT NOT NULL,
               PRIMARY KEY (deck_id, card_id, lang, instance)
           ) WITHOUT ROWID"""
    )


@migrations()
def m007_practice_deck_ids(db: Database) -> None:
    """The bundled practice decks move under one parent: ``practice-conv`` becomes ``practice/conv``, and so on.

    Their cards, schedules and review history move with them (cards are keyed by deck id), so a collection
    that studied them keeps every review. A deck already present under the new id is left as it is.
    """
    from cvquiz.model import FORMER_DECK_IDS

    for new, old in FORMER_DECK_IDS.items():
        if db.execute("SELECT 1 FROM decks WHERE id = ?", [new]).fetchone():
            continue
        if not db.execute("SELECT 1 FROM decks WHERE id = ?", [old]).fetchone():
            continue
        # cards reference decks(id): copy the deck row under the new id, move the cards, drop the old row
        db.execute(
            """INSERT INTO decks (id, name, description, tags, path, bundled, active, position)
               SELECT ?, name, description, tags, path, bundled, active, position FROM decks WHERE id = ?""",
            [new, old],
        )
        db.execute("UPDATE cards SET deck_id = ? WHERE deck_id = ?", [new, old])
        db.execute("UPDATE deck_files SET deck_id = ? WHERE deck_id = ?", [new, old])
        db.execute("DELETE FROM decks WHERE id = ?", [old])


@migrations()
def m008_cram_reviews(db: Database) -> None:
    """Cram reviews: the review log marks reviews that left the schedule as it was (``drill --cram``).

    Statistics and the optimizer leave them out; the day index gains the flag, so they still read no review row.
    """
    for statement in (
        "ALTER TABLE reviews ADD COLUMN cram INTEGER NOT NULL DEFAULT 0",
        "DROP INDEX reviews_day_card",
        "CREATE INDEX reviews_day_card"
        " ON reviews (study_day, state_before, rating, card_pk, correct, cram)",
    ):
        db.execute(statement)


_CARD_TEXT = """(SELECT group_concat(value, char(10)) FROM json_tree({content})
                 WHERE type = 'text'
                   AND ((path = '$' AND key IN ('question', 'answer', 'explanation', 'generator'))
                        OR path IN ('$.question', '$.answer', '$.explanation')))"""
"""The searchable text of a card's content: question, answer and explanation in every language, and a compute
card's generator name, one per line."""


@migrations()
def m009_card_text_index(db: Database) -> None:
    """A full-text index of every card's text in both languages, kept in step with ``cards`` by triggers.

    ``card_text`` holds, under each review card's key, its question, answer and explanation (Chinese and
    English) and a compute card's generator name. It is an FTS5 table with the ``trigram`` tokenizer, so any
    run of three or more characters is found through the index in any script, Chinese included, in any case;
    ``cvquiz search`` scans it for shorter text. Where SQLite lacks FTS5 or the trigram tokenizer, it is a plain
    table and every search scans it. Triggers on ``cards`` keep it in step, whoever writes the cards (deck sync,
    a restore, an import).
    """
    try:
        db.execute("CREATE VIRTUAL TABLE card_text USING fts5(text, tokenize = 'trigram')")
    except sqlite3.OperationalError:  # no FTS5, or a SQLite before 3.34 (no trigram tokenizer)
        db.execute("CREATE TABLE card_text (rowid INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    new_text = _CARD_TEXT.format(content="new.content")
    for statement in (
        f"""CREATE TRIGGER card_text_insert AFTER INSERT ON cards BEGIN
                INSERT INTO card_text (rowid, text) VALUES (new.pk, coalesce({new_text}, ''));
            END""",
        f"""CREATE TRIGGER card_text_update AFTER UPDATE OF content ON cards
            WHEN old.content IS NOT new.content BEGIN
                DELETE FROM card_text WHERE rowid = old.pk;
                INSERT INTO card_text (rowid, text) VALUES (new.pk, coalesce({new_text}, ''));
            END""",
        """CREATE TRIGGER card_text_delete AFTER DELETE ON cards BEGIN
                DELETE FROM card_text WHERE rowid = old.pk;
            END""",
        f"""INSERT INTO card_text (rowid, text)
            SELECT pk, coalesce({_CARD_TEXT.format(content="content")}, '') FROM cards""",
    ):
        db.execute(statement)


@migrations()
def m010_undo_log_and_collection_tags(db: Database) -> None:
    """The undo log (every change, newest last, with what undoing it writes back) and tags kept in the collection.

    ``undo_log`` gets one row per change a person makes (a rating, a suspend, a bury, a forget, a tag change) in
    the change's own transaction; ``cvquiz undo`` takes back the newest. ``local_tags`` holds the tags added to
    (``added = 1``) or removed from (``added = 0``) cards of bundled decks, whose files cvquiz never writes;
    deck sync applies them on top of the file's tags.
    """
    for statement in (
        """
        CREATE TABLE undo_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so a change id names one change
            op TEXT NOT NULL,               -- review, suspend, unsuspend, forget, bury, tag-add, tag-remove
            made_at INTEGER NOT NULL,       -- ms since the epoch
            cards INTEGER NOT NULL,         -- review cards changed
            label TEXT NOT NULL DEFAULT '', -- what it was applied to, as written (query, references)
            restore TEXT NOT NULL           -- JSON: what undoing it writes back
        )
        """,
        """
        CREATE TABLE local_tags (
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            added INTEGER NOT NULL,         -- 1 added in the collection, 0 removed there
            PRIMARY KEY (deck_id, card_id, tag)
        )
        """,
    ):
        db.execute(statement)


@migrations()
def m011_vet_compute_cards(db: Database) -> None:
    """Every deck file is read again on the next sync, which now leaves out compute cards that cannot be studied.

    Earlier versions synced a compute card with an unknown generator or parameters that draw no problem, and
    every drill that reached it stopped. Forgetting the files' fingerprints makes the next sync vet every
    compute card (a card left out is retired, its history kept, and comes back once it is fixed).
    """
    db.execute("UPDATE deck_files SET mtime_ns = -1, digest = ''")


@migrations()
def m012_deck_entries(db: Database) -> None:
    """Each deck keeps the number of its entries (cards as written), which ``cvquiz decks`` shows.

    Counting distinct card ids over every card took ``decks`` most of its time on a large collection; sync now
    stores the count whenever it writes a deck.
    """
    db.execute("ALTER TABLE decks ADD COLUMN entries INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """UPDATE decks SET entries = (SELECT COUNT(DISTINCT c.card_id) FROM cards c
                                       WHERE c.deck_id = decks.id AND c.active = 1)"""
    )


@migrations()
def m013_deck_tally(db: Database) -> None:
    """Each deck's counts kept by the collection itself (``deck_tally``), so ``cvquiz decks`` reads a few rows.

    A row per deck and review day: the live cards (active, with a schedule row) whose review is due that day,
    or with ``day = ''`` the others, counted as study cards, new (not suspended), suspended and review cards
    (not suspended). Triggers on ``schedule`` and ``cards`` keep it equal to counting the cards, whatever
    writes them (sync, reviews, bulk actions, undo, merges, restores): each subtracts a changed card's old
    contribution and adds its new one, and drops rows that fall to zero. Counting every card took ``decks``
    tens of milliseconds on a large collection; "due today" now sums the review days up to today and adds the
    few learning cards, less the few buried ones (a partial index finds them).
    """
    db.execute(
        """CREATE TABLE deck_tally (
            deck_id TEXT NOT NULL,
            day TEXT NOT NULL,              -- review day (ISO date) of due review cards, '' for the rest
            study INTEGER NOT NULL,         -- live study cards
            new INTEGER NOT NULL,           -- of which new and not suspended
            suspended INTEGER NOT NULL,     -- of which suspended
            review INTEGER NOT NULL,        -- of which review cards, not suspended (due on ``day``)
            PRIMARY KEY (deck_id, day)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """INSERT INTO deck_tally (deck_id, day, study, new, suspended, review)
           SELECT c.deck_id, """
        + _m013_day("s")
        + """, COUNT(*), SUM(s.state = 0 AND s.suspended = 0), SUM(s.suspended != 0),
                  SUM(s.state = 2 AND s.suspended = 0)
           FROM cards c JOIN schedule s ON s.card_pk = c.pk WHERE c.active = 1
           GROUP BY 1, 2"""
    )
    schedule_card = "cards c WHERE c.pk = {row}.card_pk AND c.active = 1"
    card_schedule = "schedule s WHERE s.card_pk = {row}.pk"
    for name, event, when, body in (
        (
            "tally_schedule_insert",
            "INSERT",
            None,
            [_m013_add(1, "c.deck_id", "NEW", schedule_card)],
        ),
        ("tally_schedule_delete", "DELETE", None, _m013_remove("c.deck_id", "OLD", schedule_card)),
        (
            "tally_schedule_update",
            "UPDATE OF card_pk, state, suspended, due_day",
            "OLD.card_pk IS NOT NEW.card_pk OR OLD.state IS NOT NEW.state"
            " OR OLD.suspended IS NOT NEW.suspended OR OLD.due_day IS NOT NEW.due_day",
            [
                *_m013_remove("c.deck_id", "OLD", schedule_card),
                _m013_add(1, "c.deck_id", "NEW", schedule_card),
            ],
        ),
        (
            "tally_cards_insert",
            "INSERT",
            "NEW.active = 1",
            [_m013_add(1, "NEW.deck_id", "s", card_schedule, "NEW")],
        ),
        (
            "tally_cards_delete",
            "DELETE",
            "OLD.active = 1",
            _m013_remove("OLD.deck_id", "s", card_schedule, "OLD"),
        ),
        (
            "tally_cards_update",
            "UPDATE OF pk, deck_id, active",
            "OLD.pk IS NOT NEW.pk OR OLD.deck_id IS NOT NEW.deck_id OR OLD.active IS NOT NEW.active",
            [
                *_m013_remove("OLD.deck_id", "s", card_schedule + " AND OLD.active = 1", "OLD"),
                _m013_add(1, "NEW.deck_id", "s", card_schedule + " AND NEW.active = 1", "NEW"),
            ],
        ),
    ):
        table = "schedule" if name.startswith("tally_schedule") else "cards"
        statements = "".join(f"{statement};\n" for statement in body)
        condition = f" WHEN {when}" if when else ""
        db.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition} BEGIN\n{statements}END"
        )
    db.execute(
        "CREATE INDEX schedule_buried ON schedule (buried_until) WHERE buried_until IS NOT NULL"
    )


def _m013_day(s: str) -> str:
    """The tally row of a schedule row ``s``: its review day when it is a review card not suspended, else ''."""
    return (
        f"CASE WHEN {s}.state = 2 AND {s}.suspended = 0 THEN COALESCE({s}.due_day, '') ELSE '' END"
    )


def _m013_add(sign: int, deck: str, s: str, source: str, row: str | None = None) -> str:
    """Add (sign 1) or subtract (-1) the contribution of schedule row ``s`` of a card of ``deck`` to the tally."""
    source = source.format(row=row or s)
    return f"""INSERT INTO deck_tally (deck_id, day, study, new, suspended, review)
        SELECT {deck}, {_m013_day(s)}, {sign}, {sign} * ({s}.state = 0 AND {s}.suspended = 0),
               {sign} * ({s}.suspended != 0), {sign} * ({s}.state = 2 AND {s}.suspended = 0)
        FROM {source}
        ON CONFLICT (deck_id, day) DO UPDATE SET study = study + excluded.study, new = new + excluded.new,
            suspended = suspended + excluded.suspended, review = review + excluded.review"""


def _m013_remove(deck: str, s: str, source: str, row: str | None = None) -> list[str]:
    """Subtract a contribution (`_m013_add`), then drop the tally row if no card is left in it."""
    where = source.format(row=row or s)
    return [
        _m013_add(-1, deck, s, source, row),
        f"""DELETE FROM deck_tally WHERE study = 0
            AND (deck_id, day) IN (SELECT {deck}, {_m013_day(s)} FROM {where})""",
    ]
