"""The judges' reference functions and input generators: golden edge cases from the real libraries, valid draws.

tests/golden/make_golden_code.py ran scipy / torch / torchvision on every fixed edge case of
cvquiz/codecards/edge_cases.json and wrote code_edges.json; here each reference must agree with them, and the
edge-case file must be the one the golden values were made from.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest
from _engine_golden import close, golden_cases

from cvquiz.codecards.inputs import EDGE_CASES_FILE, INPUTS, edge_cases
from cvquiz.codecards.judge import build_cases
from cvquiz.codecards.references import REFERENCES, OutputKind
from cvquiz.codecards.spec import code_spec
from cvquiz.engine import EngineError
from cvquiz.model import Card, CardType, Text


def test_the_edge_cases_are_those_the_golden_values_were_made_from() -> None:
    from _engine_golden import _load

    recorded = _load("code_edges.json")["edge_cases_sha256"]
    assert hashlib.sha256(EDGE_CASES_FILE.read_bytes()).hexdigest() == recorded, (
        "cvquiz/codecards/edge_cases.json changed: run tests/golden/make_golden_code.py"
    )


def _matches(actual: Any, expected: Any, kind: OutputKind) -> bool:
    if kind is OutputKind.ARRAYS:
        return all(close(a, e) for a, e in zip(actual, expected, strict=True))
    if kind is OutputKind.INDICES:
        return list(actual) == list(expected)
    if np.size(expected) == 0:
        return np.size(actual) == 0
    return close(actual, expected)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_each_reference_agrees_with_its_library_on_every_edge_case(name: str) -> None:
    reference = REFERENCES[name]
    cases = golden_cases("code_edges.json", name, minimum=3)
    edges = {edge.label.get("en"): edge for edge in edge_cases(reference.inputs)}
    assert {case["label"] for case in cases} == set(edges)
    failures = []
    for case in cases:
        args = edges[case["label"]].args
        try:
            actual = reference.compute(**{arg: args[arg] for arg in reference.args})
        except EngineError as error:
            failures.append(f"{case['label']}: raised {error}")
            continue
        if not _matches(actual, case["expected"], reference.output.kind):
            failures.append(f"{case['label']}: got {actual!r}, expected {case['expected']!r}")
    assert failures == []


def test_every_reference_has_inputs_that_make_its_arguments() -> None:
    for reference in REFERENCES.values():
        assert set(reference.args) <= set(INPUTS[reference.inputs].args), reference.name


def test_every_input_generator_has_edge_cases() -> None:
    for name in INPUTS:
        assert len(edge_cases(name)) >= 3, name


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_drawn_cases_are_valid_and_vary(name: str) -> None:
    reference = REFERENCES[name]
    starter = f"def {name}({', '.join(reference.args)}):\n    pass\n"
    card = Card(
        id=f"t-{name}",
        type=CardType.CODE,
        question=Text("q", "q"),
        starter=Text(starter, starter),
        solution=Text(starter, starter),
        judge={"reference": name},
    )
    cases = build_cases(code_spec(card))
    drawn = [c for c in cases if c.params is not None]
    assert len(drawn) == INPUTS[reference.inputs].count
    assert len({repr(sorted(c.params.items())) for c in drawn if c.params}) > 5
