"""cvquiz: flashcards, compute drills and FSRS spaced repetition for CV and deep-learning interviews."""

from __future__ import annotations

__version__ = "0.1.0"
