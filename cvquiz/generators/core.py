"""The machinery every compute-card generator shares: parameter spaces, seeded draws and the registry.

A generator is two functions. ``draw`` picks a problem from a (possibly narrowed) parameter space with a
seeded `Draw`; ``solve`` turns the drawn parameters into the prompt, the expected answer (always computed by
`cvquiz.engine`) and the worked solution. ``solve`` also serves ``cvquiz calc``, where the parameters come
from the command line instead of a draw.

Randomness comes only from the seed: `Draw` reads uniform doubles from ``numpy.random.default_rng(seed)`` and
maps them to choices itself (it never calls ``Generator.integers`` or ``choice``), so the same seed gives the
same problem on every machine and NumPy version.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar

import numpy as np

from cvquiz.answers import AnswerKind
from cvquiz.errors import CvquizError
from cvquiz.generators.text import Check
from cvquiz.i18n import N_, _
from cvquiz.model import Text

T = TypeVar("T")

MAX_ATTEMPTS = 60
"""Draws tried (the seed, then seeds derived from it) before a parameter space is declared unusable."""


class GeneratorError(CvquizError):
    """A compute card that cannot produce a problem: unknown generator, bad params, or no valid draw."""

    exit_code = 2


class Reject(GeneratorError):
    """A draw that is valid for the engine but not a good problem (too big, ambiguous); draw again."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a generator's space: a list of choices or an inclusive integer range.

    Attributes:
        name: the name cards use under ``params``.
        description: what the parameter controls.
        choices: the allowed values, or None for a range.
        min: the smallest value of a range.
        max: the largest value of a range.
    """

    name: str
    description: Text
    choices: tuple[Any, ...] | None = None
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        if (self.choices is None) == (self.min is None or self.max is None):
            raise ValueError(f"parameter {self.name}: give choices or min and max")

    def describe(self) -> str:
        """The space as a short string: ``1, 2, 3`` or ``2..5``."""
        if self.choices is not None:
            return ", ".join(_show(c) for c in self.choices)
        return f"{self.min}..{self.max}"


def _quote(value: object) -> str:
    return repr(value) if isinstance(value, str) else _show(value)


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Axis:
    """A parameter narrowed by a card: the values still allowed.

    Attributes:
        choices: the allowed values, or None for a range.
        low: the smallest value of a range.
        high: the largest value of a range.
    """

    choices: tuple[Any, ...] | None = None
    low: int = 0
    high: int = 0


Space = Mapping[str, Axis]


@dataclass(frozen=True)
class Solved:
    """A problem with its answer, as a generator's ``solve`` returns it.

    Attributes:
        prompt: the question (zh/en Markdown with LaTeX).
        expected: the answer, from the engine, as plain Python data.
        kind: how the typed answer is read.
        solution: the worked solution, step by step.
        answer_format: how to type the answer ("(N, C, H, W)"), or None.
        dim_names: names of the dimensions of a shape answer, for judge messages.
        checks: the solution's computation steps as printed (`Steps.checks`), for the test that redoes them.
    """

    prompt: Text
    expected: Any
    kind: AnswerKind
    solution: Text
    answer_format: Text | None = None
    dim_names: tuple[str, ...] | None = None
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Generator:
    """A registered compute-card generator.

    Attributes:
        name: the name decks use (``generator: conv2d_output_shape``).
        title: a one-line description.
        topic: the module it lives in (shapes, signal, losses, detection, misc).
        kinds: the answer kinds its instances can have.
        space: the full parameter space.
        draw: picks parameters from a narrowed space.
        solve: computes prompt, answer and solution from parameters.
        decimals: default decimals float answers are judged at, or None.
        rel_tol: default relative tolerance, or None.
        abs_tol: default absolute tolerance, or None.
        notes: the notes items it drills (``notes::1``...).
    """

    name: str
    title: Text
    topic: str
    kinds: tuple[AnswerKind, ...]
    space: Mapping[str, ParamSpec]
    draw: Callable[[Draw], dict[str, Any]]
    solve: Callable[[Mapping[str, Any]], Solved]
    decimals: int | None = None
    rel_tol: float | None = None
    abs_tol: float | None = None
    notes: tuple[str, ...] = field(default=())


REGISTRY: dict[str, Generator] = {}


def register(
    name: str,
    *,
    title: Text,
    kinds: Sequence[AnswerKind],
    space: Sequence[ParamSpec],
    solve: Callable[[Mapping[str, Any]], Solved],
    decimals: int | None = None,
    rel_tol: float | None = None,
    abs_tol: float | None = None,
    notes: Sequence[str] = (),
) -> Callable[[Callable[[Draw], dict[str, Any]]], Callable[[Draw], dict[str, Any]]]:
    """Register the decorated draw function as the generator ``name``.

    Args:
        name: the deck-facing name.
        title: a one-line description.
        kinds: the answer kinds its instances can have.
        space: its parameters.
        solve: the function that solves drawn (or command-line) parameters.
        decimals: default decimals for float answers.
        rel_tol: default relative tolerance.
        abs_tol: default absolute tolerance.
        notes: the notes items it drills.

    Returns:
        A decorator that registers and returns the draw function.
    """

    def decorate(draw: Callable[[Draw], dict[str, Any]]) -> Callable[[Draw], dict[str, Any]]:
        if name in REGISTRY:
            raise ValueError(f"generator {name!r} registered twice")
        REGISTRY[name] = Generator(
            name=name,
            title=title,
            topic=draw.__module__.rsplit(".", 1)[-1],
            kinds=tuple(kinds),
            space={p.name: p for p in space},
            draw=draw,
            solve=solve,
            decimals=decimals,
            rel_tol=rel_tol,
            abs_tol=abs_tol,
            notes=tuple(notes),
        )
        return draw

    return decorate


def lookup(name: str | None) -> Generator:
    """Return the generator called ``name``.

    Raises:
        GeneratorError: no such generator (with a suggestion when the name looks like a typo).
    """
    if name is None:
        raise GeneratorError(N_("compute card names no generator"))
    try:
        return REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, REGISTRY, n=1, cutoff=0.6)
        if close:
            raise GeneratorError(
                N_("unknown generator {name!r} (did you mean {close!r}?)"),
                name=name,
                close=close[0],
            ) from None
        raise GeneratorError(
            N_("unknown generator {name!r} (see docs/generators.md)"), name=name
        ) from None


# --------------------------------------------------------------------------------------------------------------
# Narrowing a space with a card's params


class HasSpace(Protocol):
    """Anything with a name and a parameter space: a generator, or a code card's input generator."""

    @property
    def name(self) -> str: ...

    @property
    def space(self) -> Mapping[str, ParamSpec]: ...


