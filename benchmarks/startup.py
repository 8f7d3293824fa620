"""Start-up time: ``cvquiz --version`` and ``cvquiz decks`` against ``python -c "import typer"``.

Run by hand: ``python benchmarks/startup.py``. Uses a throw-away collection.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, report, time_command


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cvquiz-bench-"))
    env = {
        "CVQUIZ_COLLECTION": str(tmp / "c.sqlite"),
        "CVQUIZ_DECKS": str(tmp / "decks"),
        "CVQUIZ_CONFIG": str(tmp / "c.toml"),
    }
    cvquiz = [PYTHON, "-m", "cvquiz"]
    baseline = time_command([PYTHON, "-c", "import typer"])
    report("cvquiz --version", time_command([*cvquiz, "--version"], env), "import typer", baseline)
    report("cvquiz --help", time_command([*cvquiz, "--help"], env), "import typer", baseline)
    report(
        "cvquiz decks (synced collection)",
        time_command([*cvquiz, "decks"], env),
        "import typer",
        baseline,
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
