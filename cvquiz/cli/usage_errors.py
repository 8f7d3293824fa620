"""Usage errors (an unknown option, a missing argument...) in the user's language.

Typer's own parser writes these sentences in English, without gettext, so they cannot be looked up in a catalog
as they are. `translate` recognises each sentence typer writes and puts its translation in its place; a sentence
it does not know stays as typer wrote it.
"""

from __future__ import annotations

import re
from typing import Any

import typer

from cvquiz.i18n import N_, _

UsageError: type[Exception] = next(
    kind for kind in typer.BadParameter.__mro__ if kind.__name__ == "UsageError"
)
"""The base class of typer's usage errors (typer's own copy of click's, or click's)."""

_NAME = r"(?P<name>'[^']*'(?: / '[^']*')*|\S+)"  # click names an option by all its names: '--out' / '-o'
_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + r"\Z", re.DOTALL), message)
    for pattern, message in (
        (
            rf"No such option: {_NAME} \(Possible options: (?P<options>.+)\)",
            N_("No such option: {name} (did you mean {options}?)"),
        ),
        (rf"No such option: {_NAME}", N_("No such option: {name}")),
        (
            r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<args>.*)\)",
            N_("Unexpected extra arguments: {args}"),
        ),
        (rf"Missing argument {_NAME}\.(?: (?P<more>.*))?", N_("Missing argument {name}.")),
        (rf"Missing option {_NAME}\.(?: (?P<more>.*))?", N_("Missing option {name}.")),
        (rf"Missing parameter {_NAME}\.(?: (?P<more>.*))?", N_("Missing parameter {name}.")),
        (rf"Option {_NAME} requires an argument\.", N_("Option {name} needs a value.")),
        (rf"Option {_NAME} requires (?P<n>\d+) arguments\.", N_("Option {name} needs {n} values.")),
        (rf"Option {_NAME} does not take a value\.", N_("Option {name} does not take a value.")),
        (rf"Argument {_NAME} takes (?P<n>\d+) values\.", N_("Argument {name} takes {n} values.")),
        (
            r"Invalid value for (?P<hint>.+?): (?P<message>.*)",
            N_("Invalid value for {hint}: {message}"),
        ),
        (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
        # typer appends this to a message of its own (already in the user's language, its full stop dropped)
        (
            r"(?P<message>.+?)\.? Did you mean (?P<suggestions>.+)\?",
            N_("{message}. Did you mean {suggestions}?"),
        ),
    )
)


def translated(sentence: str) -> str:
    """Return typer's English ``sentence`` in the current language (unchanged when it is not one we know)."""
    for pattern, message in _SENTENCES:
        match = pattern.match(sentence)
        if match is None:
            continue
        fields = match.groupdict()
        more = fields.pop("more", None)
        text = _(message).format(**fields)
        return f"{text} {more}" if more else text
    return sentence


def translate(error: Any) -> None:
    """Make the usage ``error`` print its message in the current language."""
    sentence = error.format_message()
    error.format_message = lambda: translated(sentence)
