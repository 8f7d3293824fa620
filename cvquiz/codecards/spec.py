"""What a code card asks for: the function's name and signature, its judge, and what can be wrong with a card.

`code_spec` reads a card's starter code (with Python's own parser: the code is read, never run), finds its one
top-level function, and resolves the card's ``judge`` into the reference function and the input generator with
the card's narrowed parameter space and tolerance. `check_card` lists everything wrong with a code card,
including a model solution that fails its own judge (that one runs the solution in a child process).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cvquiz.codecards.inputs import InputGenerator, UnknownInputsError, lookup_inputs
from cvquiz.codecards.references import Reference, UnknownReferenceError, lookup_reference
from cvquiz.errors import CvquizError
from cvquiz.generators.core import Axis
from cvquiz.i18n import _
from cvquiz.model import Card, CardType, Text

__all__ = [
    "CodeCardError",
    "CodeSpec",
    "Signature",
    "check_card",
    "check_cards",
    "code_spec",
    "read_signature",
]


class CodeCardError(CvquizError):
    """A code card that cannot be judged: not a code card, an unknown judge, a starter without a function."""

    exit_code = 2


@dataclass(frozen=True)
class Signature:
    """A top-level function of some code.

    Attributes:
        name: the function's name.
        args: its parameters, in order.
        line: the line it is defined on.
    """

    name: str
    args: tuple[str, ...]
    line: int

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


def read_signature(code: str, name: str | None = None) -> Signature:
    """Find a top-level function in code without running it.

    Args:
        code: Python source.
        name: the function wanted; None means the only (or first) top-level function.

    Returns:
        Its signature.

    Raises:
        CodeCardError: the code is not valid Python, or defines no such function.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        line = getattr(error, "lineno", None)
        raise CodeCardError(
            _("not valid Python (line {line}): {problem}").format(
                line=line or "?", problem=getattr(error, "msg", None) or error
            )
        ) from None
    functions = [
        node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    for node in functions:
        if name is None or node.name == name:
            args = node.args
            names = tuple(a.arg for a in (*args.posonlyargs, *args.args))
            return Signature(node.name, names, node.lineno)
    if name is None:
        raise CodeCardError(_("the code defines no function"))
    defined = ", ".join(node.name for node in functions) or _("none")
    raise CodeCardError(
        _("the code defines no function {name} (it defines: {defined})").format(
            name=name, defined=defined
        )
    )


@dataclass(frozen=True)
class CodeSpec:
    """Everything the judge needs to know about a code card.

    Attributes:
        card: the card.
        function: the starter's function: the name and parameters a submission must have.
        reference: the reference function.
        inputs: the input generator.
        space: its parameter space, narrowed by the card.
        rel_tol: relative tolerance (the card's, else the reference's).
        abs_tol: absolute tolerance (the card's, else the reference's).
    """

    card: Card
    function: Signature
    reference: Reference
    inputs: InputGenerator
    space: Mapping[str, Axis]
    rel_tol: float
    abs_tol: float

    def starter_code(self, lang: str) -> str:
        """The starter code in ``lang`` (the other language when the card has only one)."""
        return _code_text(self.card.starter, lang)

    def solution_code(self, lang: str) -> str:
        """The model solution in ``lang``."""
        return _code_text(self.card.solution, lang)


def _code_text(text: Text | None, lang: str) -> str:
    code = text.get(lang) if text is not None else ""
    return code if code.endswith("\n") else code + "\n"


def _judge_parts(card: Card) -> tuple[Reference, InputGenerator, Mapping[str, Any]]:
    judge = dict(card.judge or {})
    try:
        reference = lookup_reference(judge.get("reference"))
        inputs = lookup_inputs(judge.get("inputs") or reference.inputs)
    except (UnknownReferenceError, UnknownInputsError) as error:
        raise CodeCardError(str(error)) from None
    if set(reference.args) - set(inputs.args):
        raise CodeCardError(
            _(
                "judge inputs {inputs} make ({made}), but reference {reference} takes ({takes})"
            ).format(
                inputs=inputs.name,
                made=", ".join(inputs.args),
                reference=reference.name,
                takes=", ".join(reference.args),
            )
        )
    return reference, inputs, judge.get("params") or {}


def code_spec(card: Card) -> CodeSpec:
    """Resolve a code card's judge and read its starter's function.

    Raises:
        CodeCardError: not a code card, an unknown reference or inputs, params outside the inputs' space, a
            starter that is not valid Python or defines no function, or a signature that differs from the
            reference's arguments.
    """
    if card.type is not CardType.CODE:
        raise CodeCardError(
            _("card {card!r} is not a code card (it is {type})").format(
                card=card.id, type=card.type
            )
        )
    reference, inputs, params = _judge_parts(card)
    space, problems = inputs.narrowed(params)
    if problems:
        raise CodeCardError("judge." + "; judge.".join(problems))
    function = read_signature(_code_text(card.starter, "en"))
    if function.args != reference.args:
        raise CodeCardError(
            _(
                "the starter's {function} takes ({got}), but the judge calls it with ({want})"
            ).format(
                function=function.name, got=", ".join(function.args), want=", ".join(reference.args)
            )
        )
    tolerance = card.tolerance or {}
    return CodeSpec(
        card=card,
        function=function,
        reference=reference,
        inputs=inputs,
        space=space,
        rel_tol=float(tolerance.get("rel", reference.rel_tol)),
        abs_tol=float(tolerance.get("abs", reference.abs_tol)),
    )


def _same_function(spec: CodeSpec, text: Text | None, field: str) -> list[str]:
    problems = []
    for lang, code in (("zh", text.zh if text else None), ("en", text.en if text else None)):
        if code is None:
            continue
        try:
            found = read_signature(code, spec.function.name)
        except CodeCardError as error:
            problems.append(f"{field} ({lang}): {error}")
            continue
        if found.args != spec.function.args:
            problems.append(
                _("{field} ({lang}): {found} differs from the starter's {starter}").format(
                    field=field, lang=lang, found=found, starter=spec.function
                )
            )
    return problems


def _solutions(card: Card) -> list[tuple[str, str]]:
    """The model solution's distinct programs by language (comments alone do not make two programs)."""
    solution = card.solution or Text()
    seen: set[str] = set()
    out = []
    for lang, text in (("en", solution.en), ("zh", solution.zh)):
        if text is None:
            continue
        try:
            key = ast.dump(ast.parse(text))
        except (SyntaxError, ValueError):
            key = text
        if key not in seen:
            seen.add(key)
            out.append((lang, text))
    return out


def check_card(card: Card, run_solution: bool = True) -> list[str]:
    """Find what is wrong with a code card.

    Args:
        card: a code card.
        run_solution: also judge the model solution (in a child process).

    Returns:
        One message per problem: an unknown judge reference or inputs (with a suggestion), params outside the
        inputs' space, a starter or solution that is not valid Python or defines another signature than the
        judge calls, and a model solution that fails its judge. Empty when the card is fine.
    """
    return check_cards([card], run_solution)[0]


def check_cards(cards: Sequence[Card], run_solution: bool = True) -> list[list[str]]:
    """Find what is wrong with each of several code cards (see `check_card`).

    The model solutions are judged one after the other in one child process (a new one only if a solution
    ends it), which makes checking a deck of code cards take seconds rather than a second per card.

    Returns:
        The problems of each card, in order.
    """
    from cvquiz.codecards.judge import CodeJudge
    from cvquiz.codecards.sandbox import Sandbox

    results: list[list[str]] = []
    sandbox: Sandbox | None = None
    try:
        for card in cards:
            try:
                spec = code_spec(card)
            except CodeCardError as error:
                results.append([str(error)])
                continue
            problems = _same_function(spec, card.starter, "starter") + _same_function(
                spec, card.solution, "solution"
            )
            if run_solution and not problems:
                for lang, text in _solutions(card):
                    if sandbox is None or sandbox.stopped:
                        if sandbox is not None:
                            sandbox.close()
                        sandbox = Sandbox()
                    verdict = CodeJudge(spec).judge(text, "solution.py", sandbox=sandbox)
                    if not verdict.passed:
                        problems.append(
                            _("the model solution ({lang}) fails its judge: {summary}").format(
                                lang=lang, summary=verdict.summary
                            )
                        )
            results.append(problems)
    finally:
        if sandbox is not None:
            sandbox.close()
    return results
