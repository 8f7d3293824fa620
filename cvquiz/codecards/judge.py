"""Judging a submission against a code card: every case, compared with the engine, a failure made small.

The case set of a card is fixed (its seeds come from the card id): `InputGenerator.count` cases drawn from the
card's parameter space, then the input generator's edge cases, each with the reference's result. `CodeJudge`
starts the child process first (`cvquiz.codecards.sandbox`) and computes the expected values while it boots,
sends the submission and every case at once, and compares each answer as it arrives (`cvquiz.codecards.compare`).
A timeout, a crash or a load failure ends judging with a one-line verdict.

When a drawn case fails, the judge looks for a smaller failing case in the same child: it draws each structural
parameter (sizes, stride, padding...) smaller in turn, keeping the values' seed, and then tries small integers
for the values, keeping every change after which the case still fails the same way. This is a deterministic
shrink over the generator's parameters rather than Hypothesis': Hypothesis can only shrink examples it drew
itself, so it would have to own the case set (losing the numbered, seed-reproducible cases a verdict refers to),
it has no time budget for its shrink phase while every step here is a round trip to a child that may time out,
and an unseeded random submission makes it raise ``Flaky`` instead of reporting the failure.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cvquiz.codecards.compare import FailureKind, Mismatch, compare, format_number
from cvquiz.codecards.inputs import Values, edge_cases
from cvquiz.codecards.sandbox import DEFAULT_LIMITS, Limits, Sandbox, Stop
from cvquiz.codecards.spec import CodeSpec, code_spec
from cvquiz.codecards.wire import Opaque, WireError, decode, encode
from cvquiz.engine import EngineError
from cvquiz.generators.core import Draw, Reject
from cvquiz.i18n import _
from cvquiz.model import Card, Text

__all__ = ["Case", "CaseFailure", "CodeJudge", "Verdict", "build_cases", "judge_code"]

SHRINK_RUNS = 40
"""At most this many smaller cases are tried when shrinking a failure."""
SHRINK_SECONDS = 3.0
"""Shrinking stops after this long."""
_SHRINK_IDS = 1_000_000


@dataclass(frozen=True)
class Case:
    """One case of a card's case set.

    Attributes:
        number: its 1-based position in the set.
        args: the arguments, by name.
        expected: what the reference returns for them.
        label: what makes it an edge case, or None for a drawn case.
        params: the structural parameters it was drawn with (None for an edge case).
        value_seed: the seed of its values (None for an edge case).
    """

    number: int
    args: Mapping[str, Any]
    expected: Any
    label: Text | None = None
    params: Mapping[str, Any] | None = None
    value_seed: int | None = None


@dataclass(frozen=True)
class CaseFailure:
    """The first failing case, as small as the judge could make it.

    Attributes:
        case: its number in the case set (0: the code failed while loading).
        kind: why it failed.
        message: one line naming the difference.
        inputs: the arguments, as JSON-ready data.
        expected: the reference's result, as JSON-ready data (None while loading).
        got: what the submission returned, as JSON-ready data (None when it returned nothing).
        label: the edge case's label, or None.
        shrunk: True when the inputs are a smaller case than the one drawn.
        output: what the code printed on this case (cut short).
        shown_inputs: each argument as text, for display.
        shown_expected: the expected result as text.
        shown_got: the result as text (empty when there is none).
    """

    case: int
    kind: FailureKind
    message: str
    inputs: dict[str, Any]
    expected: Any
    got: Any
    label: Text | None = None
    shrunk: bool = False
    output: str = ""
    shown_inputs: tuple[tuple[str, str], ...] = ()
    shown_expected: str = ""
    shown_got: str = ""


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging a submission.

    Attributes:
        card: the card's id.
        passed: every case passed.
        cases: cases in the set.
        failed: cases that failed (of those run).
        first_failure: the first failure, shrunk, or None.
        timed_out: judging stopped on the time limit.
        seconds: wall time of the whole judgement.
        kind: why it failed (the first failure's kind), or None.
        summary: the verdict in one line.
        code_seconds: time spent inside the submitted function over all cases.
    """

    card: str
    passed: bool
    cases: int
    failed: int
    first_failure: CaseFailure | None
    timed_out: bool
    seconds: float
    kind: FailureKind | None
    summary: str
    code_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The verdict as ``cvquiz try --json`` prints it."""
        failure = self.first_failure
        return {
            "card": self.card,
            "passed": self.passed,
            "cases": self.cases,
            "failed": self.failed,
            "first_failure": None
            if failure is None
            else {
                "case": failure.case,
                "inputs": failure.inputs,
                "expected": failure.expected,
                "got": failure.got,
                "message": failure.message,
            },
            "timed_out": self.timed_out,
            "seconds": round(self.seconds, 3),
        }


# --- the case set ------------------------------------------------------------------------------------------------


def _base_seed(spec: CodeSpec) -> int:
    digest = hashlib.sha256(f"{spec.reference.name}:{spec.card.id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


class _Fixed(Draw):
    """A `Draw` that answers every ``param`` with given values: runs a generator's checks on them."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(np.random.default_rng(0), {})
        self._params = params

    def param(self, name: str) -> Any:
        return self._params[name]


