"""The parent's side of the child process that runs a submission: start it, talk to it, time it, end it.

`Sandbox` starts `cvquiz.codecards.child` as a separate Python process in its own session and a fresh temporary
folder, with a minimal environment (one BLAS thread). Requests go to its standard input from a writer thread
(so a large batch of cases never deadlocks against the answers); answers come back on a pipe of their own and
are read with a deadline: every request the child starts must be answered within the wall-time limit, or the
whole process group is killed. What the child writes on its own standard output and error (C-level writes, a
crash report) is drained by a thread and kept only up to a few kilobytes. However the child ends (a timeout, a
segfault, ``os._exit``, a closed pipe), the caller gets a `Stop` describing it, never an exception or a hang.

Nothing here looks at the submission's code or its results: `cvquiz.codecards.judge` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_LIMITS", "Limits", "Sandbox", "Stop"]

START_SECONDS = 60.0
"""How long the child may take to start (Python and NumPy) before it counts as broken."""
OUTPUT_KEEP = 16 * 1024
"""Bytes of the child's own stdout/stderr kept (for a crash report)."""
MAX_MESSAGE = 64 * 1024 * 1024
"""A longer answer line is refused."""


@dataclass(frozen=True)
class Limits:
    """What a submission may use.

    Attributes:
        seconds: wall time for loading the code and for each case.
        memory_mb: address space the submission may add to the child's own (where ``setrlimit`` exists).
    """

    seconds: float = 5.0
    memory_mb: int = 512


DEFAULT_LIMITS = Limits()
"""5 s per case, 512 MiB."""


@dataclass(frozen=True)
class Stop:
    """The child stopped answering.

    Attributes:
        kind: ``"timeout"`` (killed after the limit) or ``"crash"`` (it ended by itself or by a signal).
        request: the request it was working on (0 for loading the code), or None before it started one.
        returncode: the process's exit status (negative: the signal number), or None.
        output: the end of what the process wrote itself (a crash report), possibly empty.
    """

    kind: str
    request: int | None
    returncode: int | None
    output: str

    @property
    def signal_name(self) -> str | None:
        """The name of the signal that ended the process (``SIGSEGV``), or None."""
        if self.returncode is None or self.returncode >= 0:
            return None
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"


def _child_command(result_fd: int, limits: Limits) -> list[str]:
    root = str(Path(__file__).resolve().parent.parent.parent)
    bootstrap = (
        f"import sys; sys.path.insert(0, {root!r}); from cvquiz.codecards.child import main; main()"
    )
    return [sys.executable, "-I", "-c", bootstrap, str(result_fd), str(limits.memory_mb)]


def _child_environment(folder: str) -> dict[str, str]:
    env = {
        "PATH": os.defpath,
        "HOME": folder,
        "TMPDIR": folder,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    for name in (
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    ):
        env[name] = "1"
    if "SYSTEMROOT" in os.environ:  # pragma: no cover - Windows needs it to start Python at all
        env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return env


class Sandbox:
    """One child process, started at once, serving requests until `close`.

    Use it as a context manager so the process group is always killed and the folder removed.
    """

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._folder = tempfile.TemporaryDirectory(prefix="cvquiz-judge-")
        read_fd, write_fd = os.pipe()
        try:
            self._proc = subprocess.Popen(
                _child_command(write_fd, limits),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                cwd=self._folder.name,
                env=_child_environment(self._folder.name),
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            os.close(write_fd)
            self._folder.cleanup()
            raise
        os.close(write_fd)
        self._results = read_fd
        os.set_blocking(read_fd, False)
        self._buffer = b""
        self._eof = False
        self._started = time.monotonic()
        self._current: int | None = None
        self._deadline = self._started + START_SECONDS
        self._stopped: Stop | None = None
        self._output = bytearray()
        self._outgoing: queue.Queue[bytes | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, daemon=True)
        self._writer.start()
        self._drainer = threading.Thread(target=self._drain_loop, daemon=True)
        self._drainer.start()

    # --- plumbing -------------------------------------------------------------------------------------------

    def _write_loop(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        while True:
            data = self._outgoing.get()
            if data is None:
                break
            try:
                stdin.write(data)
                stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                break
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def _drain_loop(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while chunk := os.read(stdout.fileno(), 65536):
                room = OUTPUT_KEEP - len(self._output)
                if room > 0:
                    self._output.extend(chunk[:room])
        except (OSError, ValueError):
            pass

    def send(self, message: dict[str, Any]) -> None:
        """Queue one request for the child (nothing happens once it has stopped)."""
        if self._stopped is None:
            if (
                self._current is None
            ):  # a child started ahead (while the user edits) boots from now on
                self._deadline = max(self._deadline, time.monotonic() + START_SECONDS)
            self._outgoing.put(json.dumps(message, allow_nan=False).encode() + b"\n")

    @property
    def stopped(self) -> Stop | None:
        """Why the child stopped answering, or None while it works."""
        return self._stopped

    def receive(self) -> dict[str, Any] | Stop:
        """Wait for the child's next answer (``loaded`` or ``result``).

        Returns:
            The answer, or a `Stop` when the child timed out (it is killed then) or ended.
        """
        if self._stopped is not None:
            return self._stopped
        with selectors.DefaultSelector() as selector:
            selector.register(self._results, selectors.EVENT_READ)
            while True:
                message = self._next_line()
                if message is not None:
                    if message.get("op") == "garbled":
                        return self._stop("crash")
                    if message.get("op") == "start":
                        self._current = int(message.get("id", 0))
                        self._deadline = time.monotonic() + self.limits.seconds
                        continue
                    return message
                if self._eof:
                    return self._stop("crash")
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    return self._stop("timeout")
                if selector.select(timeout=min(remaining, 0.5)):
                    self._read()

    def _read(self) -> None:
        try:
            chunk = os.read(self._results, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._eof = True
        self._buffer += chunk
        if len(self._buffer) > MAX_MESSAGE and b"\n" not in self._buffer:
            self._eof = True

    def _next_line(self) -> dict[str, Any] | None:
        line, newline, rest = self._buffer.partition(b"\n")
        if not newline:
            return None
        self._buffer = rest
        try:
            message = json.loads(line)
        except ValueError:
            return {"op": "garbled"}
        return message if isinstance(message, dict) else {"op": "garbled"}

    def _stop(self, kind: str) -> Stop:
        self._kill()
        output = bytes(self._output).decode("utf-8", "replace")
        self._stopped = Stop(kind, self._current, self._proc.returncode, output[-4000:])
        return self._stopped

    def _kill(self) -> None:
        # The group is our child's own session: this also ends whatever the submission started.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(self._proc.pid, signal.SIGKILL)
            else:  # pragma: no cover - no process groups: end the child itself
                self._proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=10)

    def close(self) -> None:
        """End the child (its whole process group) and remove its folder."""
        if self._stopped is None and self._proc.poll() is None:
            self.send({"op": "exit"})
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=0.5)
        self._outgoing.put(None)
        self._kill()
        with contextlib.suppress(OSError):
            os.close(self._results)
        self._writer.join(timeout=1)
        self._drainer.join(timeout=1)
        if self._proc.stdout is not None:
            with contextlib.suppress(OSError):
                self._proc.stdout.close()
        self._folder.cleanup()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
