"""The language cvquiz speaks: gettext catalogs under ``cvquiz/locale/``, one active language per process.

Every string cvquiz shows a person goes through `_` (or `ngettext` when it counts something), written in English
with named ``str.format`` fields, so a translator sees the whole sentence: ``_("Suspended {card}").format(card=r)``.
The command line picks the language once, at its edge (``--lang``, ``CVQUIZ_LANG``, the ``lang`` setting, the
locale), with `set_language`; until then, and for a language without a catalog, the English text is shown.

The catalogs are ``cvquiz/locale/<lang>/LC_MESSAGES/cvquiz.po``; the ``.mo`` files beside them are compiled when
the package is built (``hatch_build.py``) or by ``python scripts/i18n.py compile`` in a checkout. Card text is
not translated here: decks carry it in both languages.
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "after_label",
    "current_language",
    "month_name",
    "ngettext",
    "set_language",
    "translate_libraries",
    "weekday_name",
]

DOMAIN = "cvquiz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")
"""The languages cvquiz speaks; English is the source language of every message."""

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def set_language(lang: str) -> None:
    """Make ``lang`` (``"zh"`` or ``"en"``) the language of every message from now on.

    A language without a compiled catalog falls back to English.
    """
    global _translations, _language
    _language = lang if lang in LANGUAGES else "en"
    if _language == "en":
        _translations = _gettext.NullTranslations()
    else:
        _translations = _gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[_language], fallback=True
        )


def translate_libraries() -> None:
    """Let click and typer speak the current language too: their usage lines, panel titles and errors.

    They translate through the standard library's ``gettext.gettext`` and ``gettext.ngettext``, which they bind
    when they are imported; from now on those look in cvquiz's catalog first (which carries click's and typer's
    messages, see ``scripts/i18n.py libraries``), then where they looked before. Call this before importing
    click or typer.
    """
    if getattr(_gettext.gettext, "_cvquiz", False):
        return
    standard_gettext, standard_ngettext = _gettext.gettext, _gettext.ngettext

    def gettext(message: str) -> str:
        translated = _translations.gettext(message)
        return translated if translated != message else standard_gettext(message)

    def ngettext(msgid1: str, msgid2: str, n: int) -> str:
        translated = _translations.ngettext(msgid1, msgid2, n)
        found = translated not in (msgid1, msgid2)
        return translated if found else standard_ngettext(msgid1, msgid2, n)

    gettext._cvquiz = True  # type: ignore[attr-defined]
    _gettext.gettext = gettext
    _gettext.ngettext = ngettext


def current_language() -> str:
    """Return the language messages are shown in (``"zh"`` or ``"en"``)."""
    return _language


def _(message: str) -> str:
    """Return ``message`` in the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the form of a counted message for ``n`` in the current language."""
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (tables built at import time)."""
    return message


def after_label(label: str) -> str:
    """Return what goes between a translated label ("Error:") and its text: a space, or nothing after a
    full-width colon ("错误："), which carries its own space."""
    return "" if label.endswith("：") else " "


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def weekday_name(day: date) -> str:
    """Return the short name of ``day``'s weekday in the current language ("Mon", "周一")."""
    return _(_WEEKDAYS[day.weekday()])


def month_name(day: date) -> str:
    """Return the short name of ``day``'s month in the current language ("Jan", "1月").

    Not ``strftime("%b")``: that follows the C locale, not the language cvquiz speaks.
    """
    return _(_MONTHS[day.month - 1])
