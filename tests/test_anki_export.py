"""Anki export verified with the real Anki: packages and text files imported through Anki's own import API.

The bundled decks plus a small deck of our own (CJK, MathJax, HTML-looking text, every card type) are synced
into a cvquiz collection, a few cards are studied, and the export is imported into a fresh Anki collection
once per module; each test then asserts on what Anki holds. Expected values come from the cvquiz collection
(counted with SQL of its own) or are written out by hand here, never from the exporter.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

anki_collection = pytest.importorskip("anki.collection")
from anki.import_export_pb2 import ImportCsvRequest  # noqa: E402

from cvquiz.anki.exporter import (  # noqa: E402
    AnkiExportOptions,
    anki_tags,
    deck_id_for,
    export_anki,
    instance_seed,
    note_guid,
)
from cvquiz.anki.text_export import cloze_side, export_text  # noqa: E402
from cvquiz.collection import Collection  # noqa: E402
from cvquiz.collection.scheduling import suspend  # noqa: E402
from cvquiz.config import Settings  # noqa: E402
from cvquiz.errors import CardNotFoundError, UsageError  # noqa: E402
from cvquiz.model import Rating  # noqa: E402
from cvquiz.paths import bundled_decks_dir  # noqa: E402
from cvquiz.review_policy import record_review  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INSTANCES = 2

TEST_DECK = r"""
deck: anki-test
name: Anki Test::Export
description: {zh: 导出测试, en: Export test}
tags: [export-test]
cards:
  - id: cjk
    question: {zh: 卷积核在输入上滑动，每个位置逐元素相乘再求和。这叫什么？, en: What is sliding a kernel and summing products called?}
    answer: {zh: 互相关（深度学习里称作卷积）。, en: Cross-correlation (called convolution in deep learning).}
    tags: [anki-test::cjk]
  - id: math
    question: |-
      What is $\sigma'(x)$ when $\sigma(x) = \frac{1}{1+e^{-x}}$, for $x_i * 2$?
    answer: |-
      $$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$$
    explanation: |-
      Maximum $\frac{1}{4}$ at $x = 0$; `np.exp` overflows for *large* $|x|$.
    source: https://example.com/sigmoid?a=1&b=2
  - id: html
    question: "What does <script>alert(1)</script> print if a < b && c > d?"
    answer: "Nothing: it is text, <b>not</b> markup."
  - id: both-ways
    type: reversed
    question: {zh: 步长, en: stride}
    answer: {zh: 卷积核每次移动的像素数, en: how many pixels the kernel moves per step}
  - id: gaps
    type: cloze
    question: |-
      softmax $\frac{e^{z_{i}}}{Z}$: {{c1::$e^{z_i}$}} divided by {{c2::$\sum_j e^{z_j}$::a sum}}
    answer: Shift-invariant.
  - id: shape
    type: compute
    generator: conv2d_output_shape
    params: {stride: [1], dilation: [1], groups: [1], padding: [0, 1], square: [true]}
    question: {zh: 先写公式。, en: Write the formula first.}
"""


@dataclass
class Exported:
    """The module's export and its import into Anki."""

    tmp: Path
    col: Collection
    package: Path
    result: Any
    anki: Any
    log: Any
    pks: dict[str, int]


def _fresh_anki(path: Path) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    col = anki_collection.Collection(str(path))
    col.db.execute("ANALYZE")  # without statistics Anki's duplicate check is slow on a big import
    return col


def _import_package(anki: Any, package: Path) -> Any:
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(with_scheduling=True),
    )
    return anki.import_anki_package(request).log


def _pk(col: Collection, deck: str, card: str, ord_: int = 0) -> int:
    row = col.conn.execute(
        "SELECT pk FROM cards WHERE deck_id = ? AND card_id = ? AND ord = ?", (deck, card, ord_)
    ).fetchone()
    return int(row[0])


