"""The one error hierarchy of cvquiz.

Every error a person can cause (a bad deck file, an unknown card, a bad setting, an unreadable answer) is a
`CvquizError` whose message says what is wrong and where, so the CLI can print it on one line and exit with the
error's `exit_code` instead of showing a traceback.
"""

from __future__ import annotations


class CvquizError(Exception):
    """Base class of every error cvquiz reports to a person.

    Attributes:
        exit_code: the process exit code the CLI uses for this error.
    """

    exit_code: int = 1


class DeckError(CvquizError):
    """A deck file that cannot be read or does not follow the deck format."""


class DeckProblems(DeckError):
    """Several deck problems found at once (``cvquiz check`` reports them all).

    Attributes:
        problems: each problem as one line, ``file:line:col: message``.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DuplicateCardError(DeckError):
    """The deck already has this question (or this card id)."""


class CardInputError(CvquizError):
    """A new card as typed cannot be a card: empty question, unknown type or language, and so on."""


class CollectionError(CvquizError):
    """The collection file cannot be opened, read or upgraded."""


class CollectionDamagedError(CollectionError):
    """The collection file is damaged (SQLite reports it malformed)."""


class CollectionReadOnlyError(CollectionError):
    """The collection cannot be written (a read-only file, folder or file system)."""


class FileError(CvquizError):
    """A file or folder that cannot be read or written (permission denied, disk full, a folder given...)."""


class TargetExistsError(FileError):
    """A file that was to be created exists already (two processes created it at once: try again)."""


class CardNotFoundError(CvquizError):
    """No card (or more than one card) matches what the person named."""


class ConfigError(CvquizError):
    """A setting that is unknown or out of range."""

    exit_code = 2


class UsageError(CvquizError):
    """Options that do not fit together."""

    exit_code = 2


class UndoError(CvquizError):
    """A change that cannot be undone (any more)."""


class NothingToUndoError(UndoError):
    """The undo log is empty."""
