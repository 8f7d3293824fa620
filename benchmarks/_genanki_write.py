"""The export benchmark's baseline: genanki alone writing notes whose fields are already rendered.

Reads the decks and notes a cvquiz export wrote (as JSON: deck ids, names and descriptions; each note's note
type, fields, GUID and tags) and writes them as a package with ``genanki.Package.write_to_file``, the way a
script using genanki would. Usage: ``python _genanki_write.py NOTES.json OUT.apkg TIMESTAMP``.
"""

from __future__ import annotations

import json
import sys

import genanki

from cvquiz.anki import notetypes


def main() -> None:
    source, out, timestamp = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(source, encoding="utf-8") as handle:
        data = json.load(handle)
    models = {nt.id: nt.model() for nt in notetypes.NOTE_TYPES}
    decks = []
    due = 0
    for deck_id, name, description, notes in data:
        deck = genanki.Deck(deck_id, name, description)
        for model_id, fields, guid, tags in notes:
            deck.add_note(
                genanki.Note(model=models[model_id], fields=fields, guid=guid, tags=tags, due=due)
            )
            due += 1
        decks.append(deck)
    genanki.Package(decks).write_to_file(out, timestamp=timestamp)


if __name__ == "__main__":
    main()