def _study(col: Collection, pk: int, ratings: list[Rating], start: datetime) -> datetime:
    when = start
    for rating in ratings:
        outcome = record_review(col, pk, rating, when, Settings(), duration_ms=4000)
        assert outcome.after.due is not None
        when = max(outcome.after.due, when + timedelta(minutes=1))
    return when


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        tmp = tmp_path_factory.mktemp("anki")
        user = tmp / "decks"
        user.mkdir()
        (user / "anki-test.yaml").write_text(TEST_DECK, encoding="utf-8")
        col = Collection.open(tmp / "cvquiz.sqlite")
        col.sync_decks(bundled_decks_dir(), user, NOW - timedelta(days=40))
        pks = {
            name: _pk(col, "anki-test", card, ord_)
            for name, card, ord_ in [
                ("cjk", "cjk", 0),
                ("math", "math", 0),
                ("html", "html", 0),
                ("c1", "gaps", 1),
                ("shape", "shape", 0),
            ]
        }
        start = NOW - timedelta(days=30)
        _study(col, pks["cjk"], [Rating.GOOD] * 3, start)
        _study(col, pks["html"], [Rating.GOOD, Rating.GOOD], start)
        suspend(col, [pks["html"]])
        _study(col, pks["c1"], [Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD], start)
        _study(col, pks["shape"], [Rating.EASY], start)
        _study(col, pks["math"], [Rating.AGAIN], NOW - timedelta(minutes=5))  # still learning
        package = tmp / "cvquiz.apkg"
        options = AnkiExportOptions(lang="both", instances=INSTANCES, with_progress=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # genanki warns about stray < and > in fields
            result = export_anki(col, package, NOW, Settings(), options)
        anki = _fresh_anki(tmp / "anki" / "collection.anki2")
        log = _import_package(anki, package)
        yield Exported(tmp, col, package, result, anki, log, pks)
        anki.close()
        col.close()
    time.tzset()


def _note(anki: Any, guid: str) -> Any:
    nid = anki.db.scalar("SELECT id FROM notes WHERE guid = ?", guid)
    assert nid, f"no note with GUID {guid}"
    return anki.get_note(nid)


def _card(anki: Any, guid: str, ord_: int = 0) -> Any:
    cid = anki.db.scalar(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? AND c.ord = ?",
        guid,
        ord_,
    )
    return anki.get_card(cid)


# --- what arrives ----------------------------------------------------------------------------------------


def test_import_adds_every_note_without_a_warning(exported: Exported) -> None:
    log = exported.log
    assert len(log.new) == exported.result.notes
    for kind in ("updated", "duplicate", "conflicting", "first_field_match", "missing_notetype"):
        assert len(getattr(log, kind)) == 0, kind
    assert len(log.missing_deck) == 0 and len(log.empty_first_field) == 0


def test_note_and_card_counts_match_the_collection(exported: Exported) -> None:
    entries, compute, cards = exported.col.conn.execute(
        """SELECT COUNT(DISTINCT deck_id || '/' || card_id),
                  COUNT(DISTINCT CASE WHEN type = 'compute' THEN deck_id || '/' || card_id END),
                  SUM(type != 'compute')
           FROM cards WHERE active = 1"""
    ).fetchone()
    assert compute > 1  # the bundled practice decks and ours
    notes = entries - compute + compute * INSTANCES
    assert exported.anki.note_count() == exported.result.notes == notes
    assert exported.anki.card_count() == exported.result.cards == cards + compute * INSTANCES


def test_decks_keep_their_names_and_nesting(exported: Exported) -> None:
    per_deck = {
        name: count
        for name, count in exported.col.conn.execute(
            """SELECT d.name, SUM(CASE WHEN c.type = 'compute' THEN ? ELSE 1 END)
               FROM cards c JOIN decks d ON d.id = c.deck_id WHERE c.active = 1 GROUP BY d.name""",
            (INSTANCES,),
        )
    }
    anki = exported.anki
    in_anki = {
        anki.decks.name(did): count
        for did, count in anki.db.all("SELECT did, COUNT(*) FROM cards GROUP BY did")
    }
    assert in_anki == per_deck
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert {"CV Interview", "Anki Test", "Anki Test::Export"} <= names
    assert "CV Interview::Convolution" in names
    assert anki.decks.by_name("Anki Test::Export")["desc"] == (
        '<div lang="zh">导出测试</div><div lang="en">Export test</div>'
    )


def test_note_types_and_fields(exported: Exported) -> None:
    fields = {m["name"]: [f["name"] for f in m["flds"]] for m in exported.anki.models.all()}
    assert fields["cvquiz Basic"] == ["Front", "Back", "Explanation", "Source"]
    assert fields["cvquiz Basic (and reversed card)"] == ["Front", "Back", "Explanation", "Source"]
    assert fields["cvquiz Cloze"] == ["Text", "Back Extra", "Explanation", "Source"]
    assert fields["cvquiz Compute"] == ["Prompt", "Answer", "Worked solution", "Generator", "Seed"]
    rev = _note(exported.anki, note_guid("anki-test", "both-ways"))
    assert rev.note_type()["name"] == "cvquiz Basic (and reversed card)"
    assert len(rev.cards()) == 2


def test_tags_carry_over_hierarchically(exported: Exported) -> None:
    note = _note(exported.anki, note_guid("anki-test", "cjk"))
    assert sorted(note.tags) == ["cvquiz::anki-test::cjk", "cvquiz::export-test"]


def test_cjk_note_byte_for_byte(exported: Exported) -> None:
    note = _note(exported.anki, note_guid("anki-test", "cjk"))
    assert note["Front"] == (
        '<div lang="zh">卷积核在输入上滑动，每个位置逐元素相乘再求和。这叫什么？</div>'
        '<div lang="en">What is sliding a kernel and summing products called?</div>'
    )
    assert note["Back"] == (
        '<div lang="zh">互相关（深度学习里称作卷积）。</div>'
        '<div lang="en">Cross-correlation (called convolution in deep learning).</div>'
    )
    assert note["Explanation"] == "" and note["Source"] == ""


def test_mathjax_note_byte_for_byte(exported: Exported) -> None:
    note = _note(exported.anki, note_guid("anki-test", "math"))
    assert note["Front"] == (
        r"What is \(\sigma'(x)\) when \(\sigma(x) = \frac{1}{1+e^{-x}}\), for \(x_i * 2\)?"
    )
    assert note["Back"] == r"\[\sigma'(x) = \sigma(x)\,(1 - \sigma(x))\]"
    assert note["Explanation"] == (
        r"Maximum \(\frac{1}{4}\) at \(x = 0\); <code>np.exp</code> overflows for <em>large</em> \(|x|\)."
    )
    assert note["Source"] == (
        '<a href="https://example.com/sigmoid?a=1&amp;b=2">https://example.com/sigmoid?a=1&amp;b=2</a>'
    )


def test_html_in_card_text_is_shown_not_run(exported: Exported) -> None:
    note = _note(exported.anki, note_guid("anki-test", "html"))
    assert note["Front"] == (
        "What does &lt;script&gt;alert(1)&lt;/script&gt; print if a &lt; b &amp;&amp; c &gt; d?"
    )
    assert note["Back"] == "Nothing: it is text, &lt;b&gt;not&lt;/b&gt; markup."


def test_cloze_note_keeps_its_deletions(exported: Exported) -> None:
    note = _note(exported.anki, note_guid("anki-test", "gaps"))
    assert note["Text"] == (
        r"softmax \(\frac{e^{z_{i} } }{Z}\): {{c1::\(e^{z_i}\)}} divided by"
        r" {{c2::\(\sum_j e^{z_j}\)::a sum}}"
    )
    assert sorted(c.ord for c in note.cards()) == [0, 1]
    front = note.cards()[0].question()
    assert "[...]" in front and r"\(\sum_j e^{z_j}\)" in front


def test_compute_card_becomes_seeded_instances(exported: Exported) -> None:
    for index in range(INSTANCES):
        note = _note(exported.anki, note_guid("anki-test", "shape", index))
        assert note.note_type()["name"] == "cvquiz Compute"
        assert note["Generator"] == "conv2d_output_shape"
        assert note["Seed"] == str(instance_seed("anki-test", "shape", index))
        assert note["Prompt"].startswith('<div lang="zh">先写公式。</div><div lang="en">Write')
        assert note["Answer"].startswith("(") and note["Worked solution"]


def test_check_database_and_empty_cards_find_nothing(exported: Exported) -> None:
    assert exported.anki._backend.check_database() == []
    assert list(exported.anki.get_empty_cards().notes) == []


# --- progress --------------------------------------------------------------------------------------------


def _schedule(col: Collection, pk: int) -> tuple[Any, ...]:
    return col.conn.execute(
        "SELECT state, stability, difficulty, reps, lapses, last_review FROM schedule WHERE card_pk = ?",
        (pk,),
    ).fetchone()


def _revlog(anki: Any, card: Any) -> list[Any]:
    return anki.db.all("SELECT ease, type FROM revlog WHERE cid = ? ORDER BY id", card.id)


def test_review_cards_arrive_as_review_cards_with_history(exported: Exported) -> None:
    anki, col = exported.anki, exported.col
    card = _card(anki, note_guid("anki-test", "cjk"))
    state, stability, difficulty, reps, lapses, last = _schedule(col, exported.pks["cjk"])
    assert state == 2
    assert (card.type, card.queue, card.reps, card.lapses) == (2, 2, reps, lapses)
    assert card.ivl >= 1
    assert card.memory_state.stability == pytest.approx(stability, abs=1e-3)
    assert card.memory_state.difficulty == pytest.approx(difficulty, abs=1e-3)
    assert card.last_review_time == last // 1000
    assert _revlog(anki, card) == [[3, 0], [3, 0], [3, 1]]


def test_lapsed_cloze_deletion_keeps_its_lapse(exported: Exported) -> None:
    card = _card(exported.anki, note_guid("anki-test", "gaps"), 0)
    state, *_, reps, lapses, _ = _schedule(exported.col, exported.pks["c1"])
    assert (card.type, card.reps, card.lapses) == (state, reps, lapses) == (2, 4, 1)
    assert [ease for ease, _ in _revlog(exported.anki, card)] == [3, 3, 1, 3]
    assert _card(exported.anki, note_guid("anki-test", "gaps"), 1).type == 0  # c2 never studied


def test_learning_and_suspended_cards(exported: Exported) -> None:
    learning = _card(exported.anki, note_guid("anki-test", "math"))
    assert (learning.type, learning.queue) == (1, 1)
    assert _revlog(exported.anki, learning) == [[1, 0]]
    suspended = _card(exported.anki, note_guid("anki-test", "html"))
    assert (suspended.type, suspended.queue) == (2, -1)


def test_compute_progress_goes_to_the_first_instance(exported: Exported) -> None:
    first = _card(exported.anki, note_guid("anki-test", "shape", 0))
    assert first.type == 2 and len(_revlog(exported.anki, first)) == 1
    assert _card(exported.anki, note_guid("anki-test", "shape", 1)).type == 0


def test_revlog_rows_equal_the_review_log(exported: Exported) -> None:
    (reviews,) = exported.col.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
    assert (
        exported.result.reviews == reviews == exported.anki.db.scalar("SELECT COUNT() FROM revlog")
    )
    assert exported.result.studied == 5


def test_without_progress_every_card_is_new(exported: Exported) -> None:
    package = exported.tmp / "plain.apkg"
    export_anki(exported.col, package, NOW, Settings(), AnkiExportOptions(decks=("anki-test",)))
    with zipfile.ZipFile(package) as zf:
        db = exported.tmp / "plain.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT DISTINCT type, queue FROM cards").fetchall() == [(0, 0)]
    assert conn.execute("SELECT COUNT(*) FROM revlog").fetchone() == (0,)
    conn.close()


