"""The child process that runs a submission: the only place where code a person wrote is executed.

The judge (`cvquiz.codecards.sandbox`) starts it as ``python -I -c <bootstrap> RESULT_FD MEMORY_MB`` in a fresh
session and working folder. It limits itself (address space, CPU time, file size, no core dumps), then reads
requests as JSON lines on standard input and answers on the result descriptor:

- ``{"op": "load", "code", "filename", "function", "args"}``: compile and run the submission as the module
  ``submission`` (so an ``if __name__ == "__main__":`` block does not run) and find the function; answers
  ``loaded`` with ``ok`` or the reason (syntax, missing, signature, exception, exit, memory).
- ``{"op": "case", "id", "args", "fresh"}``: call the function; answers ``start`` first, then ``result`` with
  the returned value (in `cvquiz.codecards.wire` form), the seconds it took, the arguments it changed in place,
  those the result shares memory with, what it printed (cut short), or the exception it raised.

Nothing here decides whether a result is right: the child never sees the expected values. It imports only the
standard library, NumPy and the wire format, and the submission's prints never reach the terminal.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import sys
import time
import types
from typing import Any, TextIO

OUTPUT_LIMIT = 2_000
"""Characters of a case's printed output kept to show the person."""


class _Capture(io.TextIOBase):
    """A stand-in for stdout and stderr that keeps the first characters written and counts the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = OUTPUT_LIMIT - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"… ({self.dropped} more characters)"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


def _limit_resources(memory_mb: int) -> None:
    try:
        import resource
        import signal
    except ImportError:  # pragma: no cover - not a POSIX system: only the wall-time limit applies
        return
    budget = memory_mb * 1024 * 1024
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            in_use = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        in_use = 0
    for name, value in (
        ("RLIMIT_AS", in_use + budget),
        ("RLIMIT_CPU", 300),
        ("RLIMIT_FSIZE", 8 * 1024 * 1024),
        ("RLIMIT_CORE", 0),
    ):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            _soft, hard = resource.getrlimit(which)
            wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (wanted, hard))
        except (ValueError, OSError):  # pragma: no cover - a platform that refuses the limit
            pass
    if hasattr(signal, "SIGXFSZ"):  # writing past the size limit raises OSError instead of killing
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _die_with_parent()


def _die_with_parent() -> None:
    """On Linux, ask to be killed when the judging process goes away (never left spinning)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        pass


def _line_in(tb: types.TracebackType | None, filename: str) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _error(exc: BaseException, filename: str) -> dict[str, Any]:
    from cvquiz.codecards.wire import cut

    if isinstance(exc, SystemExit):
        return {"kind": "exit", "code": cut(repr(exc.code), 100)}
    if isinstance(exc, MemoryError):
        return {"kind": "memory"}
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ raises
        text = ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return {
        "kind": "exception",
        "type": type(exc).__name__,
        "message": cut(first, 300),
        "line": _line_in(exc.__traceback__, filename),
    }


