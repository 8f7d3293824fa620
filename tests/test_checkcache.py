"""cvquiz.checkcache: verdicts kept between runs, keyed by what was checked and by the code that checked it."""

from __future__ import annotations

import json
import os
from pathlib import Path

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