def _same(a: object, b: object) -> bool:
    """Equality that keeps True apart from 1 and "2" apart from 2, but lets 0 equal 0.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def full_space(generator: HasSpace) -> dict[str, Axis]:
    """The generator's whole space as axes."""
    return {
        name: Axis(choices=spec.choices)
        if spec.choices is not None
        else Axis(low=int(spec.min or 0), high=int(spec.max or 0))
        for name, spec in generator.space.items()
    }


def narrow(generator: HasSpace, params: Mapping[str, Any]) -> tuple[dict[str, Axis], list[str]]:
    """Narrow a generator's space with a card's ``params``.

    Args:
        generator: the generator (or anything with a ``name`` and a ``space``).
        params: name → list of choices or ``{"min": a, "max": b}`` (a bare value counts as one choice).

    Returns:
        The narrowed space and the problems found (unknown names, values outside the generator's space);
        a parameter with a problem keeps its full space.
    """
    space = full_space(generator)
    problems: list[str] = []
    for name, wanted in params.items():
        spec = generator.space.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, generator.space, n=1, cutoff=0.6)
            if close:
                message = _(
                    "generator {generator} has no parameter {name!r} (did you mean {close!r}?)"
                )
            else:
                message = _("generator {generator} has no parameter {name!r} (known: {known})")
            problems.append(
                message.format(
                    generator=generator.name,
                    name=name,
                    close=close[0] if close else "",
                    known=", ".join(generator.space) or "-",
                )
            )
            continue
        axis, problem = _narrow_one(spec, wanted)
        if problem:
            problems.append(_("params.{name}: {problem}").format(name=name, problem=problem))
        else:
            space[name] = axis
    return space, problems


