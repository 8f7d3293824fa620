"""Helpers shared by the benchmarks: timing commands and printing ratios against a named baseline."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def time_command(argv: Sequence[str], env: dict[str, str] | None = None, runs: int = 7) -> float:
    """Return the median wall time of a command, in seconds (one warm-up run first)."""
    merged = {**os.environ, **(env or {})}
    subprocess.run(argv, env=merged, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=merged, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_interleaved(
    commands: dict[str, Sequence[str]],
    env: dict[str, str] | None = None,
    rounds: int = 9,
    extra_env: dict[str, dict[str, str]] | None = None,
) -> dict[str, float]:
    """Return each command's median wall time in seconds, running them in turn, round after round.

    Interleaving puts every command, the baseline included, under the same machine load; each runs once
    untimed first (warm caches, a synced collection). Standard input is empty, so a drill shows its first
    card and ends. ``extra_env`` adds variables to the environment of the commands it names.
    """
    merged = {**os.environ, **(env or {})}
    envs = {name: {**merged, **(extra_env or {}).get(name, {})} for name in commands}

    def run(name: str) -> None:
        subprocess.run(
            commands[name],
            env=envs[name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )

    for name in commands:
        run(name)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name in commands:
            start = time.perf_counter()
            run(name)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def time_call(
    fn: Callable[[], object], runs: int = 5, setup: Callable[[], object] | None = None
) -> float:
    """Return the median wall time of a Python call, in seconds."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(
    name: str, seconds: float, baseline_name: str, baseline: float, goal: float | None = None
) -> None:
    """Print one line: the figure, the baseline and their ratio (and the goal when there is one)."""
    ratio = seconds / baseline
    goal_text = (
        "" if goal is None else f"  (goal <= {goal:g}x: {'met' if ratio <= goal else 'NOT met'})"
    )
    print(
        f"{name:<34} {seconds * 1000:9.1f} ms   vs {baseline_name} {baseline * 1000:8.1f} ms   = {ratio:5.2f}x{goal_text}"
    )


def compile_bytecode() -> None:
    """Compile cvquiz's modules to bytecode, as installing its wheel does, and print the machine's load.

    An editable install (or ``PYTHONDONTWRITEBYTECODE``) would otherwise leave every start compiling cvquiz
    from source, while the baseline's typer comes compiled: that is not what a user runs.
    """
    import cvquiz

    compileall.compile_dir(os.path.dirname(cvquiz.__file__), quiet=1)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores; Python {sys.version.split()[0]}")


PYTHON = sys.executable
