"""The study session, free of any terminal code.

A `Session` (`cvquiz.study.session`) hands out today's cards and records what the user does; `run_session`
(`cvquiz.study.loop`) drives it through a `StudyUI` (`cvquiz.study.ui`), the small typed interface the terminal,
the line/JSON mode and the tests implement; `cvquiz.study.fronts` holds what the user does on each kind of
card's front (`cvquiz.study.code_front`, loaded when a code card shows: its editor, judge and attempts); `cvquiz.study.summary`
sums a session up with the definitions of ``cvquiz status``.
"""

from __future__ import annotations

from cvquiz.study.fronts import FrontContext, register_front
from cvquiz.study.loop import rating_name, run_session
from cvquiz.study.session import Session
from cvquiz.study.summary import Summary
from cvquiz.study.ui import (
    Action,
    Button,
    Progress,
    Rated,
    Reveal,
    Screen,
    Status,
    StudyUI,
    Verdict,
    command_keys,
)
from cvquiz.study.view import CardView, CodeTask, cloze_text, make_view

__all__ = [
    "Action",
    "Button",
    "CardView",
    "CodeTask",
    "FrontContext",
    "Progress",
    "Rated",
    "Reveal",
    "Screen",
    "Session",
    "Status",
    "StudyUI",
    "Summary",
    "Verdict",
    "cloze_text",
    "command_keys",
    "make_view",
    "rating_name",
    "register_front",
    "run_session",
]
