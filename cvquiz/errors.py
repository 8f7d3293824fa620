"""The one error hierarchy of cvquiz.

Every error a person can cause (a bad deck file, an unknown card, a bad setting, an unreadable answer) is a
`CvquizError` whose message says what is wrong and where, so the CLI can print it on one line and exit with the
error's `exit_code` instead of showing a traceback.

A message is either text already in the person's language (``CvquizError(_("...").format(...))``, where the code
may import `cvquiz.i18n`) or a *template with fields*, translated only where it is shown: code that must not
depend on the language (the reference engine) raises ``EngineError(N_("{name} must be positive, got {value}"),
name=name, value=value)``; ``str(error)`` is the English text, and `CvquizError.localized` gives the text in the
current language at the CLI's boundary. `N_` marks the template for ``scripts/i18n.py extract``.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Mark a message template for translation without translating it (translated when the error is shown)."""
    return message


class Phrase(str):
    """A word inside an error message that is translated with it (an axis: ``Phrase(N_("height"))``).

    It is a `str`, so ``str(error)`` reads as before; `CvquizError.localized` translates it too.
    """

    __slots__ = ()


class CvquizError(Exception):
    """Base class of every error cvquiz reports to a person.

    ``CvquizError(message)`` carries a finished message; ``CvquizError(template, **fields)`` a ``str.format``
    template and its fields, so the message can be shown in another language than English (`localized`).

    Attributes:
        exit_code: the process exit code the CLI uses for this error.
        template: the message as written in the source (the English template), or None when there is none.
        fields: the values of the template's fields (empty for a finished message).
    """

    exit_code: int = 1

    def __init__(self, *args: object, **fields: object) -> None:
        template = args[0] if len(args) == 1 and isinstance(args[0], str) else None
        if fields:
            if template is None:
                raise TypeError("fields need one message template")
            super().__init__(template.format(**fields))
        else:
            super().__init__(*args)
        self.template = template
        self.fields = fields

    def localized(self, translate: Callable[[str], str]) -> str:
        """Return the message in the language of ``translate`` (``cvquiz.i18n._`` at the CLI's boundary).

        The template is translated, then its fields are filled in as written, except a field that is itself a
        cvquiz error (its message is localized too) or a `Phrase` (translated). A message without a template,
        or a translation that does not fit its fields, gives ``str(self)``.
        """
        if not self.template:
            return str(self)
        text = translate(self.template)
        if not self.fields:
            return text
        values = {name: _localized(value, translate) for name, value in self.fields.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            return str(self)


def _localized(value: object, translate: Callable[[str], str]) -> object:
    if isinstance(value, CvquizError):
        return value.localized(translate)
    if isinstance(value, Phrase):
        return translate(value)
    return value


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


class CollectionBusyError(CollectionError):
    """The collection's write lock stayed with another cvquiz for longer than the busy timeout."""


class CollectionReadOnlyError(CollectionError):
    """The collection cannot be written (a read-only file, folder or file system)."""


class FileError(CvquizError):
    """A file or folder that cannot be read or written (permission denied, disk full, a folder given...)."""


class UnreadableFileError(FileError):
    """A file a person named that cannot be read, is not a regular file where one is needed, or is larger than
    cvquiz reads.

    Attributes:
        path: the file, as named.
        reason: what is wrong, in a few words (the message without the file's name).
        os_error: what the system raised when it refused to read the file, else None.
    """

    def __init__(self, path: object, reason: str, os_error: OSError | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.os_error = os_error


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
