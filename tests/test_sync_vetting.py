"""The deck sync leaves out compute cards that cannot be studied, so no drill or export ever meets one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cvquiz import i18n
from cvquiz.collection import Collection
from cvquiz.generators import card_problem

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

GOOD = """\
  - id: shape
    type: compute
    generator: conv2d_output_shape
"""
UNKNOWN = """\
  - id: nosuch
    type: compute
    generator: no_such_generator
"""
BAD_PARAMS = """\
  - id: kernel0
    type: compute
    generator: conv2d_output_shape
    params: {kernel: [0]}
"""
BASIC = """\
  - id: basic
    question: What is a stride?
    answer: The step of the kernel.
"""


def deck(*cards: str) -> str:
    return "deck: mine\nname: Mine\ncards:\n" + "".join(cards)


def active(col: Collection) -> dict[str, int]:
    return {
        card_id: pk
        for card_id, pk in col.conn.execute("SELECT card_id, pk FROM cards WHERE active = 1")
    }


def test_unstudyable_compute_cards_are_left_out_and_reported_where_they_are(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    path = user / "mine.yaml"
    path.write_text(deck(BASIC, UNKNOWN, GOOD, BAD_PARAMS), encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite")
    report = col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert sorted(active(col)) == ["basic", "shape"]
    assert [(c.card, c.path) for c in report.left_out] == [
        ("nosuch", str(path)),
        ("kernel0", str(path)),
    ]
    assert report.left_out[0].problem.startswith(f"{path}:7:5: card 'nosuch': unknown generator")
    assert report.left_out[1].problem.startswith(f"{path}:13:5: card 'kernel0': params.kernel: 0")
    # read again on the next sync, so the problem is reported each time, and nothing is written
    before = col.conn.total_changes
    again = col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert [c.card for c in again.left_out] == ["nosuch", "kernel0"]
    assert (again.added, again.updated, again.retired) == (0, 0, 0)
    assert col.conn.total_changes == before


def test_a_left_out_card_is_reported_in_the_persons_language(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    path = user / "mine.yaml"
    path.write_text(deck(UNKNOWN, BAD_PARAMS), encoding="utf-8")
    i18n.set_language("zh")
    report = Collection.open(tmp_path / "c.sqlite").sync_decks(
        empty_bundled, user, NOW, vet=card_problem
    )
    assert [c.problem for c in report.left_out] == [
        f"{path}:4:5: 卡片 'nosuch'：未知生成器 'no_such_generator'（见 docs/generators.md）",
        f"{path}:7:5: 卡片 'kernel0'：params.kernel：不允许 0（允许：1, 3, 5, 7, 11）",
    ]


def test_a_card_synced_before_is_retired_with_its_history_and_revived_when_fixed(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    path = user / "mine.yaml"
    path.write_text(deck(BASIC, BAD_PARAMS), encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(empty_bundled, user, NOW)  # not vetted, as cvquiz 0.1 synced it
    pk = active(col)["kernel0"]
    with col.transaction() as conn:
        conn.execute(
            "INSERT INTO reviews (card_pk, reviewed_at, study_day, rating, state_before, state_after,"
            " before, after) VALUES (?, 0, '2026-03-02', 3, 0, 1, '{}', '{}')",
            (pk,),
        )
    path.write_text(deck(BASIC, BAD_PARAMS) + "\n", encoding="utf-8")  # any edit: the file is read
    report = col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert report.retired == 1 and sorted(active(col)) == ["basic"]
    path.write_text(deck(BASIC, BAD_PARAMS.replace("[0]", "[3]")), encoding="utf-8")
    report = col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert report.left_out == () and report.revived == 1
    assert active(col)["kernel0"] == pk
    (reviews,) = col.conn.execute(
        "SELECT COUNT(*) FROM reviews WHERE card_pk = ?", (pk,)
    ).fetchone()
    assert reviews == 1
    # fixed: the file is known again, and the next sync does not read it
    assert col.sync_decks(empty_bundled, user, NOW, vet=card_problem).skipped == 1


def test_an_upgraded_collection_vets_the_compute_cards_it_synced_before(
    tmp_path: Path, empty_bundled: Path
) -> None:
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(deck(BASIC, UNKNOWN), encoding="utf-8")
    old = Collection.open(tmp_path / "c.sqlite", stop_before="m011_vet_compute_cards")
    old.sync_decks(empty_bundled, user, NOW)  # the file is unchanged from here on
    assert sorted(active(old)) == ["basic", "nosuch"]
    old.close()
    col = Collection.open(tmp_path / "c.sqlite")
    assert "m011_vet_compute_cards" in col.migrations()
    report = col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert [c.card for c in report.left_out] == ["nosuch"]
    assert sorted(active(col)) == ["basic"]


def test_the_vetting_draws_once_per_generator_and_parameters() -> None:
    from cvquiz.model import Card, CardType

    calls = 0
    import cvquiz.generators as generators

    real = generators.check_card

    def counting(card: Card, samples: int = 20) -> list[str]:
        nonlocal calls
        calls += 1
        return real(card, samples)

    generators._CARD_PROBLEMS.clear()
    generators.check_card = counting  # type: ignore[assignment]
    try:
        for n in range(50):
            card = Card(
                id=f"c{n}",
                type=CardType.COMPUTE,
                generator="conv2d_output_shape",
                params={"kernel": [3 if n % 2 else 5]},
            )
            assert card_problem(card) is None
    finally:
        generators.check_card = real  # type: ignore[assignment]
    assert calls == 2


def test_a_collection_with_a_card_left_out_backs_up_and_restores(
    tmp_path: Path, empty_bundled: Path
) -> None:
    import io

    from cvquiz.collection.backup import export_json, restore_json_file

    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(deck(BASIC, UNKNOWN), encoding="utf-8")
    col = Collection.open(tmp_path / "c.sqlite")
    col.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    out = io.StringIO()
    export_json(col, out, NOW)
    backup = tmp_path / "backup.json"
    backup.write_text(out.getvalue(), encoding="utf-8")
    fresh = Collection.open(tmp_path / "fresh.sqlite")
    counts = restore_json_file(fresh, backup)
    assert counts.cards == 1
    report = fresh.sync_decks(empty_bundled, user, NOW, vet=card_problem)
    assert [c.card for c in report.left_out] == ["nosuch"]  # read again after the restore too
    assert sorted(active(fresh)) == ["basic"]
