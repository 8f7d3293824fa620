"""cvquiz.report_html: a self-contained, well-formed report whose text is escaped, rendered by a real browser.

The browser test runs Debian's chromium headless where it is installed (``apt-get install -y chromium``) and is
skipped elsewhere.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from _english import english_words

from cvquiz import i18n
from cvquiz.model import Text
from cvquiz.report_html import render_stats_html
from cvquiz.stats import (
    HEATMAP_DAYS,
    DayCount,
    GeneratorStats,
    GroupStats,
    MistakeCount,
    RetentionWindow,
    Stats,
    Streak,
)

TODAY = date(2026, 3, 2)
HOSTILE = "<script>alert(\"x\")</script> & 'q' [b]"
SVG = "{http://www.w3.org/2000/svg}"


def group(key: str, name: str, again: int, reviews: int) -> GroupStats:
    return GroupStats(
        key=key, name=name, cards=10, new=2, learning=1, young=3, mature=3, suspended=1,
        leeches=1, reviews=reviews, again=again, again_rate=again / reviews if reviews else None,
    )  # fmt: skip


def sample_stats(days: int = 30) -> Stats:
    heatmap = tuple(
        DayCount((TODAY - timedelta(days=HEATMAP_DAYS - 1 - i)).isoformat(), (i * 7) % 23)
        for i in range(HEATMAP_DAYS)
    )
    return Stats(
        now="2026-03-02T09:00:00+00:00",
        study_day=TODAY.isoformat(),
        days=days,
        decks=(HOSTILE,),
        desired_retention=0.9,
        heatmap=heatmap,
        streak=Streak(current=4, longest=20, study_days=300, studied_today=True),
        retention=(
            RetentionWindow(1, 0, 0, None),
            RetentionWindow(7, 40, 50, 0.8),
            RetentionWindow(30, 180, 200, 0.9),
            RetentionWindow(365, 1800, 2000, 0.9),
        ),
        estimated_retention=0.91,
        review_cards=321,
        forecast=tuple(
            DayCount((TODAY + timedelta(days=i)).isoformat(), (i * 5) % 17) for i in range(days)
        ),
        by_deck=(group("a", HOSTILE, 5, 20), group("b", "Deck B", 0, 0)),
        by_tag=(group("x<y", "x<y", 1, 10),),
        compute=(
            GeneratorStats(
                generator=HOSTILE,
                answered=10,
                correct=6,
                accuracy=0.6,
                classified=4,
                mistakes=(MistakeCount("plus_one", Text(zh="漏了 +1", en="forgot the <+1>"), 3),),
            ),
        ),
    )


def parse(document: str) -> ET.Element:
    assert document.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(document.removeprefix("<!DOCTYPE html>\n"))


def test_the_report_is_well_formed_and_self_contained() -> None:
    document = render_stats_html(sample_stats())
    root = parse(document)
    assert root.tag == "html" and root.get("lang") == "en"
    tags = {el.tag for el in root.iter()}
    assert "script" not in tags and f"{SVG}script" not in tags
    # nothing is fetched: no links, sources or styles from elsewhere
    for el in root.iter():
        assert not {"href", "src", "{http://www.w3.org/1999/xlink}href"} & set(el.attrib)
    assert "url(" not in document and "@import" not in document
    days = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "day"]
    assert len(days) == HEATMAP_DAYS
    assert [int(el.get("data-count", "-1")) for el in days] == [
        d.count for d in sample_stats().heatmap
    ]
    due = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "due"]
    assert [int(el.get("data-count", "-1")) for el in due] == [
        d.count for d in sample_stats().forecast
    ]
    assert len([el for el in root.iter(f"{SVG}rect") if el.get("class") == "retention"]) == 3


def test_every_card_deck_and_tag_text_is_escaped() -> None:
    document = render_stats_html(sample_stats())
    assert "<script>" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27; [b]" in document
    root = parse(document)
    texts = [el.text for el in root.iter("td")]
    assert HOSTILE in texts  # shown as text in the decks table
    assert "x<y" in texts
    assert "forgot the <+1> (3/4)" in texts
    assert any(HOSTILE in (el.text or "") for el in root.iter("p"))  # the scope line


def test_labels_follow_the_language() -> None:
    i18n.set_language("zh")
    root = parse(render_stats_html(sample_stats()))
    assert root.get("lang") == "zh"
    headings = [el.text for el in root.iter("h2")]
    assert "真实保持率" in headings
    assert "漏了 +1 (3/4)" in [el.text for el in root.iter("td")]
    # every word of the report is Chinese, but for the data (the deck named "Deck B")
    data = {"Deck"}
    words = [
        word
        for el in root.iter()
        if el.tag != "style"
        for text in (el.text, el.tail, el.get("aria-label"))
        if text
        for word in english_words(text, allow=data)
    ]
    assert words == []
    svg_text = [el.text for el in root.iter(f"{SVG}text")]
    assert "周一" in svg_text and any(t and t.endswith("月") for t in svg_text)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(chromium() is None, reason="no headless browser (apt-get install -y chromium)")
def test_a_headless_browser_renders_the_report(tmp_path: Path) -> None:
    browser = chromium()
    assert browser is not None
    page = tmp_path / "report.html"
    page.write_text(render_stats_html(sample_stats()), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # the browser built the document we wrote: every heatmap cell, the escaped text, no script
    assert dom.count('class="day"') == HEATMAP_DAYS
    assert "&lt;script&gt;alert" in dom and "<script>" not in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
