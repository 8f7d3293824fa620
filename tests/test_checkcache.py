"""cvquiz.checkcache: verdicts kept between runs, keyed by what was checked and by the code that checked it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cvquiz import checkcache
from cvquiz.checkcache import VerdictCache, compute_key, file_key


def test_a_remembered_pass_is_found_by_the_next_run(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path)
    key = file_key(b"deck: x\n")
    assert cache.get(key) is None
    cache.remember(key, {"deck": "x", "cards": 3})
    cache.save()
    again = VerdictCache(tmp_path)
    assert again.get(key) == {"deck": "x", "cards": 3}
    assert again.get(file_key(b"deck: y\n")) is None


def test_keys_follow_the_content_and_the_code() -> None:
    assert file_key(b"a") != file_key(b"b")
    assert file_key(b"a") != file_key(b"a", bundled=True)
    one = compute_key("conv_params", {"kernel": [3]}, None, None)
    assert one == compute_key("conv_params", {"kernel": [3]}, None, None)
    assert one != compute_key("conv_params", {"kernel": [5]}, None, None)
    assert one != compute_key("conv_params", {"kernel": [3]}, 2, None)
    assert one != compute_key("pool_output_shape", {"kernel": [3]}, None, None)


def test_a_changed_source_file_changes_every_key(tmp_path: Path) -> None:
    before = file_key(b"deck: x\n")
    checkcache.code_fingerprint.cache_clear()
    source = Path(checkcache.__file__)
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    try:
        checkcache.code_fingerprint.cache_clear()
        assert file_key(b"deck: x\n") != before
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        checkcache.code_fingerprint.cache_clear()
    assert file_key(b"deck: x\n") == before


def test_a_damaged_or_foreign_cache_file_is_an_empty_cache(tmp_path: Path) -> None:
    path = tmp_path / "check-verdicts.json"
    for content in (b"\xff\xfe", b"[1, 2]", b'{"format": 99, "passed": {"k": 1}}', b"{" * 10_000):
        path.write_bytes(content)
        assert VerdictCache(tmp_path).get("k") is None


def test_the_cache_keeps_the_newest_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkcache, "MAX_ENTRIES", 3)
    cache = VerdictCache(tmp_path)
    for n in range(5):
        cache.remember(f"k{n}")
    cache.save()
    kept = json.loads((tmp_path / "check-verdicts.json").read_text())["passed"]
    assert list(kept) == ["k2", "k3", "k4"]


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = VerdictCache(blocker)  # the "folder" is a file: nothing can be saved in it
    cache.remember("k")
    cache.save()
    assert VerdictCache(None).get("k") is None


# --- the cache in `cvquiz check` (cvquiz.deckcheck) --------------------------------------------------------

COMPUTE_DECK = """\
deck: mine
name: Mine
cards:
  - id: a
    type: compute
    generator: conv2d_output_shape
    params: {kernel: [3]}
  - id: b
    type: compute
    generator: conv2d_output_shape
    params: {kernel: [3]}
  - id: c
    type: compute
    generator: conv2d_output_shape
    params: {kernel: [5]}
"""


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the compute cards `cvquiz.generators.check_card` is asked about."""
    import cvquiz.generators as generators

    asked: list[str] = []
    real = generators.check_card

    def counting(card: Any, samples: int = 20) -> list[str]:
        asked.append(card.id)
        return real(card, samples)

    monkeypatch.setattr(generators, "check_card", counting)
    return asked


def check(folder: Path, cache_dir: Path) -> Any:
    from cvquiz.deckcheck import check_decks

    cache = VerdictCache(cache_dir)
    report = check_decks([folder], folder, folder, cache=cache)
    cache.save()
    return report


def test_an_unchanged_deck_is_not_checked_again(tmp_path: Path, drawn: list[str]) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(COMPUTE_DECK, encoding="utf-8")
    first = check(decks, tmp_path / "cache")
    assert first.ok and drawn == ["a", "c"]  # b has a's parameters: checked once
    second = check(decks, tmp_path / "cache")
    assert drawn == ["a", "c"]
    assert (second.ok, second.decks, second.cards, second.study_cards) == (True, 1, 3, 3)


