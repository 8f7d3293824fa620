"""Translated sentences with styled parts, without rich markup in the translations.

A message is translated whole (``_("Streak: {days}")``) so that a translator can reorder it; `styled` fills its
named fields and gives some of them a style, producing a rich `Text`. Neither the message nor the values are
read as markup, so user text in a field prints as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

_TOKEN = re.compile(r"(\{\{|\}\})|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def styled(message: str, styles: dict[str, str] | None = None, /, **fields: object) -> Text:
    """Return ``message`` with its ``{name}`` fields filled in, the fields named in ``styles`` styled.

    Args:
        message: a translated message with named fields (``{{`` and ``}}`` stand for braces).
        styles: field name -> rich style (``{"days": "bold"}``).
        fields: the values of the fields (``str()`` of each is shown).

    Example:
        ``styled(_("Streak: {days}"), {"days": "bold"}, days="6 days")``
    """
    from rich.text import Text

    styles = styles or {}
    text = Text()
    position = 0
    for match in _TOKEN.finditer(message):
        text.append(message[position : match.start()])
        brace, name = match.groups()
        if brace:
            text.append(brace[0])
        else:
            text.append(str(fields[name]), style=styles.get(name, ""))
        position = match.end()
    text.append(message[position:])
    return text
