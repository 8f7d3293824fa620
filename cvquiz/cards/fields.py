"""A new card as typed on the command line, turned into deck-file fields.

``cvquiz add`` takes flags (``-q``, ``-a``, ``--type``, ``--param name=1..3``...); these functions turn them into
the fields a deck file holds, refusing what can never be a card. Whether the fields then make a valid card is
the loader's rules' business (`cvquiz.cards.validation`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cvquiz.errors import CardInputError, UsageError
from cvquiz.i18n import N_, _
from cvquiz.model import CardType

__all__ = ["card_data", "check_new_tag", "check_typed_text", "parse_param", "text_data"]

_PARAM_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_RANGE_RE = re.compile(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*")


_NOT_UTF8 = {
    "question": N_("the question is not UTF-8 text (is the terminal set to another encoding?)"),
    "answer": N_("the answer is not UTF-8 text (is the terminal set to another encoding?)"),
    "explanation": N_(
        "the explanation is not UTF-8 text (is the terminal set to another encoding?)"
    ),
    "tags": N_("a tag is not UTF-8 text (is the terminal set to another encoding?)"),
    "source": N_("the source is not UTF-8 text (is the terminal set to another encoding?)"),
}
"""What to say of each typed field whose bytes were not UTF-8."""


def check_typed_text(field: str, *values: str | None) -> None:
    """Refuse text typed for a card (``question``, ``answer``, ``explanation``, ``tags``, ``source``) that held
    bytes that are not UTF-8.

    Python reads such bytes from the command line and the terminal as lone surrogates, which no deck file
    can hold: they are refused here, before anything is written.

    Raises:
        CardInputError: naming the field.
    """
    for value in values:
        try:
            (value or "").encode("utf-8")
        except UnicodeEncodeError:
            raise CardInputError(_(_NOT_UTF8[field])) from None


def text_data(text: str, lang: str | None) -> str | dict[str, str]:
    """Return user-typed text in deck form: ``{lang: text}`` when the language is given, else the string.

    Raises:
        CardInputError: for a language other than zh or en.
    """
    if lang is None:
        return text
    if lang not in ("zh", "en"):
        raise CardInputError(_("unknown language {lang!r}: use zh or en").format(lang=lang))
    return {lang: text}


def parse_param(spec: str) -> tuple[str, Any]:
    """Read one ``--param`` option: ``name=1,2,3`` (choices) or ``name=1..3`` (an inclusive range).

    Values are read as YAML flow scalars (safely), so ``true``, ``0.5``, ``[3, 3]`` and ``same`` all work.

    Raises:
        UsageError: when the option is not ``name=values``.
    """
    import yaml

    name, sep, values = spec.partition("=")
    name = name.strip()
    if not sep or not _PARAM_NAME_RE.fullmatch(name) or not values.strip():
        raise UsageError(
            _("--param {spec!r}: write name=value,value or name=min..max").format(spec=spec)
        )
    bounds = _RANGE_RE.fullmatch(values)
    if bounds:
        return name, {"min": int(bounds.group(1)), "max": int(bounds.group(2))}
    unreadable = UsageError(_("--param {spec!r}: cannot read the values").format(spec=spec))
    try:
        parsed = yaml.safe_load(f"[{values}]")
    except yaml.YAMLError:
        raise unreadable from None
    if not isinstance(parsed, list) or not parsed:
        raise unreadable
    return name, parsed


def check_new_tag(tag: str) -> str:
    """Return a tag a person gives a card (``tag add``, ``add --tag``), stripped, or refuse it.

    Deck files and Anki imports may hold other characters (`cvquiz.deckfile.loader.TAG_RE`); a new tag keeps to
    letters, digits, ``_`` and ``-`` joined by ``::``, as the commands' help says, so that ``tag:TAG`` finds it.

    Raises:
        CardInputError: naming the tag.
    """
    from cvquiz.deckfile.loader import NEW_TAG_RE

    stripped = tag.strip()
    if not NEW_TAG_RE.match(stripped):
        raise CardInputError(
            _(
                "bad tag {tag!r}: letters, digits, '_' and '-' joined by '::', no spaces (and no '-' first)"
            ).format(tag=tag)
        )
    return stripped


def card_data(
    question: str | None,
    answer: str | None = None,
    *,
    card_type: str = "basic",
    tags: Sequence[str] = (),
    source: str | None = None,
    lang: str | None = None,
    explanation: str | None = None,
    generator: str | None = None,
    params: Mapping[str, Any] | None = None,
    card_id: str | None = None,
) -> dict[str, Any]:
    """Return the deck-file fields of a card typed on the command line.

    Args:
        question: the question (optional for compute cards).
        answer: the answer (optional for cloze, not for compute).
        card_type: basic, reversed, cloze or compute.
        tags: the card's tags.
        source: a URL, or None.
        lang: the language the text is in (zh/en), or None for text shown in every language.
        explanation: text shown after the answer, or None.
        generator: the compute generator's name.
        params: the narrowed parameter space (compute).
        card_id: the id to use, or None to derive one.

    Raises:
        CardInputError: for an unknown card type or language, an empty question (or answer, for basic and
            reversed cards), compute fields on another type, a tag `check_new_tag` refuses, or text
            that was not UTF-8.
    """
    try:
        kind = CardType(card_type)
    except ValueError:
        raise CardInputError(
            _("unknown card type {type!r}: use basic, reversed, cloze or compute").format(
                type=card_type
            )
        ) from None
    if kind is CardType.CODE:
        raise CardInputError(
            _(
                "a code card needs a starter, a judge and a model solution: write it in a deck file "
                "(docs/deck-format.md); add makes basic, reversed, cloze or compute cards"
            )
        )
    check_typed_text("question", question)
    check_typed_text("answer", answer)
    check_typed_text("explanation", explanation)
    check_typed_text("tags", *tags)
    check_typed_text("source", source)
    data: dict[str, Any] = {"type": kind.value}
    if card_id is not None:
        data["id"] = card_id
    question = question.strip() if question is not None else None
    if kind is not CardType.COMPUTE and not question:
        raise CardInputError(_("the question is empty"))
    if question:
        data["question"] = text_data(question, lang)
    answer = answer.strip() if answer is not None else None
    if answer:
        data["answer"] = text_data(answer, lang)
    elif kind in (CardType.BASIC, CardType.REVERSED):
        raise CardInputError(_("the answer is empty (give -a TEXT, or -a - to read it from stdin)"))
    if explanation and explanation.strip():
        data["explanation"] = text_data(explanation.strip(), lang)
    if tags:
        data["tags"] = list(dict.fromkeys(check_new_tag(t) for t in tags))
    if source:
        data["source"] = source.strip()
    if kind is CardType.COMPUTE:
        if not generator:
            raise CardInputError(_("a compute card needs --generator NAME"))
        data["generator"] = generator
        if params:
            data["params"] = dict(params)
    elif generator or params:
        raise CardInputError(_("--generator and --param are for compute cards (--type compute)"))
    return data