# --- stable identity -------------------------------------------------------------------------------------


def test_same_export_gives_the_same_bytes(exported: Exported) -> None:
    again = exported.tmp / "again.apkg"
    options = AnkiExportOptions(lang="both", instances=INSTANCES, with_progress=True)
    export_anki(exported.col, again, NOW, Settings(), options)
    assert again.read_bytes() == exported.package.read_bytes()


def _small_collection(tmp: Path, deck: str, when: datetime) -> tuple[Collection, Path]:
    user = tmp / "decks"
    user.mkdir(exist_ok=True)
    (user / "d.yaml").write_text(deck, encoding="utf-8")
    empty = tmp / "bundled"
    empty.mkdir(exist_ok=True)
    col = Collection.open(tmp / "c.sqlite")
    col.sync_decks(empty, user, when)
    return col, user


SMALL = """
deck: small
name: Small
cards:
  - {id: a, question: alpha question, answer: alpha}
  - {id: b, question: beta question, answer: beta}
  - {id: c, type: reversed, question: gamma question, answer: gamma}
  - {id: d, type: cloze, question: "{{c1::delta}} and {{c2::epsilon}}"}
"""


def test_second_export_after_an_edit_updates_one_note(tmp_path: Path) -> None:
    col, user = _small_collection(tmp_path, SMALL, NOW - timedelta(days=2))
    first = tmp_path / "first.apkg"
    export_anki(col, first, NOW - timedelta(days=1), Settings())
    (user / "d.yaml").write_text(SMALL.replace("answer: beta}", "answer: BETA}"), encoding="utf-8")
    col.sync_decks(tmp_path / "bundled", user, NOW)
    second = tmp_path / "second.apkg"
    export_anki(col, second, NOW, Settings())
    anki = _fresh_anki(tmp_path / "anki.anki2")
    try:
        assert len(_import_package(anki, first).new) == 4
        log = _import_package(anki, second)
        assert len(log.new) == 0 and len(log.conflicting) == 0
        assert [list(n.fields)[:2] for n in log.updated] == [["beta question", "BETA"]]
        assert anki.note_count() == 4 and anki.card_count() == 6
        assert _note(anki, note_guid("small", "b"))["Back"] == "BETA"
    finally:
        anki.close()
        col.close()


