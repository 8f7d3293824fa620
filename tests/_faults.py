"""Faults for tests that run the installed ``cvquiz``: a full disk and a permission the process lacks.

- `on_small_disk` runs a command with a small tmpfs mounted over a folder (in a user and mount namespace, which
  needs no privilege where the kernel allows user namespaces): writes there fail with ENOSPC for real.
- `unprivileged` runs a command without the capabilities that let root ignore file modes, so a 0555 folder or
  a 0444 file refuses writes even when the tests run as root.

Each skips the test where the machine cannot provide the fault.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

_CAPS = "-dac_override,-dac_read_search,-fowner,-linux_immutable"


def cvquiz_command() -> str:
    """Return the installed ``cvquiz`` (the test skips without it)."""
    path = shutil.which("cvquiz")
    if path is None:
        pytest.skip("the cvquiz command is not installed")
    return path


def run(
    argv: Sequence[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with the test's environment (the autouse fixture's CVQUIZ_* variables)."""
    return subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=120,
        check=False,
    )


def unprivileged(argv: Sequence[str]) -> list[str]:
    """Return ``argv`` run so that file modes bind the process (root's override capabilities dropped)."""
    if os.geteuid() != 0:
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to bind")
    probe = subprocess.run(
        [setpriv, f"--bounding-set={_CAPS}", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    return [setpriv, f"--bounding-set={_CAPS}", *argv]


def on_small_disk(folder: Path, argv: Sequence[str], size_kb: int = 64) -> list[str]:
    """Return ``argv`` run with a ``size_kb`` tmpfs mounted over ``folder`` (created; empty inside the run).

    Only the command sees the mount; ``folder`` is left as it was for the test to look at afterwards.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: a full disk cannot be simulated")
    folder.mkdir(parents=True, exist_ok=True)
    script = 'mount -t tmpfs -o size="$1"k tmpfs "$2" && shift 2 && exec "$@"'
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", script, "sh", str(size_kb), str(folder), "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available: a full disk cannot be simulated")
    return [unshare, "-rm", "sh", "-c", script, "sh", str(size_kb), str(folder), *argv]