def test_an_edited_deck_checks_only_the_parameters_not_seen(
    tmp_path: Path, drawn: list[str]
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(COMPUTE_DECK, encoding="utf-8")
    check(decks, tmp_path / "cache")
    new_card = "  - id: d\n    type: compute\n    generator: conv2d_output_shape\n    params: {kernel: [3]}\n"
    (decks / "mine.yaml").write_text(COMPUTE_DECK.replace("[5]", "[7]") + new_card)
    report = check(decks, tmp_path / "cache")
    # c has new parameters and is checked again; d has a's, known to pass
    assert report.ok and drawn == ["a", "c", "c"]
    assert report.cards == 4


def test_a_problem_is_found_on_every_run(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    bad = COMPUTE_DECK.replace("[5]", "[0]")
    (decks / "mine.yaml").write_text(bad, encoding="utf-8")
    for _ in range(2):
        report = check(decks, tmp_path / "cache")
        assert [p.card for f in report.files for p in f.problems] == ["c"]


def test_check_fresh_checks_everything_again(tmp_path: Path, cvquiz_env: dict[str, str]) -> None:
    import shutil
    import subprocess

    cvquiz = shutil.which("cvquiz")
    if cvquiz is None:
        pytest.skip("the cvquiz command is not installed")
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mine.yaml").write_text(COMPUTE_DECK, encoding="utf-8")
    cache_file = Path(cvquiz_env["CVQUIZ_CACHE"]) / "check-verdicts.json"
    for argv in ([cvquiz, "check", str(decks)], [cvquiz, "check", "--fresh", str(decks)]):
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "1 deck, 3 cards as written, 3 study cards, no problems" in done.stderr
        kept = json.loads(cache_file.read_text())["passed"]
        assert len(kept) == 3  # the file and the two parameter sets


# --- the verdicts shipped with the bundled decks ----------------------------------------------------------


def test_every_bundled_deck_file_as_it_is_has_its_shipped_verdict() -> None:
    from cvquiz.paths import bundled_decks_dir

    files = sorted(bundled_decks_dir().glob("*.yaml"))
    shipped = json.loads(checkcache.SHIPPED_VERDICTS.read_text(encoding="utf-8"))["files"]
    assert len(shipped) == len(files)
    for path in files:
        verdict = checkcache.shipped_verdict(path.read_bytes())
        assert verdict is not None, f"{path.name}: run python scripts/gen_docs.py"
        assert f"deck: {verdict[0]}\n" in path.read_text(encoding="utf-8")


def test_a_bundled_deck_as_shipped_is_not_drawn_again_unless_fresh(
    tmp_path: Path, drawn: list[str]
) -> None:
    from cvquiz.deckcheck import check_decks
    from cvquiz.paths import bundled_decks_dir

    decks = tmp_path / "decks"
    decks.mkdir()
    source = (bundled_decks_dir() / "practice-conv.yaml").read_bytes()
    (decks / "practice-conv.yaml").write_bytes(source)
    report = check(decks, tmp_path / "cache")
    assert report.ok and drawn == []
    assert [report.cards, report.study_cards] == checkcache.shipped_verdict(source)[1:]

    cache = VerdictCache(tmp_path / "other-cache")
    cache.clear()  # cvquiz check --fresh
    fresh = check_decks([decks], decks, decks, cache=cache)
    assert (
        fresh.ok and len(drawn) == fresh.cards
    )  # every card drawn (the deck has only compute cards)
    assert (fresh.cards, fresh.study_cards) == (report.cards, report.study_cards)


def test_a_bundled_deck_with_any_byte_changed_is_checked_in_full(
    tmp_path: Path, drawn: list[str]
) -> None:
    from cvquiz.paths import bundled_decks_dir

    decks = tmp_path / "decks"
    decks.mkdir()
    source = (bundled_decks_dir() / "practice-conv.yaml").read_bytes()
    (decks / "practice-conv.yaml").write_bytes(source + b"\n")
    report = check(decks, tmp_path / "cache")
    assert report.ok and len(drawn) > 0
    broken = source.replace(b"generator: ", b"generator: no_such_", 1)
    (decks / "practice-conv.yaml").write_bytes(broken)
    report = check(decks, tmp_path / "cache")
    assert not report.ok
    assert "no_such_" in report.files[0].problems[0].message