def test_ids_are_derived_from_cvquiz_ids() -> None:
    assert deck_id_for("convolution") == deck_id_for("convolution") != deck_id_for("pooling")
    assert 1 << 30 <= deck_id_for("convolution") < 1 << 52
    assert note_guid("d", "a") != note_guid("d", "b") != note_guid("d", "b", 0)
    assert 0 <= instance_seed("d", "a", 3) < 1 << 31


def test_anki_tags() -> None:
    assert anki_tags(["detection", "notes::3", "a b::c", "detection", "::x::"]) == [
        "cvquiz::detection",
        "cvquiz::notes::3",
        "cvquiz::a_b::c",
        "cvquiz::x",
    ]


def test_bad_options_and_unknown_decks(exported: Exported) -> None:
    out = exported.tmp / "never.apkg"
    with pytest.raises(UsageError, match="--lang"):
        export_anki(exported.col, out, NOW, Settings(), AnkiExportOptions(lang="fr"))
    with pytest.raises(UsageError, match="--instances"):
        export_anki(exported.col, out, NOW, Settings(), AnkiExportOptions(instances=0))
    with pytest.raises(CardNotFoundError, match="no deck 'nope'"):
        export_anki(exported.col, out, NOW, Settings(), AnkiExportOptions(decks=("nope",)))
    # an unknown tag is the same error as an unknown deck, from the one filter check
    with pytest.raises(CardNotFoundError, match="no card has the tag 'no-such-tag'"):
        export_anki(exported.col, out, NOW, Settings(), AnkiExportOptions(tags=("no-such-tag",)))
    assert not out.exists()
    assert not list(exported.tmp.glob(".never.apkg.*"))


