"""The current time and the study day.

cvquiz never reads the clock anywhere else: `now()` honours ``CVQUIZ_NOW`` (ISO 8601) so tests and users can
time-travel, and every function below takes ``now`` as a parameter. The study day rolls over at a configurable
local hour (04:00 by default, as in Anki), so a review at 01:00 counts for the previous day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, tzinfo

from cvquiz.errors import ConfigError
from cvquiz.i18n import _

DEFAULT_ROLLOVER_HOUR = 4


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a value without an offset is read as local time.

    Args:
        text: e.g. ``2026-11-30T08:00:00+08:00``, ``2026-11-30T08:00Z`` or ``2026-11-30 08:00``.

    Returns:
        A timezone-aware datetime.

    Raises:
        ConfigError: when the text is not an ISO 8601 date-time.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            _(
                "could not read {text!r} as an ISO 8601 time (e.g. 2026-11-30T08:00:00+08:00)"
            ).format(text=text)
        ) from None
    if value.tzinfo is None:
        value = value.astimezone()
    return value


EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(9899, 12, 31, tzinfo=UTC)
"""The times ``CVQUIZ_NOW`` may name: the collection counts milliseconds from 1970, and a card may be
scheduled up to 100 years ahead, which must still be a date Python can hold (the year 9999 at most)."""


def now(environ: os._Environ[str] | dict[str, str] | None = None) -> datetime:
    """Return the current time, timezone-aware, honouring ``CVQUIZ_NOW``.

    Args:
        environ: the environment to read (default ``os.environ``).

    Raises:
        ConfigError: when ``CVQUIZ_NOW`` is set but not an ISO 8601 time between 1970 and 9899.
    """
    env = os.environ if environ is None else environ
    fixed = env.get("CVQUIZ_NOW")
    if fixed:
        try:
            value = parse_instant(fixed)
            inside = EARLIEST <= value <= LATEST
        except (OverflowError, ValueError):  # a naive time near year 1 or 9999 has no local offset
            inside = False
        except ConfigError as error:
            raise ConfigError(_("CVQUIZ_NOW: {problem}").format(problem=error)) from None
        if not inside:
            raise ConfigError(
                _("CVQUIZ_NOW: {value!r} is out of range; give a time from 1970 to 9899").format(
                    value=fixed
                )
            )
        return value
    return datetime.now(UTC).astimezone()


def local_zone() -> tzinfo:
    """Return the local time zone (honours ``TZ``)."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def study_day(when: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """Return the study day an instant belongs to.

    The day runs from ``rollover_hour`` local time to the same hour the next day, so an instant before the
    rollover belongs to the previous calendar day.

    Args:
        when: a timezone-aware instant.
        rollover_hour: the local hour (0-23) at which a new study day starts.

    Returns:
        The study day's date.
    """
    if when.tzinfo is None:
        raise ValueError("study_day needs a timezone-aware datetime")
    local = when.astimezone()
    return (local - timedelta(hours=rollover_hour)).date()


def day_start(day: date, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """Return the instant a study day starts (its rollover hour, local time, DST-aware).

    Args:
        day: the study day.
        rollover_hour: the local hour at which study days start.
    """
    naive = datetime(day.year, day.month, day.day, rollover_hour)
    return naive.astimezone()


def to_ms(when: datetime) -> int:
    """Return an aware datetime as integer milliseconds since the epoch (how the collection stores time)."""
    if when.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; pass a timezone-aware datetime")
    return round(when.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Return the UTC datetime for integer milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def iso_utc(ms: int | None) -> str | None:
    """Return milliseconds since the epoch as ISO 8601 UTC (``...Z``), or None for None."""
    if ms is None:
        return None
    return from_ms(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")