class Child:
    """The request loop: one submission namespace per ``load``, the cases run against the latest one."""

    def __init__(self, requests: TextIO, results: TextIO) -> None:
        self.requests = requests
        self.results = results
        self.capture = _Capture()
        self.function: Any = None
        self.filename = "<submission>"
        self.arg_names: list[str] = []

    def send(self, message: dict[str, Any]) -> None:
        self.results.write(json.dumps(message, allow_nan=False) + "\n")
        self.results.flush()

    def serve(self) -> None:
        for line in self.requests:
            request = json.loads(line)
            op = request.get("op")
            if op == "load":
                self.load(request)
            elif op == "case":
                self.case(request)
            elif op == "exit":
                return

    def _own_streams(self) -> None:
        sys.stdout = sys.stderr = self.capture
        sys.stdin = io.StringIO("")

    def load(self, request: dict[str, Any]) -> None:
        self.function = None
        self.filename = str(request["filename"])
        self.arg_names = list(request["args"])
        name = str(request["function"])
        self.send({"op": "start", "id": 0})
        self._own_streams()
        try:
            code = compile(str(request["code"]), self.filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            message = getattr(exc, "msg", None) or str(exc)
            self.send(
                {"op": "loaded", "ok": False, "kind": "syntax", "message": message, "line": line}
            )
            return
        module = types.ModuleType("submission")
        module.__file__ = self.filename
        sys.modules["submission"] = module
        try:
            exec(code, module.__dict__)  # the child exists to run this code; the parent never does
        except BaseException as exc:
            self.send({"op": "loaded", "ok": False, **_error(exc, self.filename)})
            return
        function = module.__dict__.get(name)
        if not callable(function):
            defined = sorted(
                key
                for key, value in module.__dict__.items()
                if isinstance(value, types.FunctionType) and not key.startswith("_")
            )
            self.send({"op": "loaded", "ok": False, "kind": "missing", "defined": defined})
            return
        problem = _signature_problem(function, len(self.arg_names))
        if problem is not None:
            self.send({"op": "loaded", "ok": False, "kind": "signature", "message": problem})
            return
        self.function = function
        self.send({"op": "loaded", "ok": True, "output": self.capture.take()})

    def case(self, request: dict[str, Any]) -> None:
        import numpy as np

        from cvquiz.codecards.wire import decode, encode

        if self.function is None:  # the code did not load: there is nothing to call
            return
        case_id = request["id"]
        args = [decode(value) for value in request["args"]]
        pristine = [value.copy() if isinstance(value, np.ndarray) else None for value in args]
        self.send({"op": "start", "id": case_id})
        self._own_streams()
        error = None
        value: Any = None
        started = time.perf_counter()
        try:
            value = self.function(*args)
        except BaseException as exc:
            error = _error(exc, self.filename)
        seconds = time.perf_counter() - started
        mutated = [
            name
            for name, before, after in zip(self.arg_names, pristine, args, strict=True)
            if before is not None and not _unchanged(before, after)
        ]
        aliased: list[str] = []
        if error is None and request.get("fresh"):
            aliased = [
                name
                for name, arg in zip(self.arg_names, args, strict=True)
                if isinstance(arg, np.ndarray) and _shares_memory(value, arg)
            ]
        try:
            encoded = None if error is not None else encode(value)
        except MemoryError:
            encoded, error = None, {"kind": "memory"}
        del value
        self.send(
            {
                "op": "result",
                "id": case_id,
                "value": encoded,
                "error": error,
                "seconds": seconds,
                "mutated": mutated,
                "aliased": aliased,
                "output": self.capture.take(),
            }
        )


def _signature_problem(function: Any, count: int) -> str | None:
    import inspect

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*range(count))
    except TypeError:
        return f"{getattr(function, '__name__', 'the function')}{signature}"
    return None


def _unchanged(before: Any, after: Any) -> bool:
    import numpy as np

    return (
        isinstance(after, np.ndarray)
        and after.shape == before.shape
        and after.dtype == before.dtype
        and bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
    )


def _shares_memory(value: Any, arg: Any) -> bool:
    import numpy as np

    if isinstance(value, np.ndarray):
        return bool(np.may_share_memory(value, arg))
    if isinstance(value, list | tuple):
        return any(_shares_memory(item, arg) for item in value[:100])
    return False


def main() -> None:
    """Run the child: ``RESULT_FD MEMORY_MB`` on the command line, requests on standard input."""
    result_fd, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the submission must not read the requests
    os.close(null)
    results = os.fdopen(result_fd, "w", encoding="utf-8")
    import numpy  # noqa: F401  (before the memory limit: its own start-up is not the submission's)

    import cvquiz.codecards.wire  # noqa: F401

    _limit_resources(memory_mb)
    builtins.input = _no_input
    Child(requests, results).serve()


def _no_input(prompt: object = "") -> str:
    raise EOFError("a submission cannot read input while it is judged")