# --- text ------------------------------------------------------------------------------------------------


def _import_text(anki: Any, path: Path) -> Any:
    metadata = anki.get_csv_metadata(str(path), None)
    return anki.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log


def test_text_export_imports_into_basic_notes(exported: Exported) -> None:
    out = exported.tmp / "cvquiz.txt"
    result = export_text(exported.col, out, AnkiExportOptions(lang="en", instances=INSTANCES))
    head = out.read_text(encoding="utf-8").splitlines()[:6]
    assert head == [
        "#separator:tab",
        "#html:true",
        "#notetype:Basic",
        "#deck column:3",
        "#tags column:4",
        "#guid column:5",
    ]
    (cards, compute) = exported.col.conn.execute(
        "SELECT SUM(type != 'compute'), COUNT(CASE WHEN type = 'compute' THEN 1 END)"
        " FROM cards WHERE active = 1"
    ).fetchone()
    anki = _fresh_anki(exported.tmp / "text" / "collection.anki2")
    try:
        log = _import_text(anki, out)
        assert len(log.new) == result.notes == cards + compute * INSTANCES
        assert len(log.first_field_match) == 0 and len(log.conflicting) == 0
        assert anki.card_count() == result.notes
        assert {m["name"] for m in anki.models.all() if anki.models.use_count(m)} == {"Basic"}
        names = {d.name for d in anki.decks.all_names_and_ids()}
        assert {"Anki Test::Export", "CV Interview::Convolution"} <= names
        note = _note(anki, note_guid("anki-test", "math"))
        assert note["Front"] == (
            r"What is \(\sigma'(x)\) when \(\sigma(x) = \frac{1}{1+e^{-x}}\), for \(x_i * 2\)?"
        )
        cjk = _note(anki, note_guid("anki-test", "cjk"))
        assert sorted(cjk.tags) == ["cvquiz::anki-test::cjk", "cvquiz::export-test"]
        assert anki._backend.check_database() == []
    finally:
        anki.close()


