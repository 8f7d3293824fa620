"""The error the NumPy reference engine raises for arguments it cannot compute with.

`EngineError` is both a `CvquizError` (so the CLI prints its message on one line) and a `ValueError` (so code
that treats the engine as a plain numeric library can catch what it expects).
"""

from __future__ import annotations

from cvquiz.errors import CvquizError


class EngineError(CvquizError, ValueError):
    """Arguments the engine rejects, with a message saying which one is wrong and why.

    Raised where PyTorch or SciPy would raise (groups not dividing the channels, a kernel wider than the padded
    input, ...) and for arguments that make no sense (a negative size, an unknown reduction).
    """

    exit_code = 2