def _narrow_one(spec: ParamSpec, wanted: Any) -> tuple[Axis, str | None]:
    is_range = isinstance(wanted, Mapping)
    if is_range:
        low, high = wanted.get("min"), wanted.get("max")
        if not all(_is_number(v) for v in (low, high)) or low > high:
            return Axis(), _("a range is {{min: number, max: number}} with min <= max").format()
        if spec.choices is not None:
            numbers = [c for c in spec.choices if _is_number(c)]
            inside = tuple(c for c in numbers if low <= c <= high)
            if not inside:
                return Axis(), _(
                    "no allowed value lies in {low}..{high} (allowed: {allowed})"
                ).format(low=_show(low), high=_show(high), allowed=spec.describe())
            # held to them, as a range over min..max is (it was cut down to the choices inside)
            if low < min(numbers) or high > max(numbers):
                return Axis(), _("range {low}..{high} goes outside the allowed {allowed}").format(
                    low=_show(low), high=_show(high), allowed=spec.describe()
                )
            return Axis(choices=inside), None
        assert spec.min is not None and spec.max is not None
        if not (isinstance(low, int) and isinstance(high, int)):
            return Axis(), _("give whole numbers for a range within {allowed}").format(
                allowed=spec.describe()
            )
        if low < spec.min or high > spec.max:
            return Axis(), _("range {low}..{high} goes outside the allowed {allowed}").format(
                low=low, high=high, allowed=spec.describe()
            )
        return Axis(low=low, high=high), None
    values = list(wanted) if isinstance(wanted, list | tuple) else [wanted]
    if not values:
        return Axis(), _("lists no choices")
    kept: list[Any] = []
    for value in values:
        if spec.choices is not None:
            match = next((c for c in spec.choices if _same(c, value)), _MISSING)
            if match is _MISSING:
                return Axis(), _not_allowed(value, spec)
            kept.append(match)
        else:
            assert spec.min is not None and spec.max is not None
            if not _is_int(value) or not spec.min <= value <= spec.max:
                return Axis(), _not_allowed(value, spec)
            kept.append(value)
    if spec.choices is not None:
        return Axis(choices=tuple(dict.fromkeys(kept))), None
    return Axis(choices=tuple(dict.fromkeys(kept))), None


_MISSING = object()


