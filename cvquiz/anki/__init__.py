"""Anki interop: export to .apkg and plain text, import of Anki text exports and CSV."""
