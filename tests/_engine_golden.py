"""Load the golden JSON files written by tests/golden/make_golden.py and check engine functions against them.

A golden case holds the arguments, and either what PyTorch / SciPy returned ("expected") or the message they
raised ("raises"); in the latter case the engine must raise `EngineError`. Every case of a function is checked
in one test, and the failure message lists the first mismatches with their arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from cvquiz.engine import EngineError

GOLDEN = Path(__file__).resolve().parent / "golden"
RTOL = 1e-6
ATOL = 1e-12

Case = dict[str, Any]


@cache
def _load(file: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / file).read_text(encoding="utf-8"))
    return data


def golden_cases(file: str, function: str, minimum: int = 50) -> list[Case]:
    """The cases recorded for `function` in `file`; refuses a nearly empty list so no test passes vacuously."""
    cases: list[Case] = _load(file)["functions"][function]
    assert len(cases) >= minimum, f"{file}: only {len(cases)} cases for {function}"
    return cases


def close(actual: Any, expected: Any) -> bool:
    """Equal shapes and values within rel 1e-6 (abs 1e-12 near zero); NaN equals NaN; ints exactly."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True))


def check_cases(
    cases: list[Case],
    call: Callable[[Case], Any],
    matches: Callable[[Any, Any], bool],
    key: str = "expected",
) -> None:
    """Run `call` on every case and assert it matches `case[key]`, or raises EngineError where the library did."""
    failures: list[str] = []
    for number, case in enumerate(cases):
        try:
            actual = call(case)
        except EngineError as exc:
            if "raises" not in case:
                failures.append(
                    f"#{number} {case['kwargs']}: raised {exc!s} but expected {case[key]!r}"
                )
            continue
        except Exception as exc:
            failures.append(f"#{number} {case['kwargs']}: raised {type(exc).__name__}: {exc}")
            continue
        if "raises" in case:
            failures.append(
                f"#{number} {case['kwargs']}: returned {actual!r}, the library raised {case['raises']}"
            )
        elif not matches(actual, case[key]):
            failures.append(f"#{number} {case['kwargs']}: got {actual!r}, expected {case[key]!r}")
    assert not failures, f"{len(failures)} of {len(cases)} cases differ:\n" + "\n".join(
        failures[:10]
    )


def with_tuples(kwargs: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """JSON has no tuples: turn the listed int-or-pair arguments back into tuples."""
    return {k: tuple(v) if k in keys and isinstance(v, list) else v for k, v in kwargs.items()}
