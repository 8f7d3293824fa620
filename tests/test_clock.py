"""Time: CVQUIZ_NOW, aware datetimes only, the study day's rollover."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvquiz import clock
from cvquiz.errors import ConfigError


def test_now_honours_cvquiz_now() -> None:
    assert clock.now({"CVQUIZ_NOW": "2026-01-02T03:04:05+08:00"}) == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8))
    )
    assert clock.now({}).tzinfo is not None


def test_bad_cvquiz_now_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="could not read 'yesterday' as an ISO 8601 time"):
        clock.now({"CVQUIZ_NOW": "yesterday"})


def test_rollover_puts_0359_on_the_previous_day() -> None:  # TZ=UTC from conftest
    assert clock.study_day(datetime(2026, 3, 2, 3, 59, tzinfo=UTC), 4) == date(2026, 3, 1)
    assert clock.study_day(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 4) == date(2026, 3, 2)
    assert clock.study_day(datetime(2026, 3, 2, 0, 0, tzinfo=UTC), 0) == date(2026, 3, 2)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        clock.to_ms(datetime(2026, 1, 1))


@given(st.integers(min_value=0, max_value=4_000_000_000_000))
def test_ms_round_trip(ms: int) -> None:
    assert clock.to_ms(clock.from_ms(ms)) == ms
    assert clock.iso_utc(ms) is not None and clock.iso_utc(ms).endswith("Z")  # type: ignore[union-attr]
