"""The error the NumPy reference engine raises for arguments it cannot compute with.

`EngineError` is both a `CvquizError` (so the CLI prints its message on one line) and a `ValueError` (so code
that treats the engine as a plain numeric library can catch what it expects). Its message is a template with
fields, marked with `N_`: ``EngineError(N_("{name} must be positive, got {value}"), name=name, value=value)``.
``str(error)`` is English; the CLI shows ``error.localized(_)``, in the person's language. The engine itself
never translates (it does not import `cvquiz.i18n`).
"""

from __future__ import annotations

from cvquiz.errors import N_, CvquizError, Phrase

__all__ = ["N_", "EngineError", "Phrase"]


class EngineError(CvquizError, ValueError):
    """Arguments the engine rejects, with a message saying which one is wrong and why.

    Raised where PyTorch or SciPy would raise (groups not dividing the channels, a kernel wider than the padded
    input, ...) and for arguments that make no sense (a negative size, an unknown reduction).
    """

    exit_code = 2
