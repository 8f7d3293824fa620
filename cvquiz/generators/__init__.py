"""Compute cards: a fresh problem from (card, seed), its expected answer from the engine, a worked solution.

A compute card names a generator and may narrow its parameter space (``params``). `generate` draws one
problem from a seed (the review log stores the seed, so any past problem can be shown again exactly),
`judge_instance` judges a typed answer with the card's tolerance, `check_card` finds what is wrong with a card,
and `list_generators` describes every generator (for docs/generators.md and ``cvquiz add``). `calculate`
solves parameters given on the command line (``cvquiz calc``) with the same worked solutions.

Importing this package imports NumPy and the engine: import it only where a compute card or a calculation runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cvquiz.answers import AnswerKind, Judgement, judge
from cvquiz.errors import CvquizError
from cvquiz.generators import (  # noqa: F401  (they register)
    dense,
    detection,
    geometry,
    losses,
    misc,
    proposals,
    shapes,
    signal,
    training,
)
from cvquiz.generators.core import (
    REGISTRY,
    Generator,
    GeneratorError,
    ParamSpec,
    Solved,
    draw_and_solve,
    format_expected,
    lookup,
    narrow,
)
from cvquiz.i18n import N_, _, current_language
from cvquiz.model import Card, Text

__all__ = [
    "Calculation",
    "GeneratorError",
    "GeneratorInfo",
    "Instance",
    "ParamSpec",
    "calculate",
    "calculate_map",
    "card_problem",
    "check_card",
    "generate",
    "judge_instance",
    "list_generators",
]


@dataclass(frozen=True)
class Instance:
    """One drawn problem of a compute card.

    Attributes:
        generator: the generator's name.
        seed: the seed it was drawn from.
        params: the drawn parameters (everything the engine needs to compute the answer).
        prompt: the question, zh/en Markdown with LaTeX.
        expected: the answer from the engine: int, float, tuple, list, list of lists, bool or str.
        kind: how a typed answer is read.
        solution: the worked solution, step by step.
        expected_text: the answer as displayed (and accepted), e.g. ``(1, 64, 112, 112)`` or ``0.417``.
        decimals: float answers are judged at this many decimals, or None.
        rel_tol: relative tolerance for float answers, or None.
        abs_tol: absolute tolerance for float answers, or None.
        hint: how to type the answer ("answer as (N, C, H, W)", "3 decimals"), or None.
        dim_names: names of a shape answer's dimensions, for judge messages, or None.
    """

    generator: str
    seed: int
    params: dict[str, Any]
    prompt: Text
    expected: Any
    kind: AnswerKind
    solution: Text
    expected_text: str
    decimals: int | None
    rel_tol: float | None
    abs_tol: float | None
    hint: Text | None = None
    dim_names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GeneratorInfo:
    """What a generator asks and which parameters narrow it.

    Attributes:
        name: the name decks use.
        title: a one-line description.
        topic: shapes, signal, losses, detection or misc.
        kinds: the answer kinds its problems have.
        params: its parameter space.
        decimals: default decimals for float answers, or None.
        rel_tol: default relative tolerance, or None.
        notes: the notes items it drills.
    """

    name: str
    title: Text
    topic: str
    kinds: tuple[AnswerKind, ...]
    params: tuple[ParamSpec, ...]
    decimals: int | None
    rel_tol: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Calculation:
    """A problem solved from given parameters (``cvquiz calc``).

    Attributes:
        generator: the generator whose solution was used.
        params: the parameters.
        expected: the answer from the engine.
        kind: its kind.
        expected_text: the answer for display.
        prompt: the question these parameters pose.
        solution: the worked solution.
        data: a fuller JSON-ready result where the answer is one number of many (mAP), else None.
    """

    generator: str
    params: dict[str, Any]
    expected: Any
    kind: AnswerKind
    expected_text: str
    prompt: Text
    solution: Text
    data: dict[str, Any] | None = None


def list_generators() -> list[GeneratorInfo]:
    """Every generator, by topic and name."""
    return [
        GeneratorInfo(
            name=g.name,
            title=g.title,
            topic=g.topic,
            kinds=g.kinds,
            params=tuple(g.space.values()),
            decimals=g.decimals,
            rel_tol=g.rel_tol,
            notes=g.notes,
        )
        for g in sorted(REGISTRY.values(), key=lambda g: (_TOPICS.index(g.topic), g.name))
    ]


_TOPICS = (
    "shapes",
    "signal",
    "losses",
    "detection",
    "proposals",
    "dense",
    "training",
    "geometry",
    "misc",
)


def _judging(generator: Generator, card: Card) -> tuple[int | None, float | None, float | None]:
    if card.decimals is not None or card.tolerance is not None:
        tolerance = card.tolerance or {}
        rel, absolute = tolerance.get("rel"), tolerance.get("abs")
        return (
            card.decimals,
            None if rel is None else float(rel),
            None if absolute is None else float(absolute),
        )
    return generator.decimals, generator.rel_tol, generator.abs_tol


_FLOAT_KINDS = (AnswerKind.NUMBER, AnswerKind.VECTOR, AnswerKind.MATRIX)
_KIND_FORMAT = {
    AnswerKind.INTEGER: Text(zh="一个整数", en="a whole number"),
    AnswerKind.VECTOR: Text(zh="列表，如 [0.1, 0.2]", en="a list such as [0.1, 0.2]"),
    AnswerKind.MATRIX: Text(
        zh="矩阵，如 [[1, 2], [3, 4]] 或 1 2; 3 4",
        en="a matrix such as [[1, 2], [3, 4]] or 1 2; 3 4",
    ),
}


def _hint(
    solved: Solved, decimals: int | None, rel: float | None, absolute: float | None
) -> Text | None:
    zh: list[str] = []
    en: list[str] = []
    shown = solved.answer_format or _KIND_FORMAT.get(solved.kind)
    if shown is not None:
        zh.append(shown.get("zh"))
        en.append(shown.get("en"))
    # A whole-number answer judged with a tolerance (MACs) still says how close is close enough.
    tolerant = decimals is None and bool(rel or absolute)
    if solved.kind in _FLOAT_KINDS and (_has_floats(solved.expected) or tolerant):
        if decimals is not None:
            zh.append(f"保留 {decimals} 位小数")
            en.append(f"{decimals} decimal{'s' * (decimals != 1)}")
        elif rel:
            zh.append(f"相对误差 {rel * 100:g}% 以内")
            en.append(f"within {rel * 100:g}%")
        elif absolute:
            zh.append(f"误差 {absolute:g} 以内")
            en.append(f"within {absolute:g}")
    if not en:
        return None
    return Text(zh="；".join(zh), en="; ".join(en))


def _has_floats(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list | tuple):
        return any(_has_floats(v) for v in value)
    return False


def generate(card: Card, seed: int) -> Instance:
    """Draw the problem of a compute card for a seed.

    The same (card, seed) gives the same problem on every machine. When a draw is not a valid problem (a
    kernel larger than the padded input, an ambiguous detection), seeds derived from ``seed`` are tried, so an
    instance is always valid; ``Instance.seed`` is still ``seed``.

    Args:
        card: a compute card (``card.generator``, ``card.params``, ``card.decimals``, ``card.tolerance``).
        seed: a non-negative integer.

    Returns:
        The instance.

    Raises:
        GeneratorError: unknown generator, params outside its space, or params that allow no valid problem.
    """
    generator = lookup(card.generator)
    space, problems = narrow(generator, card.params)
    if problems:
        raise GeneratorError(
            N_("card {card!r}: {problems}"), card=card.id, problems=_("; ").join(problems)
        )
    params, solved = draw_and_solve(generator, space, seed)
    decimals, rel, absolute = _judging(generator, card)
    return Instance(
        generator=generator.name,
        seed=seed,
        params=params,
        prompt=solved.prompt,
        expected=solved.expected,
        kind=solved.kind,
        solution=solved.solution,
        expected_text=format_expected(solved.expected, solved.kind, decimals, rel, absolute),
        decimals=decimals,
        rel_tol=rel,
        abs_tol=absolute,
        hint=_hint(solved, decimals, rel, absolute),
        dim_names=solved.dim_names,
    )


def judge_instance(instance: Instance, text: str) -> Judgement:
    """Judge a typed answer against an instance's expected answer, with the instance's tolerance.

    Args:
        instance: the problem.
        text: what the person typed.

    Returns:
        The judgement.

    Raises:
        AnswerParseError: the text cannot be read as the instance's kind of answer (ask again).
    """
    return judge(
        text,
        instance.expected,
        instance.kind,
        rel_tol=instance.rel_tol,
        abs_tol=instance.abs_tol,
        decimals=instance.decimals,
        dim_names=instance.dim_names,
    )


def check_card(card: Card, samples: int = 20) -> list[str]:
    """Find what is wrong with a compute card.

    Args:
        card: the card.
        samples: how many seeds (0, 1, ...) to draw problems from.

    Returns:
        One message per problem, in the current language: unknown generator (with a suggestion), unknown
        parameter, a value outside the generator's space, or params from which no valid problem can be drawn.
        Empty when the card is fine.
    """
    try:
        generator = lookup(card.generator)
    except GeneratorError as error:
        return [error.localized(_)]
    _space, problems = narrow(generator, card.params)
    if problems:
        return problems
    for seed in range(samples):
        try:
            instance = generate(card, seed)
        except GeneratorError as error:
            return [error.localized(_)]
        if not judge_instance(
            instance, instance.expected_text
        ).correct:  # pragma: no cover - a generator bug
            return [
                _("seed {seed}: the displayed answer {answer} is not accepted").format(
                    seed=seed, answer=instance.expected_text
                )
            ]
    return []


_CARD_PROBLEMS: dict[str, str | None] = {}


def card_problem(card: Card) -> str | None:
    """Say why a compute card cannot be studied, or None when it can (what the deck sync asks of each one).

    The cheap part of `check_card`: the generator is known, the parameters are in its space, and one problem
    can be drawn and its displayed answer is accepted. Remembered per generator, parameters, answer format and
    language, so a deck of a thousand cards with the same parameters draws once.
    """
    import json

    key = json.dumps(  # the message is in the current language
        [card.generator, card.params, card.decimals, card.tolerance, current_language()],
        sort_keys=True,
        default=repr,
    )
    if key not in _CARD_PROBLEMS:
        try:
            problems = check_card(card, samples=1)
        except CvquizError as error:  # an engine error the generator did not turn into its own
            problems = [error.localized(_)]
        _CARD_PROBLEMS[key] = _("; ").join(problems) or None
    return _CARD_PROBLEMS[key]


def calculate(name: str, params: Mapping[str, Any], decimals: int | None = None) -> Calculation:
    """Solve given parameters with a generator's worked solution (``cvquiz calc``).

    Args:
        name: the generator's name.
        params: its parameters, as a draw would give them.
        decimals: decimals to show float answers with (default: the generator's).

    Returns:
        The answer and the worked solution.

    Raises:
        GeneratorError: unknown generator; values too large or small for a worked solution (a float
            overflows), or an answer undefined for them (0/0), which a calculator given any numbers can meet
            where a drawn problem does not.
        EngineError: parameters the engine rejects.
    """
    import numpy as np

    generator = lookup(name)
    undefined = GeneratorError(N_("the answer is undefined for these values (a division by zero)"))
    extreme = GeneratorError(
        N_("these values are too large or too small to work through step by step")
    )
    try:
        with np.errstate(
            all="ignore"
        ):  # an overflow is this one error, not a warning line before it
            solved = generator.solve(dict(params))
    except CvquizError:
        raise
    except ZeroDivisionError:
        raise undefined from None
    except (ArithmeticError, ValueError, AssertionError):
        # AssertionError: a worked step that no longer agrees with the engine once floats lose precision
        raise extreme from None
    try:
        values = np.asarray(solved.expected, dtype=np.float64)
    except (TypeError, ValueError):  # not numbers (a choice, ragged lists): nothing to overflow
        values = np.zeros(1)
    if np.any(np.isnan(values)):
        raise undefined
    if not np.all(np.isfinite(values)):
        raise extreme
    shown = decimals if decimals is not None else generator.decimals
    rel = None if decimals is not None else generator.rel_tol
    return Calculation(
        generator=name,
        params=dict(params),
        expected=solved.expected,
        kind=solved.kind,
        expected_text=format_expected(solved.expected, solved.kind, shown, rel, generator.abs_tol),
        prompt=solved.prompt,
        solution=solved.solution,
    )


def calculate_map(
    ground_truths: Sequence[Mapping[str, Any]],
    detections: Sequence[Mapping[str, Any]],
    metric: str = "coco",
    iou_threshold: float = 0.5,
    method: str = "all-point",
) -> Calculation:
    """mAP of COCO-style annotations, with the COCO summary or the VOC worked solution of each class.

    Args:
        ground_truths: ground-truth records (``image_id``, ``category_id``, ``bbox`` as ``[x, y, w, h]``).
        detections: detection records (the same plus ``score``).
        metric: "coco" or "voc".
        iou_threshold: the VOC IoU threshold.
        method: the VOC interpolation, "all-point" or "11-point".

    Returns:
        The mAP as the answer; ``data`` holds every metric.

    Raises:
        EngineError: malformed annotations or options.
    """
    value, data, report = detection.map_report(
        ground_truths, detections, metric, iou_threshold, method
    )
    params = (
        {"metric": metric}
        if metric == "coco"
        else {"metric": metric, "iou_threshold": iou_threshold, "method": method}
    )
    title = "COCO mAP" if metric == "coco" else f"VOC mAP (IoU > {iou_threshold:g}, {method})"
    return Calculation(
        generator="map",
        params=params,
        expected=value,
        kind=AnswerKind.NUMBER,
        expected_text=format_expected(value, AnswerKind.NUMBER, 4, None, None),
        prompt=Text(zh=title, en=title),
        solution=report,
        data=data,
    )
