"""The fields of a code card in a deck file, and what each must hold (docs/deck-format.md, "Code cards").

The loader calls `read_code_fields` for every card of type ``code``: it checks the shape of ``starter``,
``solution``, ``hints`` and ``judge`` and reports each problem against the field it is in. Whether the judge's
reference and inputs exist, whether the starter's signature matches them and whether the model solution passes
is `cvquiz check`'s business (`cvquiz.codecards.spec.check_card`): it needs NumPy and a child process, and
reading a deck needs neither.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cvquiz.i18n import _
from cvquiz.model import Text

__all__ = ["CODE_FIELDS", "JUDGE_KEYS", "CodeFields", "read_code_fields"]

CODE_FIELDS = ("starter", "solution", "hints", "judge")
"""The fields only code cards have."""
JUDGE_KEYS = ("reference", "inputs", "params")
"""The keys of a code card's ``judge`` mapping."""
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class CodeFields:
    """The code-card fields of one card, as read (None where missing or wrong).

    Attributes:
        starter: the starter code.
        solution: the model solution.
        hints: the hints, in order.
        judge: ``{"reference": ..., "inputs": ..., "params": {...}}`` (``inputs`` and ``params`` optional).
    """

    starter: Text | None
    solution: Text | None
    hints: tuple[Text, ...]
    judge: dict[str, Any] | None


def read_code_fields(
    raw: Mapping[str, Any],
    read_text: Callable[[Any, str], Text | None],
    read_params: Callable[[Any], dict[str, Any]],
    problem: Callable[[Any, str | None, str], None],
) -> CodeFields:
    """Read and check the code-card fields of a card mapping.

    Args:
        raw: the card as parsed from YAML.
        read_text: the loader's reader of a text field (``owner``, ``key``), reporting its own problems.
        read_params: the loader's reader of a ``params`` mapping inside ``owner``.
        problem: reports a problem in ``owner`` at ``key`` (None: the owner itself).

    Returns:
        The fields; a missing or malformed field is None (its problem reported).
    """
    starter = read_text(raw, "starter")
    solution = read_text(raw, "solution")
    for key, value in (("starter", starter), ("solution", solution)):
        if value is None and key not in raw:
            problem(raw, None, _("code card needs a '{field}'").format(field=key))
    hints = _hints(raw, problem)
    judge = _judge(raw, read_params, problem)
    return CodeFields(starter, solution, hints, judge)


def _hint_text(item: Any) -> Text | None:
    if isinstance(item, str) and item.strip():
        return Text(zh=item, en=item)
    if (
        isinstance(item, Mapping)
        and item
        and set(item) <= {"zh", "en"}
        and all(isinstance(v, str) and v.strip() for v in item.values())
    ):
        return Text(zh=item.get("zh"), en=item.get("en"))
    return None


def _hints(
    raw: Mapping[str, Any],
    problem: Callable[[Any, str | None, str], None],
) -> tuple[Text, ...]:
    value = raw.get("hints")
    if value is None:
        return ()
    if not isinstance(value, list):
        problem(raw, "hints", _("hints must be a list of texts"))
        return ()
    hints = []
    for index, item in enumerate(value):
        text = _hint_text(item)
        if text is None:
            problem(
                raw,
                "hints",
                _("hints[{index}] must be text or a {{zh, en}} mapping").format(index=index),
            )
        else:
            hints.append(text)
    return tuple(hints)


def _judge(
    raw: Mapping[str, Any],
    read_params: Callable[[Any], dict[str, Any]],
    problem: Callable[[Any, str | None, str], None],
) -> dict[str, Any] | None:
    value = raw.get("judge")
    if value is None:
        problem(raw, None, _("code card needs a 'judge' (reference and inputs)"))
        return None
    if not isinstance(value, Mapping):
        problem(raw, "judge", _("judge must be a mapping with reference, inputs and params"))
        return None
    ok = True
    for key in value:
        if key not in JUDGE_KEYS:
            close = difflib.get_close_matches(str(key), JUDGE_KEYS, n=1, cutoff=0.6)
            hint = _(" (did you mean {close!r}?)").format(close=close[0]) if close else ""
            problem(
                value, key, _("unknown field {key!r} in judge{hint}").format(key=key, hint=hint)
            )
            ok = False
    if "reference" not in value:
        problem(
            value, None, _("judge needs a 'reference' (the function the code is compared with)")
        )
        ok = False
    for key in ("reference", "inputs"):
        name = value.get(key)
        if name is not None and (not isinstance(name, str) or not _NAME_RE.match(name)):
            problem(value, key, _("bad judge {key} {name!r}").format(key=key, name=name))
            ok = False
    params = read_params(value)
    if not ok:
        return None
    judge: dict[str, Any] = {"reference": value["reference"]}
    if value.get("inputs") is not None:
        judge["inputs"] = value["inputs"]
    if params:
        judge["params"] = params
    return judge
