"""The judge and its child process facing code that misbehaves: each ends in a one-line verdict, never a hang.

Infinite loops (in the function and at import), memory bombs, sys.exit, os._exit, a segfault, a megabyte of
output, input(), exceptions, wrong return types, in-place changes, syntax errors, a missing function, a wrong
signature. Also: the case set is fixed per card, a failing drawn case is shrunk, and the parent never runs the
code (a submission that would write a file in the parent's folder writes it elsewhere, if anywhere).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cvquiz.codecards.compare import FailureKind
from cvquiz.codecards.judge import CodeJudge, build_cases, judge_code
from cvquiz.codecards.sandbox import Limits
from cvquiz.codecards.spec import CodeSpec, code_spec
from cvquiz.model import Card, CardType, Text

FAST = Limits(seconds=1.5, memory_mb=256)

REVERSE_STARTER = 'def reverse_rows(a):\n    """Rows reversed."""\n'
REVERSE_OK = "def reverse_rows(a):\n    return a[::-1].copy()\n"

CONV_STARTER = "def conv2d(x, w, b, stride, padding):\n    pass\n"


def card(reference: str, starter: str, **judge: object) -> Card:
    return Card(
        id=f"test-{reference}",
        type=CardType.CODE,
        question=Text("task", "task"),
        starter=Text(starter, starter),
        solution=Text(starter, starter),
        judge={"reference": reference, **judge},
    )


@pytest.fixture(scope="module")
def reverse() -> CodeSpec:
    return code_spec(card("reverse_rows", REVERSE_STARTER))


def judged(spec: CodeSpec, code: str) -> tuple[str, FailureKind | None, str]:
    verdict = judge_code(spec, code, limits=FAST)
    assert verdict.passed == (verdict.kind is None)
    assert "\n" not in verdict.summary
    return (
        verdict.summary,
        verdict.kind,
        verdict.first_failure.message if verdict.first_failure else "",
    )


def test_a_correct_submission_passes(reverse: CodeSpec) -> None:
    verdict = judge_code(reverse, REVERSE_OK, limits=FAST)
    assert verdict.passed and verdict.failed == 0 and verdict.first_failure is None
    assert verdict.cases == len(build_cases(reverse)) >= 20
    assert verdict.summary == f"passed all {verdict.cases} cases"


@pytest.mark.parametrize(
    ("code", "kind", "summary"),
    [
        pytest.param(
            "def reverse_rows(a):\n    while True:\n        pass\n",
            FailureKind.TIMEOUT,
            "timed out after 1.5 s on case 1",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "while True:\n    pass\n",
            FailureKind.TIMEOUT,
            "timed out after 1.5 s while loading the code",
            marks=pytest.mark.slow,
        ),
        (
            "def reverse_rows(a):\n    return [0] * 10**10\n",
            FailureKind.MEMORY,
            "ran out of memory (the limit is 256 MiB)",
        ),
        (
            "import numpy as np\ndef reverse_rows(a):\n    return np.ones((40000, 40000))\n",
            FailureKind.MEMORY,
            "ran out of memory",
        ),
        (
            "import sys\ndef reverse_rows(a):\n    sys.exit(3)\n",
            FailureKind.EXIT,
            "called sys.exit(3)",
        ),
        (
            "import sys\nsys.exit(0)\n",
            FailureKind.EXIT,
            "called sys.exit(0) while loading the code",
        ),
        (
            "import os\ndef reverse_rows(a):\n    os._exit(0)\n",
            FailureKind.CRASH,
            "ended (exit code 0) on case 1",
        ),
        (
            "import ctypes\ndef reverse_rows(a):\n    return ctypes.string_at(0)\n",
            FailureKind.CRASH,
            "ended (signal SIGSEGV) on case 1",
        ),
        (
            "def reverse_rows(a):\n    return a[::-1].copy() if len(a) > 99 else 1 / 0\n",
            FailureKind.EXCEPTION,
            "raised ZeroDivisionError: division by zero (line 2)",
        ),
        ("def reverse_rows(a):\n    return input()\n", FailureKind.EXCEPTION, "raised EOFError"),
        ("def reverse_rows(a)\n    return a\n", FailureKind.SYNTAX, "syntax error on line 1"),
        (
            "def flip(a):\n    return a\n",
            FailureKind.MISSING,
            "no function reverse_rows (it defines: flip)",
        ),
        (
            "def reverse_rows(a, b):\n    return a\n",
            FailureKind.SIGNATURE,
            "reverse_rows(a, b) cannot be called as reverse_rows(a)",
        ),
        (
            "import numpy as np\nreverse_rows = np.flipud\n",
            FailureKind.MUTATION,
            "returned a view of its argument a",
        ),
        (
            "def reverse_rows(a):\n    a[:] = a[::-1].copy()\n    return a.copy()\n",
            FailureKind.MUTATION,
            "changed its argument a in place",
        ),
        (
            "def reverse_rows(a):\n    return a[::-1].tolist()\n",
            FailureKind.TYPE,
            "returned a list of",
        ),
        (
            "def reverse_rows(a):\n    return None\n",
            FailureKind.TYPE,
            "returned None, expected an ndarray of shape",
        ),
        ("def reverse_rows(a):\n    return a.copy()\n", FailureKind.TOLERANCE, "values differ"),
        ("def reverse_rows(a):\n    return a[1::-1].copy()\n", FailureKind.SHAPE, "expected shape"),
        (
            "class Rows:\n    pass\ndef reverse_rows(a):\n    return Rows()\n",
            FailureKind.TYPE,
            "an object of type Rows",
        ),
    ],
)
def test_misbehaving_code_ends_in_a_one_line_verdict(
    reverse: CodeSpec, code: str, kind: FailureKind, summary: str
) -> None:
    text, got_kind, _ = judged(reverse, code)
    assert got_kind is kind, text
    assert summary in text


def test_printing_a_megabyte_is_captured_and_cut_short(reverse: CodeSpec) -> None:
    code = (
        "import os, sys\n"
        "def reverse_rows(a):\n"
        "    print('x' * 1_000_000)\n"
        "    sys.stderr.write('y' * 1_000_000)\n"
        "    os.write(1, b'z' * 1_000_000)\n"
        "    return a.copy()\n"
    )
    verdict = judge_code(reverse, code, limits=FAST)
    assert verdict.kind is FailureKind.TOLERANCE or verdict.kind is None
    failure = verdict.first_failure
    assert failure is not None
    assert failure.output.startswith("xxx")
    assert len(failure.output) < 3000 and "more characters" in failure.output


def test_a_value_returned_with_a_nan_names_it() -> None:
    spec = code_spec(
        card("softmax_cross_entropy", "def softmax_cross_entropy(logits, targets):\n    pass\n")
    )
    code = (
        "import numpy as np\n"
        "def softmax_cross_entropy(logits, targets):\n"
        "    e = np.exp(logits)\n"
        "    p = e / e.sum(axis=1, keepdims=True)\n"
        "    return -np.mean(np.log(p[np.arange(len(targets)), targets]))\n"
    )
    verdict = judge_code(spec, code, limits=FAST)
    assert verdict.kind is FailureKind.TOLERANCE
    assert verdict.first_failure is not None
    assert verdict.first_failure.label is not None  # an edge case: logits up to ±1e4
    assert "got nan" in verdict.first_failure.message
    assert "RuntimeWarning" in verdict.first_failure.output


def test_the_case_set_is_fixed_for_a_card(reverse: CodeSpec) -> None:
    first, second = build_cases(reverse), build_cases(reverse)
    assert [c.params for c in first] == [c.params for c in second]
    assert all(np.array_equal(a.args["a"], b.args["a"]) for a, b in zip(first, second, strict=True))
    labels = [c.label.get("en") for c in first if c.label is not None]
    assert "no rows" in labels and "integers stay integers" in labels


def test_card_params_narrow_the_drawn_cases() -> None:
    spec = code_spec(
        card("conv2d", CONV_STARTER, params={"stride": [2], "padding": {"min": 1, "max": 1}})
    )
    drawn = [c for c in build_cases(spec) if c.params is not None]
    assert drawn and all(c.args["stride"] == 2 and c.args["padding"] == 1 for c in drawn)


def test_a_failing_case_is_shrunk_to_a_smaller_one() -> None:
    spec = code_spec(card("conv2d", CONV_STARTER))
    flipped = (
        "import numpy as np\n"
        "def conv2d(x, w, b, stride, padding):\n"
        "    N, C, H, W = x.shape\n"
        "    F, _, KH, KW = w.shape\n"
        "    OH, OW = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1\n"
        "    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))\n"
        "    out = np.zeros((N, F, OH, OW))\n"
        "    for i in range(OH):\n"
        "        for j in range(OW):\n"
        "            win = xp[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]\n"
        "            out[:, :, i, j] = np.tensordot(win, w[:, :, ::-1, ::-1], axes=([1, 2, 3], [1, 2, 3]))\n"
        "    return out if b is None else out + b.reshape(1, -1, 1, 1)\n"
    )
    cases = build_cases(spec)
    verdict = judge_code(spec, flipped, limits=FAST)
    failure = verdict.first_failure
    assert failure is not None and failure.shrunk and failure.kind is FailureKind.TOLERANCE
    original = next(c for c in cases if c.number == failure.case)
    size = sum(np.size(v) for v in failure.inputs.values() if isinstance(v, list))
    assert size < sum(np.size(v) for v in original.args.values() if isinstance(v, np.ndarray))
    # The shrunk case is small and exact: its values are whole numbers.
    assert all(float(v).is_integer() for v in np.ravel(failure.inputs["x"]))


def test_each_judgement_gets_a_fresh_child(reverse: CodeSpec) -> None:
    # The first submission breaks numpy for anything that runs after it in the same process.
    poison = "import numpy as np\nnp.ascontiguousarray = None\ndef reverse_rows(a):\n    return a[::-1].copy()\n"
    with CodeJudge(reverse, FAST) as judge:
        judge.judge(poison)
        assert judge.judge(REVERSE_OK).passed


def test_the_parent_never_runs_the_code(
    reverse: CodeSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = "open('ran-here', 'w').write('x')\ndef reverse_rows(a):\n    return a[::-1].copy()\n"
    assert judge_code(reverse, code, limits=FAST).passed
    assert not (tmp_path / "ran-here").exists()
    assert "ran-here" not in os.listdir(Path.cwd())


@pytest.mark.slow
def test_a_child_started_ahead_waits_as_long_as_the_user_edits(
    reverse: CodeSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The drill starts the child when the editor opens; the user may take longer than the start-up limit.
    import time

    from cvquiz.codecards import sandbox

    monkeypatch.setattr(sandbox, "START_SECONDS", 2.0)
    with CodeJudge(reverse, FAST) as judge:
        judge.warm()
        time.sleep(3.0)  # "editing", past the start-up limit counted from the child's start
        verdict = judge.judge(REVERSE_OK)
    assert verdict.passed, verdict.summary
