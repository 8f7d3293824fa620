"""Anki interop: export to .apkg and plain text, import of Anki text exports and CSV.

genanki (which writes the packages) imports the ``cached_property`` package, a backport for Pythons before 3.8,
for two properties (``Model._req``, ``Note.cards``); that package imports asyncio, about 20 ms of every
export's start-up. Before any module here imports genanki, the standard library's `functools.cached_property`,
which computes the value once per instance and keeps it in the instance's ``__dict__`` as the backport does,
stands in for it, unless the backport is already loaded. The tests that hold cvquiz's packages equal to
genanki's own run with it.
"""

import sys
from functools import cached_property as _cached_property
from types import ModuleType

if "cached_property" not in sys.modules:
    _backport = ModuleType(
        "cached_property", "functools.cached_property, standing in for the backport."
    )
    _backport.cached_property = _cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _backport
