"""The four Anki note types cvquiz exports: fixed ids, fields, card templates and one stylesheet.

Anki recognises a note type by its id. These ids were drawn at random once and are written here for good:
every export from every machine uses them, so a second import finds the note types it already has.

RULES FOR CHANGING A NOTE TYPE (read before editing):

* Changing a note type's *fields* or *number of templates* changes its shape, and Anki refuses to update
  notes whose note type changed shape (it would import them as a copy of the note type). Such a change needs a
  **new model id** (draw a new random number in [2**30, 2**31)) and a new name suffix; never reuse an old id.
* Changing only the templates' HTML or the CSS keeps the id, but bump `TEMPLATES_MODIFIED` to the time of the
  change (seconds since the epoch): Anki takes a note type's templates from a package only when the package's
  are newer than its own, so a user's own CSS tweaks in Anki survive every export until cvquiz ships new ones.

The stylesheet reads well in light and dark mode (Anki adds ``.nightMode`` to the card) and with CJK text
(CJK fonts in the stack, ``lang`` on bilingual blocks, no justification, long words broken).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import genanki

__all__ = [
    "BASIC",
    "CLOZE",
    "COMPUTE",
    "CSS",
    "NOTE_TYPES",
    "REVERSED",
    "TEMPLATES_MODIFIED",
    "NoteType",
]

TEMPLATES_MODIFIED = 1_772_323_200
"""When the templates or CSS below last changed (2026-03-01 00:00 UTC); bump it with every such change."""

CSS = """\
.card {
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --rule: #d1d9e0; --code-bg: #f2f4f7;
  --accent: #0969da; --answer: #1a7f37;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    sans-serif;
  font-size: 20px; line-height: 1.6; text-align: left; color: var(--fg); background: var(--bg);
  overflow-wrap: break-word;
}
.card.nightMode, .nightMode .card {
  --fg: #e6edf3; --muted: #9198a1; --bg: #1f2125; --rule: #3d444d; --code-bg: #2b2f36;
  --accent: #58a6ff; --answer: #56d364;
}
.cvquiz { max-width: 42em; margin: 0 auto; }
[lang="zh"] { line-height: 1.75; }
[lang="zh"] + [lang="en"] { margin-top: .6em; color: var(--muted); }
p { margin: .4em 0; }
hr#answer { border: none; border-top: 1px solid var(--rule); margin: 1em 0; }
code, pre { font-family: "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .85em; }
code { background: var(--code-bg); border-radius: 4px; padding: .1em .3em; }
pre { background: var(--code-bg); border-radius: 6px; padding: .6em .8em; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid var(--rule); padding: .2em .6em; }
a { color: var(--accent); }
.cloze { font-weight: bold; color: var(--accent); }
.answer { font-size: 1.2em; font-weight: bold; color: var(--answer); }
.explanation, .solution { margin-top: 1em; }
.source, .meta { margin-top: 1em; font-size: .75em; color: var(--muted); }
"""

_EXPLANATION = "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}"
_SOURCE = "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"


def _wrap(body: str) -> str:
    return f"<div class=cvquiz>{body}</div>"


@dataclass(frozen=True)
class NoteType:
    """One exported note type.

    Attributes:
        id: its fixed Anki model id (see the module docstring before changing anything).
        name: its name in Anki.
        fields: its field names, in order.
        templates: its card templates as genanki takes them (name, qfmt, afmt).
        cloze: True for a cloze note type.
    """

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[dict[str, str], ...]
    cloze: bool = False

    def model(self) -> genanki.Model:
        """Return the genanki Model for this note type."""
        return _Model(
            self.id,
            self.name,
            fields=[{"name": name} for name in self.fields],
            templates=[dict(t) for t in self.templates],
            css=CSS,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )


class _Model(genanki.Model):  # type: ignore[misc]  # genanki has no type hints
    """A genanki Model whose modification time is `TEMPLATES_MODIFIED`, not the time of the export."""

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = TEMPLATES_MODIFIED
        return data


BASIC = NoteType(
    id=1_439_914_858,
    name="cvquiz Basic",
    fields=("Front", "Back", "Explanation", "Source"),
    templates=(
        {
            "name": "Card 1",
            "qfmt": _wrap("{{Front}}"),
            "afmt": _wrap("{{Front}}<hr id=answer>{{Back}}" + _EXPLANATION + _SOURCE),
        },
    ),
)

REVERSED = NoteType(
    id=1_267_270_016,
    name="cvquiz Basic (and reversed card)",
    fields=("Front", "Back", "Explanation", "Source"),
    templates=(
        BASIC.templates[0],
        {
            "name": "Card 2",
            "qfmt": _wrap("{{Back}}"),
            "afmt": _wrap("{{Back}}<hr id=answer>{{Front}}" + _EXPLANATION + _SOURCE),
        },
    ),
)

CLOZE = NoteType(
    id=1_079_771_578,
    name="cvquiz Cloze",
    fields=("Text", "Back Extra", "Explanation", "Source"),
    templates=(
        {
            "name": "Cloze",
            "qfmt": _wrap("{{cloze:Text}}"),
            "afmt": _wrap(
                "{{cloze:Text}}{{#Back Extra}}<hr id=answer>{{Back Extra}}{{/Back Extra}}"
                + _EXPLANATION
                + _SOURCE
            ),
        },
    ),
    cloze=True,
)

COMPUTE = NoteType(
    id=1_125_144_744,
    name="cvquiz Compute",
    fields=("Prompt", "Answer", "Worked solution", "Generator", "Seed"),
    templates=(
        {
            "name": "Problem",
            "qfmt": _wrap("{{Prompt}}"),
            "afmt": _wrap(
                "{{Prompt}}<hr id=answer><div class=answer>{{Answer}}</div>"
                "{{#Worked solution}}<div class=solution>{{Worked solution}}</div>{{/Worked solution}}"
                "<div class=meta>{{Generator}} · seed {{Seed}}</div>"
            ),
        },
    ),
)

NOTE_TYPES = (BASIC, REVERSED, CLOZE, COMPUTE)
"""Every exported note type."""
