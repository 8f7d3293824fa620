"""The engine package: what it exports, what it imports, and its error type."""

from __future__ import annotations

import subprocess
import sys

import cvquiz.engine as engine
from cvquiz.engine import EngineError
from cvquiz.errors import CvquizError


def test_every_exported_name_exists() -> None:
    missing = [name for name in engine.__all__ if not hasattr(engine, name)]
    assert not missing
    assert len(set(engine.__all__)) == len(engine.__all__)


def test_exports_the_detection_metrics_too() -> None:
    for name in ("box_iou", "voc_ap", "coco_map", "mask_iou", "precision_recall_f1"):
        assert name in engine.__all__


def test_engine_error_is_a_cvquiz_error_and_a_value_error() -> None:
    assert issubclass(EngineError, CvquizError)
    assert issubclass(EngineError, ValueError)


def test_engine_imports_only_numpy_and_the_standard_library() -> None:
    """Whatever the interpreter loads at start-up aside, importing the engine brings in numpy and nothing else."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import cvquiz.engine\n"
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    new_packages = set(result.stdout.split()) - set(sys.stdlib_module_names) - {"cvquiz", "numpy"}
    assert {name for name in new_packages if not name.startswith("_")} == set()