def test_text_export_of_one_deck_names_it_in_the_header(tmp_path: Path) -> None:
    col, user = _small_collection(tmp_path, SMALL, NOW)
    out = tmp_path / "small.txt"
    result = export_text(col, out, AnkiExportOptions(lang="en"))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:6] == [
        "#separator:tab",
        "#html:true",
        "#notetype:Basic",
        "#deck:Small",
        "#tags column:3",
        "#guid column:4",
    ]
    assert result.notes == 6  # a, b, c both ways, d's two deletions
    (user / "d.yaml").write_text(
        SMALL.replace("answer: alpha}", "answer: ALPHA}"), encoding="utf-8"
    )
    col.sync_decks(tmp_path / "bundled", user, NOW + timedelta(days=1))
    again = tmp_path / "again.txt"
    export_text(col, again, AnkiExportOptions(lang="en"))
    anki = _fresh_anki(tmp_path / "anki.anki2")
    try:
        assert len(_import_text(anki, out).new) == 6
        log = _import_text(anki, again)
        assert len(log.new) == 0
        assert anki.note_count() == 6
        assert _note(anki, note_guid("small", "a"))["Back"] == "ALPHA"
        fronts = sorted(anki.get_note(n)["Front"] for n in anki.find_notes("deck:Small"))
        assert "[...] and epsilon" in fronts and "delta and [...]" in fronts
    finally:
        anki.close()
        col.close()


def test_cloze_side() -> None:
    text = "{{c1::a}} then {{c2::b::hint}}"
    assert cloze_side(text, 1, back=False) == "[...] then b"
    assert cloze_side(text, 2, back=False) == "a then [hint]"
    assert cloze_side(text, 2, back=True) == "a then **b**"


def test_package_layout(exported: Exported) -> None:
    with zipfile.ZipFile(exported.package) as zf:
        assert sorted(zf.namelist()) == ["collection.anki2", "media"]
        assert json.loads(zf.read("media")) == {}
    assert os.access(exported.package, os.R_OK)


# --- compute notes never repeat a first field --------------------------------------------------------------

SMALL_SPACES = """
deck: spaces
name: Spaces
cards:
  - id: one-problem
    type: compute
    generator: conv_mode_size
    params: {size: [3], kernel: [3], square: [true], mode: [full]}
    question: Full mode.
  - id: two-problems
    type: compute
    generator: conv_mode_size
    params: {size: [3], kernel: [3], square: [true], mode: [full, valid]}
    question: Full or valid mode.
  - id: many-problems
    type: compute
    generator: conv2d_output_shape
"""


def _first_fields(package: Path, tmp: Path) -> list[tuple[int, str]]:
    with zipfile.ZipFile(package) as zf:
        zf.extract("collection.anki2", tmp)
    conn = sqlite3.connect(tmp / "collection.anki2")
    try:
        return [
            (mid, flds.split("\x1f")[0])
            for mid, flds in conn.execute("SELECT mid, flds FROM notes")
        ]
    finally:
        conn.close()


def test_a_small_parameter_space_gives_fewer_notes_not_repeats(tmp_path: Path) -> None:
    col, _ = _small_collection(tmp_path, SMALL_SPACES, NOW)
    package = tmp_path / "spaces.apkg"
    try:
        result = export_anki(col, package, NOW, Settings(), AnkiExportOptions(instances=5))
    finally:
        col.close()
    fields = _first_fields(package, tmp_path)
    assert result.notes == len(fields) == 1 + 2 + 5
    assert len(set(fields)) == len(fields)
    # the first instance keeps its GUID and seed (it carries the card's progress)
    assert note_guid("spaces", "one-problem", 0) in {
        guid
        for (guid,) in sqlite3.connect(tmp_path / "collection.anki2").execute(
            "SELECT guid FROM notes"
        )
    }


@pytest.mark.slow
def test_bundled_compute_cards_export_without_a_repeated_first_field(tmp_path: Path) -> None:
    col = Collection.open(tmp_path / "c.sqlite")
    empty = tmp_path / "user"
    empty.mkdir()
    col.sync_decks(bundled_decks_dir(), empty, NOW)
    package = tmp_path / "bundled.apkg"
    try:
        export_anki(col, package, NOW, Settings(), AnkiExportOptions(instances=5))
    finally:
        col.close()
    fields = _first_fields(package, tmp_path)
    repeated = [f for f, n in Counter(fields).items() if n > 1]
    assert repeated == []
