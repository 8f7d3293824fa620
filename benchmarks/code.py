"""Time judging a correct conv2d over the code card's full case set, against what it cannot avoid.

Run by hand:

    python benchmarks/code.py [--runs 7]

The submission is the ``code/conv2d`` card's own model solution (plain loops, as on a whiteboard). The judge's
wall time includes starting the child process, importing NumPy there, building the card's cases (the engine
computes every expected value), sending them, running the submission and comparing. The time the submission
spends inside its own function is measured by the child and subtracted: what is left is the judge's overhead
(goal: under 1 s). The baseline is what any judge must pay: a bare ``python -c pass`` subprocess plus the
engine's own computation of the expected values (building the case set), both timed in the same run.

The drill starts the child while the user is in the editor (`CodeJudge.warm`), so what a person waits for after
saving is judging with a child already running: measured too, as "drill: from saving to the verdict".
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

# This folder holds queue.py and code.py, which would hide the standard library's modules of those names.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from cvquiz.codecards.judge import CodeJudge, build_cases, judge_code  # noqa: E402
from cvquiz.codecards.spec import code_spec  # noqa: E402
from cvquiz.deckfile import load_deck  # noqa: E402
from cvquiz.paths import bundled_decks_dir  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    card = load_deck(bundled_decks_dir() / "code.yaml", bundled=True).card("conv2d")
    spec = code_spec(card)
    solution = spec.solution_code("en")
    judged, inside, bare, engine, numpy_start, warm = [], [], [], [], [], []
    judge_code(spec, solution)  # warm-up: file caches, imports
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", "import numpy"], check=True)
        numpy_start.append(time.perf_counter() - start)
        start = time.perf_counter()
        cases = build_cases(spec)
        engine.append(time.perf_counter() - start)
        start = time.perf_counter()
        verdict = judge_code(spec, solution)
        judged.append(time.perf_counter() - start)
        inside.append(verdict.code_seconds)
        assert verdict.passed, verdict.summary
        with CodeJudge(spec) as judge:  # as the drill does: the child starts while the user edits
            judge.warm()  # (the case set is built after saving, inside the timed part, as in the drill)
            time.sleep(1.0)  # "editing"
            start = time.perf_counter()
            verdict = judge.judge(solution)
            warm.append(time.perf_counter() - start - verdict.code_seconds)
        assert verdict.passed, verdict.summary
    total = statistics.median(judged)
    code = statistics.median(inside)
    overhead = statistics.median(j - c for j, c in zip(judged, inside, strict=True))
    baseline = statistics.median(bare) + statistics.median(engine)
    print(f"code/conv2d: {len(cases)} cases, {args.runs} runs (medians)")
    print(f"  judging, wall time                    {total * 1000:8.1f} ms")
    print(f"  of which inside the submission        {code * 1000:8.1f} ms")
    print(
        f"  judge overhead (wall - submission)    {overhead * 1000:8.1f} ms   (goal < 1000 ms: "
        f"{'met' if overhead < 1.0 else 'NOT met'})"
    )
    print(f"  baseline: bare python start           {statistics.median(bare) * 1000:8.1f} ms")
    print(f"            + engine's expected values  {statistics.median(engine) * 1000:8.1f} ms")
    print(f"  overhead / baseline                   {overhead / baseline:8.2f}x")
    drill = statistics.median(warm)
    print(
        f"  drill: from saving to the verdict     {drill * 1000:8.1f} ms   (child started while editing; "
        f"{drill / baseline:.2f}x the baseline)"
    )
    print(
        f"  (for scale: a python start that imports NumPy, as the child must, "
        f"{statistics.median(numpy_start) * 1000:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