def _not_allowed(value: Any, spec: ParamSpec) -> str:
    return _("{value} is not allowed (allowed: {allowed})").format(
        value=_quote(value), allowed=spec.describe()
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------------------------
# Seeded draws


class Draw:
    """Seeded random choices over a narrowed space.

    Every choice is made from ``rng.random()`` (a double from PCG64) so the mapping from seed to problem does
    not depend on how a NumPy version implements ``integers`` or ``choice``.
    """

    def __init__(self, rng: np.random.Generator, space: Space) -> None:
        self._rng = rng
        self._space = space

    def uniform(self) -> float:
        """A float in [0, 1)."""
        return float(self._rng.random())

    def index(self, n: int) -> int:
        """An index in range(n)."""
        if n < 1:
            raise ValueError("nothing to choose from")
        return min(int(self.uniform() * n), n - 1)

    def integer(self, low: int, high: int) -> int:
        """An integer in low..high, both included."""
        return low + self.index(high - low + 1)

    def choice(self, options: Sequence[T]) -> T:
        """One of the options."""
        return options[self.index(len(options))]

    def sample(self, options: Sequence[T], k: int) -> list[T]:
        """k distinct options, in random order."""
        pool = list(options)
        if k > len(pool):
            raise Reject(N_("cannot take {k} distinct values from {count}"), k=k, count=len(pool))
        return [pool.pop(self.index(len(pool))) for _ in range(k)]

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.uniform() < p

    def param(self, name: str) -> Any:
        """A value of the parameter ``name`` from the narrowed space."""
        axis = self._space[name]
        if axis.choices is not None:
            return self.choice(axis.choices)
        return self.integer(axis.low, axis.high)

    def allowed(self, name: str) -> tuple[Any, ...] | range:
        """Every value the narrowed space allows for ``name``."""
        axis = self._space[name]
        if axis.choices is not None:
            return axis.choices
        return range(axis.low, axis.high + 1)


def rng_for(seed: int, attempt: int) -> np.random.Generator:
    """The random generator of one attempt: the seed itself first, then seeds derived from (seed, attempt)."""
    if attempt == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng([seed, attempt])


def draw_and_solve(generator: Generator, space: Space, seed: int) -> tuple[dict[str, Any], Solved]:
    """Draw parameters from ``space`` with ``seed`` and solve them, retrying with derived seeds.

    Args:
        generator: the generator.
        space: its narrowed space.
        seed: a non-negative integer.

    Returns:
        The parameters and the solved problem.

    Raises:
        GeneratorError: no valid problem in `MAX_ATTEMPTS` draws (the space only holds invalid problems).
    """
    from cvquiz.engine import EngineError

    if not _is_int(seed) or seed < 0:
        raise GeneratorError(N_("a seed is a non-negative integer, got {seed!r}"), seed=seed)
    last: CvquizError | None = None
    for attempt in range(MAX_ATTEMPTS):
        try:
            params = generator.draw(Draw(rng_for(seed, attempt), space))
            return params, generator.solve(params)
        except (EngineError, Reject) as error:
            last = error
    raise GeneratorError(
        N_(
            "generator {name}: no valid problem in {attempts} draws from these params "
            "(last problem: {last})"
        ),
        name=generator.name,
        attempts=MAX_ATTEMPTS,
        last=last,
    )


# --------------------------------------------------------------------------------------------------------------
# Formatting answers


def format_expected(
    value: Any, kind: AnswerKind, decimals: int | None, rel_tol: float | None, abs_tol: float | None
) -> str:
    """Write an expected answer for display so that judging it with the same tolerance accepts it.

    Args:
        value: the expected answer.
        kind: its kind.
        decimals: decimals it is judged at, or None.
        rel_tol: relative tolerance, or None.
        abs_tol: absolute tolerance, or None.

    Returns:
        E.g. ``(1, 64, 112, 112)``, ``0.417``, ``[[1, 2], [3, 4]]``, ``yes``.
    """
    if kind is AnswerKind.SHAPE:
        inner = ", ".join(str(int(v)) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if kind is AnswerKind.BOOLEAN:
        return "yes" if value else "no"
    if kind is AnswerKind.TEXT:
        return str(value if isinstance(value, str) else value[0])
    if kind is AnswerKind.INTEGER:
        return str(int(value))

    def one(x: Any) -> str:
        return format_number(x, decimals, rel_tol, abs_tol)

    if kind is AnswerKind.VECTOR:
        return "[" + ", ".join(one(x) for x in value) + "]"
    if kind is AnswerKind.MATRIX:
        return "[" + ", ".join("[" + ", ".join(one(x) for x in row) + "]" for row in value) + "]"
    return one(value)


def format_number(
    x: Any, decimals: int | None, rel_tol: float | None = None, abs_tol: float | None = None
) -> str:
    """One number for display: exact for ints, rounded to what the tolerance needs for floats."""
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        return str(int(x))
    value = float(x)
    if not math.isfinite(value) or abs(value) >= 1e15:  # beyond the digits a float holds: 2.688e+43
        return f"{value:.{max(decimals or 0, 3)}e}"
    if decimals is not None:
        # Half up on the exact binary value: 0.0625 shows as 0.063, as a person rounds it, not 0.062.
        step = Decimal(1).scaleb(-decimals)
        text = f"{Decimal(value).quantize(step, rounding=ROUND_HALF_UP):f}"
    elif abs_tol and not rel_tol:
        places = max(1, math.ceil(-math.log10(abs_tol)) + 1)
        text = f"{value:.{places}f}"
    else:
        rel = rel_tol if rel_tol else 1e-2
        digits = max(4, math.ceil(-math.log10(rel)) + 2)
        text = f"{value:.{digits}g}"
        if "e" in text:
            return text
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
