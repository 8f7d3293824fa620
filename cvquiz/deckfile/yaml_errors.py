"""PyYAML's syntax errors in the user's language.

PyYAML explains a syntax error in English, as a problem ("found unexpected end of stream") and often a context
("while scanning a quoted scalar"). Both come from a small fixed set of phrases: libyaml's (the C parser cvquiz
uses) and PyYAML's own (its pure-Python parser, used where PyYAML was built without libyaml). Each known phrase
is a message of the catalog below, marked with `N_` and translated when shown; a value PyYAML puts into a
phrase (a character, a token) is kept as PyYAML wrote it. A phrase not in the table (from a newer PyYAML) is
shown in English, as PyYAML wrote it.
"""

from __future__ import annotations

import functools
import re
from string import Formatter

from cvquiz.i18n import N_, _

_PHRASES = (
    # problems: what PyYAML found
    N_("found unexpected end of stream"),
    N_("found unexpected document separator"),
    N_("found unexpected document indicator"),
    N_("could not find expected ':'"),
    N_("did not find expected key"),
    N_("mapping values are not allowed here"),
    N_("mapping values are not allowed in this context"),
    N_("mapping keys are not allowed here"),
    N_("mapping keys are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found character that cannot start any token"),
    N_("found character {char} that cannot start any token"),
    N_("found unexpected ':'"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}}'"),
    N_("expected ',' or ']', but got {found}"),
    N_("expected ',' or '}}', but got {found}"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("expected the node content, but found {found}"),
    N_("expected <block end>, but found {found}"),
    N_("did not find expected <document start>"),
    N_("expected '<document start>', but found {found}"),
    N_("found unknown escape character"),
    N_("found unknown escape character {char}"),
    N_("did not find expected hexdecimal number"),
    N_("found invalid Unicode character escape code"),
    N_("expected escape sequence of {count} hexadecimal numbers, but found {found}"),
    N_("found an indentation indicator equal to 0"),
    N_("expected indentation indicator in the range 1-9, but found 0"),
    N_("expected chomping or indentation indicators, but found {found}"),
    N_("did not find expected comment or line break"),
    N_("expected a comment or a line break, but found {found}"),
    N_("did not find expected whitespace or line break"),
    N_("did not find expected whitespace"),
    N_("did not find expected alphabetic or numeric character"),
    N_("expected alphabetic or numeric character, but found {found}"),
    N_("found unknown directive name"),
    N_("could not find expected directive name"),
    N_("found unexpected non-alphabetical character"),
    N_("did not find expected digit or '.' character"),
    N_("expected a digit or '.', but found {found}"),
    N_("expected a digit or ' ', but found {found}"),
    N_("expected a digit, but found {found}"),
    N_("expected ' ', but found {found}"),
    N_("found extremely long version number"),
    N_("found duplicate %YAML directive"),
    N_("found duplicate YAML directive"),
    N_("found duplicate %TAG directive"),
    N_("found incompatible YAML document"),
    N_("found incompatible YAML document (version 1.* is required)"),
    N_("found undefined tag handle"),
    N_("found undefined tag handle {handle}"),
    N_("did not find expected '!'"),
    N_("expected '!', but found {found}"),
    N_("did not find the expected '>'"),
    N_("expected '>', but found {found}"),
    N_("did not find expected tag URI"),
    N_("expected URI, but found {found}"),
    N_("did not find URI escaped octet"),
    N_("expected URI escape sequence of 2 hexadecimal numbers, but found {found}"),
    N_("found unhashable key"),
    # contexts: what PyYAML was reading
    N_("while scanning a quoted scalar"),
    N_("while scanning a double-quoted scalar"),
    N_("while parsing a quoted scalar"),
    N_("while scanning a plain scalar"),
    N_("while scanning a block scalar"),
    N_("while scanning a simple key"),
    N_("while scanning for the next token"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
    N_("while parsing a block node"),
    N_("while parsing a flow node"),
    N_("while parsing a node"),
    N_("while parsing a tag"),
    N_("while scanning a tag"),
    N_("while parsing a directive"),
    N_("while scanning a directive"),
    N_("while scanning a %YAML directive"),
    N_("while scanning a %TAG directive"),
    N_("while parsing a %TAG directive"),
    N_("while parsing a tag directive"),
    N_("while scanning an anchor"),
    N_("while scanning an alias"),
    N_("while constructing a mapping"),
)
"""The phrases, as catalog messages: ``{name}`` stands for a value PyYAML puts in (``'\\t'``, ``'<scalar>'``)."""

_TAG_RE = re.compile(r"could not determine a constructor for the tag (?P<tag>.+)", re.DOTALL)
_ANCHOR_WORDS = ("found undefined alias", "found duplicate anchor")


@functools.cache
def _table() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """The phrases without values (English text -> message) and a pattern for each phrase with values."""
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for message in _PHRASES:
        parts = list(Formatter().parse(message))
        if all(name is None for _text, name, _spec, _conv in parts):
            exact[message.format()] = message
            continue
        regex = "".join(
            re.escape(text) + ("" if name is None else f"(?P<{name}>.+)")
            for text, name, _spec, _conv in parts
        )
        patterns.append((re.compile(regex, re.DOTALL), message))
    return exact, tuple(patterns)


def phrase(text: str) -> str:
    """One of PyYAML's phrases in the current language (as written when it is not a known phrase)."""
    exact, patterns = _table()
    message = exact.get(text)
    if message is not None:
        return _(message).format()
    for pattern, message in patterns:
        match = pattern.fullmatch(text)
        if match is not None:
            return _(message).format(**match.groupdict())
    return text


def describe(problem: str | None, context: str | None) -> str:
    """A PyYAML error's problem and context as one line in the current language, position left out.

    An anchor or alias error says that deck files have none (what the user needs to know), and a tag PyYAML
    cannot construct says it is not allowed, rather than PyYAML's words for either.
    """
    english = f"{problem or ''} {context or ''}"
    if any(words in english for words in _ANCHOR_WORDS):
        return _("anchors and aliases (&name, *name) are not allowed in deck files")
    tag = _TAG_RE.fullmatch(problem or "")
    if tag is not None:
        return _("tag not allowed in deck files: {tag}").format(tag=tag.group("tag"))
    text = phrase(problem) if problem else _("invalid YAML")
    if context and "constructor" not in context:
        # PyYAML's order is "problem context"; a translation may put the context first.
        return _("{problem} {context}").format(problem=text, context=phrase(context))
    return text
