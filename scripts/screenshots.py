"""Render the README's screenshots of a drill with rich's own SVG export, so they never drift from the code.

Usage: ``python scripts/screenshots.py`` writes docs/img/recall.svg, compute.svg, compute-zh.svg (in Chinese),
code.svg (a code card's result after an attempt that forgot the stride) and summary.svg, drawn by the same `TerminalUI` code the drill uses at 80×24, on the bundled decks, at a fixed time
and seed.
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cvquiz.cli.drill_terminal import TerminalUI  # noqa: E402
from cvquiz.collection import Collection  # noqa: E402
from cvquiz.collection.queue import QueueFilter  # noqa: E402
from cvquiz.config import Settings  # noqa: E402
from cvquiz.i18n import set_language  # noqa: E402
from cvquiz.model import Rating  # noqa: E402
from cvquiz.paths import bundled_decks_dir  # noqa: E402
from cvquiz.study import Action, CardView, Progress, Reveal, Session, Summary, Verdict  # noqa: E402
from cvquiz.study.fronts import FrontContext, front_for  # noqa: E402

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
OUT = ROOT / "docs" / "img"


def console() -> Console:
    return Console(
        record=True,
        width=80,
        height=24,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
    )


def session(col: Collection, deck: str, seed: int, lang: str = "en") -> Session:
    return Session(
        col=col,
        settings=Settings(fuzz=False),
        now=lambda: NOW,
        lang=lang,
        flt=QueueFilter(decks=(deck,)),
        rng=random.Random(seed),
    )


def progress(study: Session, done: int, elapsed: float) -> Progress:
    return Progress(study.counts(), done, elapsed)


def compute_card(col: Collection, lang: str, path: Path, title: str) -> None:
    con = console()
    ui = TerminalUI(con, lang)
    study = session(col, "practice/conv", 7, lang)
    view = study.next()
    assert view is not None and view.instance is not None
    ui.show_front(view, progress(study, 3, 95.0))
    judgement = study.judge(view, view.instance.expected_text)
    reveal = Reveal(
        verdict=Verdict(judgement.correct, view.back, judgement.message),
        answer=view.instance.expected_text,
        proposed=Rating.GOOD,
        solution=view.instance.solution.get(lang),
    )
    ui.show_back(view, reveal, study.buttons(view))
    con.save_svg(str(path), title=title)


class _Editing(TerminalUI):
    """The terminal UI whose user opens the editor at once (the editor writes a conv2d that ignores stride)."""

    def read_action(self, view: CardView) -> Action:
        return Action.EDIT

    def judging(self, view: CardView, done: int, total: int) -> None:
        return None


def _forgot_the_stride(path: Path) -> int:
    import yaml

    deck = yaml.safe_load((bundled_decks_dir() / "code.yaml").read_text(encoding="utf-8"))
    card = next(c for c in deck["cards"] if c["id"] == "conv2d")
    code = card["solution"]["en"].replace("top, left = i * stride, j * stride", "top, left = i, j")
    path.write_text(code, encoding="utf-8")
    return 0


def code_card(col: Collection, path: Path) -> None:
    ui = _Editing(console(), "en", _forgot_the_stride, "vim")
    study = session(col, "code", 1)
    view = study.next()
    while view is not None and view.card_id != "conv2d":
        study.bury(view)
        view = study.next()
    assert view is not None
    ui.show_front(view, progress(study, 2, 310.0))
    reveal = front_for(view)(FrontContext(study, ui, view))
    assert not isinstance(reveal, Action)
    ui.console = con = console()  # the back alone, as the terminal shows it after the editor
    ui.show_back(view, reveal, study.buttons(view))
    con.save_svg(str(path), title="cvquiz drill — a code card after an attempt")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection.open(Path(tmp) / "c.sqlite")
        col.sync_decks(bundled_decks_dir(), Path(tmp) / "none", NOW)

        con = console()
        ui = TerminalUI(con, "en")
        study = session(col, "losses", 1)
        view = study.next()
        assert view is not None
        ui.show_front(view, progress(study, 0, 42.0))
        ui.show_back(view, Reveal(), study.buttons(view))
        con.save_svg(str(OUT / "recall.svg"), title="cvquiz drill — a recall card")

        compute_card(col, "en", OUT / "compute.svg", "cvquiz drill — a compute card")
        set_language("zh")
        try:
            compute_card(col, "zh", OUT / "compute-zh.svg", "cvquiz --lang zh drill — 计算卡")
        finally:
            set_language("en")

        code_card(col, OUT / "code.svg")

        con = console()
        TerminalUI(con, "en").show_summary(
            Summary(
                reviews=42,
                cards=37,
                again=5,
                compute_answered=12,
                compute_correct=10,
                seconds=754,
                streak=9,
                due_later_today=3,
                next_learning_minutes=10,
                due_tomorrow=37,
            )
        )
        con.save_svg(str(OUT / "summary.svg"), title="cvquiz drill — the session summary")
        col.close()


if __name__ == "__main__":
    main()