def _drawn_case(
    spec: CodeSpec, number: int, params: Mapping[str, Any], seed: int, simple: bool
) -> Case | None:
    """The case of these parameters and value seed, or None when they make no valid case."""
    try:
        spec.inputs.draw(_Fixed(params))
    except Reject:
        return None
    args = spec.inputs.build(params, Values(seed, simple))
    try:
        expected = spec.reference.compute(**{name: args[name] for name in spec.reference.args})
    except EngineError:
        return None
    return Case(number, args, expected, params=dict(params), value_seed=seed)


def build_cases(spec: CodeSpec) -> list[Case]:
    """The card's fixed case set: drawn cases first, then the edge cases, each with the expected result.

    Raises:
        Reject: the card's parameter space holds no valid case.
    """
    base = _base_seed(spec)
    cases: list[Case] = []
    for index in range(spec.inputs.count):
        seed = (base + 7919 * index) % 2**31
        for attempt in range(20):
            params = spec.inputs.draw_params(spec.space, (seed + attempt * 104_729) % 2**31)
            case = _drawn_case(spec, len(cases) + 1, params, seed ^ 0x5BD1E995, simple=False)
            if case is not None:
                cases.append(case)
                break
    for edge in edge_cases(spec.inputs.name):
        args = dict(edge.args)
        expected = spec.reference.compute(**{name: args[name] for name in spec.reference.args})
        cases.append(Case(len(cases) + 1, args, expected, label=edge.label))
    return cases


# --- showing values ----------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """JSON-ready data for a value: arrays as nested lists, NaN and infinities as strings."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Opaque):
        return value.repr
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def show(value: Any) -> str:
    """A value as text for a person: arrays as NumPy prints them, numbers with 6 significant digits."""
    if isinstance(value, np.ndarray):
        return np.array2string(
            value,
            separator=", ",
            precision=6,
            threshold=200,
            max_line_width=76,
            floatmode="maxprec",
        )
    if isinstance(value, bool | np.bool_) or value is None:
        return str(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return format_number(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, list) and all(isinstance(v, int | np.integer) for v in value):
        return str([int(v) for v in value])
    if isinstance(value, Opaque):
        return value.repr
    return repr(value)


# --- judging -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    kind: FailureKind
    message: str
    got: Any = None
    output: str = ""


def _error_message(error: Mapping[str, Any], limits: Limits) -> _Outcome:
    kind = error.get("kind")
    if kind == "exit":
        return _Outcome(
            FailureKind.EXIT, _("called sys.exit({code})").format(code=error.get("code"))
        )
    if kind == "memory":
        return _Outcome(
            FailureKind.MEMORY,
            _("ran out of memory (the limit is {limit} MiB)").format(limit=limits.memory_mb),
        )
    line = error.get("line")
    text = str(error.get("message") or "")
    name = str(error.get("type") or "Exception")
    if line:
        message = _("raised {type}: {message} (line {line})").format(
            type=name, message=text, line=line
        )
    else:
        message = _("raised {type}: {message}").format(type=name, message=text)
    return _Outcome(FailureKind.EXCEPTION, message)


def _stop_message(stop: Stop, limits: Limits) -> _Outcome:
    if stop.kind == "timeout":
        return _Outcome(
            FailureKind.TIMEOUT,
            _("timed out after {seconds} s").format(seconds=f"{limits.seconds:g}"),
        )
    if stop.signal_name == "SIGXCPU":
        return _Outcome(FailureKind.TIMEOUT, _("ran past the CPU-time limit"))
    how = (
        _("signal {name}").format(name=stop.signal_name)
        if stop.signal_name
        else _("exit code {code}").format(code=stop.returncode)
    )
    return _Outcome(
        FailureKind.CRASH,
        _("the process running the code ended ({how})").format(how=how),
        output=stop.output,
    )


def _evaluate(
    spec: CodeSpec, case: Case, answer: Mapping[str, Any], limits: Limits
) -> _Outcome | None:
    output = str(answer.get("output") or "")
    error = answer.get("error")
    if error:
        outcome = _error_message(error, limits)
        return _Outcome(outcome.kind, outcome.message, output=output)
    try:
        got = decode(answer.get("value"))
    except (WireError, ValueError, TypeError) as problem:
        return _Outcome(
            FailureKind.TYPE,
            _("returned something cvquiz cannot read ({problem})").format(problem=problem),
            output=output,
        )
    mutated = list(answer.get("mutated") or ())
    if mutated:
        return _Outcome(
            FailureKind.MUTATION,
            _("changed its argument {names} in place; compute the result in a new array").format(
                names=", ".join(mutated)
            ),
            got,
            output,
        )
    aliased = list(answer.get("aliased") or ())
    if aliased:
        return _Outcome(
            FailureKind.MUTATION,
            _(
                "returned a view of its argument {name} (they share memory); return a new array, "
                "for example with .copy()"
            ).format(name=aliased[0]),
            got,
            output,
        )
    mismatch: Mismatch | None = compare(
        got, case.expected, spec.reference.output, spec.rel_tol, spec.abs_tol
    )
    if mismatch is None:
        return None
    return _Outcome(mismatch.kind, mismatch.message, got, output)


def _case_message(spec: CodeSpec, case: Case, number: int) -> dict[str, Any]:
    return {
        "op": "case",
        "id": number,
        "args": [encode(case.args[name]) for name in spec.reference.args],
        "fresh": spec.reference.fresh,
    }


def _failure(case: Case | None, outcome: _Outcome, shrunk: bool = False) -> CaseFailure:
    if case is None:
        return CaseFailure(0, outcome.kind, outcome.message, {}, None, None, output=outcome.output)
    got_shown = (
        "" if outcome.got is None and outcome.kind is not FailureKind.TYPE else show(outcome.got)
    )
    return CaseFailure(
        case=case.number,
        kind=outcome.kind,
        message=outcome.message,
        inputs={name: plain(value) for name, value in case.args.items()},
        expected=plain(case.expected),
        got=plain(outcome.got),
        label=case.label,
        shrunk=shrunk,
        output=outcome.output,
        shown_inputs=tuple((name, show(value)) for name, value in case.args.items()),
        shown_expected=show(case.expected),
        shown_got=got_shown,
    )


def case_name(failure: CaseFailure, lang: str = "en") -> str:
    """How a verdict names the failing case: "case 3", "case 27 (logits up to ±1e4)"."""
    if failure.label is not None:
        return _("case {case} ({label})").format(case=failure.case, label=failure.label.get(lang))
    if failure.shrunk:
        return _("case {case}, made smaller").format(case=failure.case)
    return _("case {case}").format(case=failure.case)


class CodeJudge:
    """Judges submissions for one code card; a child process is started ahead of time (`warm`).

    Each judgement uses a fresh child, so nothing one attempt does (a patched module, a global) reaches the
    next. Close the judge (or use it as a context manager) to end a child started ahead.
    """

    def __init__(self, spec: CodeSpec, limits: Limits = DEFAULT_LIMITS, lang: str = "en") -> None:
        self.spec = spec
        self.limits = limits
        self.lang = lang
        self._sandbox: Sandbox | None = None
        self._cases: list[Case] | None = None

    def warm(self) -> None:
        """Start the child for the next judgement now (it takes a moment to import NumPy)."""
        if self._sandbox is None:
            self._sandbox = Sandbox(self.limits)

    def cases(self) -> list[Case]:
        """The card's case set (built once)."""
        if self._cases is None:
            self._cases = build_cases(self.spec)
        return self._cases

    def close(self) -> None:
        """End a child started ahead."""
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def __enter__(self) -> CodeJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def judge(
        self,
        code: str,
        filename: str = "submission.py",
        progress: Callable[[int, int], None] | None = None,
        sandbox: Sandbox | None = None,
    ) -> Verdict:
        """Run ``code`` on every case and return the verdict.

        Args:
            code: the submission's source.
            filename: the name its tracebacks and line numbers refer to.
            progress: called as ``progress(done, total)`` after each case.
            sandbox: a child to run in and leave running (several trusted submissions, as `check_cards`
                judges model solutions); by default a fresh child that is ended afterwards.

        Returns:
            The verdict; never raises for anything the code does.
        """
        started = time.monotonic()
        if sandbox is not None:
            return self._run(sandbox, code, filename, progress, started)
        self.warm()
        own, self._sandbox = self._sandbox, None
        assert own is not None
        try:
            return self._run(own, code, filename, progress, started)
        finally:
            own.close()

    def _verdict(
        self,
        started: float,
        cases: int,
        failed: int,
        failure: CaseFailure | None,
        code_seconds: float,
        summary: str | None = None,
    ) -> Verdict:
        if failure is None:
            summary = _("passed all {cases} cases").format(cases=cases)
        elif summary is None:
            summary = _("failed {failed} of {cases} cases; {case}: {message}").format(
                failed=failed,
                cases=cases,
                case=case_name(failure, self.lang),
                message=failure.message,
            )
        return Verdict(
            card=self.spec.card.id,
            passed=failure is None,
            cases=cases,
            failed=failed,
            first_failure=failure,
            timed_out=failure is not None and failure.kind is FailureKind.TIMEOUT,
            seconds=time.monotonic() - started,
            kind=None if failure is None else failure.kind,
            summary=summary,
            code_seconds=code_seconds,
        )

    def _load_failure(
        self, started: float, total: int, answer: Mapping[str, Any] | Stop
    ) -> Verdict:
        name = self.spec.function.name
        if isinstance(answer, Stop):
            outcome = _stop_message(answer, self.limits)
            summary = _("{problem} while loading the code").format(problem=outcome.message)
            return self._verdict(started, total, 0, _failure(None, outcome), 0.0, summary)
        kind = answer.get("kind")
        if kind == "syntax":
            outcome = _Outcome(
                FailureKind.SYNTAX,
                _("syntax error on line {line}: {message}").format(
                    line=answer.get("line") or "?", message=answer.get("message")
                ),
            )
        elif kind == "missing":
            defined = ", ".join(answer.get("defined") or ()) or _("nothing")
            outcome = _Outcome(
                FailureKind.MISSING,
                _("the code defines no function {name} (it defines: {defined})").format(
                    name=name, defined=defined
                ),
            )
        elif kind == "signature":
            outcome = _Outcome(
                FailureKind.SIGNATURE,
                _("{found} cannot be called as {wanted}").format(
                    found=answer.get("message"), wanted=self.spec.function
                ),
            )
        else:
            error = _error_message(answer, self.limits)
            outcome = _Outcome(
                error.kind, _("{problem} while loading the code").format(problem=error.message)
            )
        return self._verdict(started, total, 0, _failure(None, outcome), 0.0, outcome.message)

    def _run(
        self,
        sandbox: Sandbox,
        code: str,
        filename: str,
        progress: Callable[[int, int], None] | None,
        started: float,
    ) -> Verdict:
        spec = self.spec
        sandbox.send(
            {
                "op": "load",
                "code": code,
                "filename": filename,
                "function": spec.function.name,
                "args": list(spec.reference.args),
            }
        )
        cases = self.cases()
        total = len(cases)
        for case in cases:
            sandbox.send(_case_message(spec, case, case.number))
        loaded = sandbox.receive()
        if isinstance(loaded, Stop) or not loaded.get("ok"):
            return self._load_failure(started, total, loaded)
        failed, code_seconds = 0, 0.0
        first: tuple[Case, _Outcome] | None = None
        for done, case in enumerate(cases, start=1):
            answer = sandbox.receive()
            if isinstance(answer, Stop):
                outcome = _stop_message(answer, self.limits)
                failure = _failure(case, outcome)
                if first is not None:
                    failure = _failure(*first)
                    return self._verdict(started, total, failed + 1, failure, code_seconds)
                if outcome.kind is FailureKind.TIMEOUT:
                    summary = _("timed out after {seconds} s on case {case}").format(
                        seconds=f"{self.limits.seconds:g}", case=case.number
                    )
                else:
                    summary = _("{problem} on case {case}").format(
                        problem=outcome.message, case=case.number
                    )
                return self._verdict(started, total, failed + 1, failure, code_seconds, summary)
            code_seconds += float(answer.get("seconds") or 0.0)
            outcome_or_none = _evaluate(spec, case, answer, self.limits)
            if outcome_or_none is not None:
                failed += 1
                if first is None:
                    first = (case, outcome_or_none)
            if progress is not None:
                progress(done, total)
        if first is None:
            return self._verdict(started, total, 0, None, code_seconds)
        case, outcome = first
        shrunk_case, shrunk_outcome = self._shrink(sandbox, case, outcome)
        failure = _failure(shrunk_case, shrunk_outcome, shrunk=shrunk_case is not case)
        return self._verdict(started, total, failed, failure, code_seconds)

    def _try(self, sandbox: Sandbox, case: Case, number: int) -> _Outcome | Stop | None:
        sandbox.send(_case_message(self.spec, case, number))
        answer = sandbox.receive()
        if isinstance(answer, Stop):
            return answer
        return _evaluate(self.spec, case, answer, self.limits)

    def _shrink(self, sandbox: Sandbox, case: Case, outcome: _Outcome) -> tuple[Case, _Outcome]:
        """A smaller case failing the same way, if one is found within the budget."""
        if case.params is None or case.value_seed is None:
            return case, outcome
        if outcome.kind in (FailureKind.TIMEOUT, FailureKind.CRASH, FailureKind.MEMORY):
            return case, outcome
        deadline = time.monotonic() + SHRINK_SECONDS
        runs = 0
        best, best_outcome = case, outcome
        seed = case.value_seed

        def attempt(params: Mapping[str, Any], simple: bool) -> bool:
            nonlocal runs, best, best_outcome
            candidate = _drawn_case(self.spec, case.number, params, seed, simple)
            if candidate is None:
                return False
            runs += 1
            result = self._try(sandbox, candidate, _SHRINK_IDS + runs)
            if isinstance(result, _Outcome) and result.kind is outcome.kind:
                best, best_outcome = candidate, result
                return True
            return False

        assert best.params is not None
        progress = True
        while progress and runs < SHRINK_RUNS and time.monotonic() < deadline:
            progress = False
            for params in self.spec.inputs.shrink_candidates(best.params, self.spec.space):
                if runs >= SHRINK_RUNS or time.monotonic() >= deadline or sandbox.stopped:
                    break
                if attempt(params, simple=False):
                    progress = True
                    break
        if runs < SHRINK_RUNS and not sandbox.stopped and best.params is not None:
            attempt(best.params, simple=True)
        return best, best_outcome


def judge_code(
    spec_or_card: CodeSpec | Card,
    code: str,
    filename: str = "submission.py",
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
    lang: str = "en",
) -> Verdict:
    """Judge a submission against a code card.

    Args:
        spec_or_card: the card, or its already resolved `CodeSpec`.
        code: the submission's source.
        filename: the name its line numbers refer to.
        limits: time and memory limits.
        progress: called as ``progress(done, total)`` after each case.
        lang: the language edge-case labels are named in.

    Returns:
        The verdict.

    Raises:
        CodeCardError: the card cannot be judged (not a code card, an unknown judge...).
    """
    spec = spec_or_card if isinstance(spec_or_card, CodeSpec) else code_spec(spec_or_card)
    with CodeJudge(spec, limits, lang) as judge:
        return judge.judge(code, filename, progress)
