"""The user's settings: a TOML file in the user config dir, with defaults, ranges and per-deck limits.

`load_settings` reads it (a missing file means all defaults), `set_setting` validates one ``KEY VALUE`` as typed
on the command line and rewrites the file atomically, under a lock on its folder (parallel ``config set``
lose nothing). A bad value is rejected with the allowed range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvquiz.errors import ConfigError
from cvquiz.i18n import N_, _

if TYPE_CHECKING:
    import tomllib

DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip
"""FSRS-6's default weights, as py-fsrs ships them (checked against it in the tests)."""

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


MAX_INTERVAL_DAYS = 36500
"""The longest interval cvquiz schedules (100 years, as Anki); the ``maximum_interval`` setting is at most this."""
MAX_STEPS = 20
"""Learning or relearning steps are at most this many (Anki's own presets have two or three)."""


def parse_steps(text: str, max_days: int = MAX_INTERVAL_DAYS) -> tuple[timedelta, ...]:
    """Parse learning steps as Anki writes them: ``"1m 10m"``, ``"10m 1h 1d"``, or ``""`` for none.

    Args:
        text: the steps.
        max_days: the longest step allowed, in days (a step beyond the maximum interval makes no sense).

    Raises:
        ConfigError: for a step that is not a positive number with a unit s, m, h or d, a step longer
            than ``max_days``, or more than `MAX_STEPS` steps.
    """
    steps = []
    parts = text.replace(",", " ").split()
    if len(parts) > MAX_STEPS:
        raise ConfigError(
            _("{count} steps are too many; give at most {most}").format(
                count=len(parts), most=MAX_STEPS
            )
        )
    for part in parts:
        unit = part[-1:].lower()
        number = part[:-1]
        try:
            value = float(number)
        except ValueError:
            value = math.nan
        if unit not in _UNITS or not (value > 0 and math.isfinite(value)):
            raise ConfigError(
                _(
                    "could not read step {step!r}: use a number and a unit, e.g. 1m 10m 1h 1d"
                ).format(step=part)
            )
        seconds = value * _UNITS[unit]
        if seconds > max_days * 86400:
            raise ConfigError(
                _("step {step} is longer than the maximum interval ({days} days)").format(
                    step=part, days=max_days
                )
            )
        steps.append(timedelta(seconds=seconds))
    return tuple(steps)


def format_steps(steps: tuple[timedelta, ...]) -> str:
    """Format steps the way `parse_steps` reads them."""
    out = []
    for step in steps:
        seconds = step.total_seconds()
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if seconds % size == 0:
                out.append(f"{int(seconds // size)}{unit}")
                break
        else:
            out.append(f"{seconds:g}s")
    return " ".join(out)


@dataclass(frozen=True)
class DeckLimits:
    """Per-deck overrides of the daily limits (None: use the global one)."""

    new_per_day: int | None = None
    reviews_per_day: int | None = None


@dataclass(frozen=True)
class Settings:
    """Every setting of cvquiz, with its default.

    Attributes mirror the keys of ``config.toml``; `deck_limits` maps a deck id (or prefix ending in ``/``)
    to its own daily limits.
    """

    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    leech_threshold: int = 8
    leech_action: str = "tag"
    lang: str = "auto"
    review_order: str = "overdue"
    new_order: str = "interleave"
    backup_interval: int = 30
    deck_limits: Mapping[str, DeckLimits] = field(default_factory=dict)

    def limits_for(self, deck_id: str) -> tuple[int, int]:
        """Return (new_per_day, reviews_per_day) for a deck, honouring per-deck overrides."""
        key = self.limit_key(deck_id)
        own = self.deck_limits[key] if key is not None else DeckLimits()
        return (
            self.new_per_day if own.new_per_day is None else own.new_per_day,
            self.reviews_per_day if own.reviews_per_day is None else own.reviews_per_day,
        )

    def limit_key(self, deck_id: str) -> str | None:
        """Return the `deck_limits` key that governs a deck: its own id, else the longest matching prefix.

        A prefix key ends in ``/`` (``cv/`` covers ``cv/detection`` and ``cv/losses``); the decks it covers
        share its limits. None when no override applies.
        """
        if deck_id in self.deck_limits:
            return deck_id
        prefixes = [k for k in self.deck_limits if k.endswith("/") and deck_id.startswith(k)]
        return max(prefixes, key=len) if prefixes else None


def _int_in(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ConfigError(
                    _("expected a whole number from {lo} to {hi}, got {value!r}").format(
                        lo=lo, hi=hi, value=value
                    )
                ) from None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ConfigError(
                _("expected a whole number from {lo} to {hi}, got {value!r}").format(
                    lo=lo, hi=hi, value=value
                )
            )
        return value

    return check


def _retention(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0.70 <= number <= 0.99:
        raise ConfigError(
            _("expected a number from 0.70 to 0.99, got {value!r}").format(value=value)
        )
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ConfigError(_("expected true or false, got {value!r}").format(value=value))


def _steps(value: Any) -> tuple[timedelta, ...]:
    if isinstance(value, tuple) and all(isinstance(v, timedelta) for v in value):
        return value
    if not isinstance(value, str):
        raise ConfigError(_("expected steps like '1m 10m', got {value!r}").format(value=value))
    return parse_steps(value)


def _choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ConfigError(
                _("expected one of {options}, got {value!r}").format(
                    options=", ".join(options), value=value
                )
            )
        return str(value)

    return check


def _parameters(value: Any) -> tuple[float, ...]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(_("expected 21 numbers separated by commas or spaces")) from None
    if len(numbers) != 21:
        raise ConfigError(
            _("expected 21 finite FSRS-6 weights, got {count}").format(count=len(numbers))
        )
    for index, number in enumerate(numbers):
        if not math.isfinite(number):
            raise ConfigError(
                _("weight {index} is {number}; FSRS-6 weights are finite numbers").format(
                    index=index, number=f"{number:g}"
                )
            )
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    for index, (number, lo, hi) in enumerate(
        zip(numbers, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    ):
        if not lo <= number <= hi:
            raise ConfigError(
                _("weight {index} is {number}; FSRS-6 allows {lo} to {hi}").format(
                    index=index, number=f"{number:g}", lo=f"{lo:g}", hi=f"{hi:g}"
                )
            )
    return numbers


VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "desired_retention": _retention,
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "maximum_interval": _int_in(1, MAX_INTERVAL_DAYS),
    "fuzz": _bool,
    "parameters": _parameters,
    "new_per_day": _int_in(0, 9999),
    "reviews_per_day": _int_in(0, 99999),
    "rollover_hour": _int_in(0, 23),
    "leech_threshold": _int_in(1, 99),
    "leech_action": _choice("tag", "suspend"),
    "lang": _choice("auto", "zh", "en"),
    "review_order": _choice("overdue", "retrievability"),
    "new_order": _choice("interleave", "deck", "random"),
    "backup_interval": _int_in(0, 1440),
}
"""Each top-level key and the function that validates and converts its value."""

ALLOWED: dict[str, str] = {
    "desired_retention": N_("0.70 to 0.99"),
    "learning_steps": N_("steps like '1m 10m' (s, m, h, d), or '' for none"),
    "relearning_steps": N_("steps like '10m' (s, m, h, d), or '' for none"),
    "maximum_interval": N_("1 to 36500 days"),
    "fuzz": N_("true or false"),
    "parameters": N_("21 FSRS-6 weights, comma-separated, within py-fsrs' bounds"),
    "new_per_day": N_("0 to 9999"),
    "reviews_per_day": N_("0 to 99999"),
    "rollover_hour": N_("0 to 23 (local hour a study day starts)"),
    "leech_threshold": N_("1 to 99 lapses"),
    "leech_action": N_("tag or suspend"),
    "lang": N_("auto, zh or en"),
    "review_order": N_("overdue or retrievability"),
    "new_order": N_(
        "interleave (alternate decks), deck (deck by deck) or random (shuffled per day)"
    ),
    "backup_interval": N_(
        "0 to 1440 minutes of study between automatic backups (0: only before upgrades and restores)"
    ),
}
"""What each key accepts, in words (``cvquiz config show`` prints it)."""


def _to_toml(value: Any) -> Any:
    if isinstance(value, tuple) and value and isinstance(value[0], timedelta):
        return format_steps(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def settings_from_data(data: Mapping[str, Any], origin: str = "config") -> Settings:
    """Build Settings from parsed TOML, validating every key.

    Args:
        data: the parsed TOML document.
        origin: the file name used in error messages.

    Raises:
        ConfigError: naming the key and the allowed values.
    """
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "decks":
            values["deck_limits"] = _deck_limits(raw, origin)
            continue
        check = VALIDATORS.get(key)
        if check is None:
            raise ConfigError(
                _("{file}: {problem}").format(file=origin, problem=unknown_setting_message(key))
            )
        try:
            values[key] = check(raw)
        except ConfigError as error:
            raise ConfigError(
                _("{file}: {key}: {problem}").format(file=origin, key=key, problem=error)
            ) from None
    settings = Settings(**values)
    try:
        check_steps_fit(settings)
    except ConfigError as error:
        raise ConfigError(_("{file}: {problem}").format(file=origin, problem=error)) from None
    return settings


def check_steps_fit(settings: Settings) -> None:
    """Refuse learning or relearning steps longer than the maximum interval.

    Raises:
        ConfigError: naming the key and the step.
    """
    limit = timedelta(days=settings.maximum_interval)
    for key in ("learning_steps", "relearning_steps"):
        for step in getattr(settings, key):
            if step > limit:
                raise ConfigError(
                    _(
                        "{key}: step {step} is longer than the maximum interval ({days} days)"
                    ).format(key=key, step=format_steps((step,)), days=settings.maximum_interval)
                )


def _deck_limits(raw: Any, origin: str) -> dict[str, DeckLimits]:
    if not isinstance(raw, dict):
        raise ConfigError(_("{file}: [decks] must be a table of deck ids").format(file=origin))
    limits = {}
    for deck_id, table in raw.items():
        if not isinstance(table, dict) or set(table) - {"new_per_day", "reviews_per_day"}:
            raise ConfigError(
                _("{file}: {key}: only new_per_day and reviews_per_day can be set").format(
                    file=origin, key=f"decks.{_toml_key(deck_id)}"
                )
            )
        checked: dict[str, int | None] = {}
        for limit in ("new_per_day", "reviews_per_day"):
            try:
                checked[limit] = VALIDATORS[limit](table[limit]) if limit in table else None
            except ConfigError as error:
                raise ConfigError(
                    _("{file}: {key}: {problem}").format(
                        file=origin, key=f"decks.{_toml_key(deck_id)}.{limit}", problem=error
                    )
                ) from None
        limits[deck_id] = DeckLimits(**checked)
    return limits


def _toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted (``"my/deck"``)."""
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def load_settings(path: Path) -> Settings:
    """Read the settings file; a missing file gives the defaults.

    Raises:
        ConfigError: when the file is not valid TOML or holds a bad value.
    """
    from cvquiz.errors import UnreadableFileError
    from cvquiz.fileio import SETTINGS_FILE_LIMIT, describe_os_error, read_limited

    try:
        blob = read_limited(path, SETTINGS_FILE_LIMIT)
    except UnreadableFileError as error:
        if isinstance(error.os_error, FileNotFoundError):
            return Settings()
        if error.os_error is None:  # too large
            raise ConfigError(str(error)) from None
        raise ConfigError(
            _("{path}: cannot read the settings: {reason}").format(
                path=path, reason=describe_os_error(error.os_error)
            )
        ) from None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as error:
        if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
            problem = _("{path}: the settings file is UTF-16 text; save it as UTF-8")
        elif b"\x00" in blob:
            problem = _("{path}: the settings file is binary, not TOML text")
        else:
            problem = _(
                "{path}: the settings file is not UTF-8 text (byte {offset}); save it as UTF-8"
            )
        raise ConfigError(problem.format(path=path, offset=error.start)) from None
    import tomllib  # only when there is a file to read (its parser takes a few ms to import)

    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_problem(path, error)) from None
    return settings_from_data(data, str(path))


def _toml_problem(path: Path, error: tomllib.TOMLDecodeError) -> str:
    """``path:line:column: message`` from tomllib's ``message (at line L, column C)``."""
    import re

    match = re.fullmatch(r"(?s)(.*) \(at line (\d+), column (\d+)\)", str(error))
    if match is None:
        return _("{path}: not valid TOML: {problem}").format(path=path, problem=error)
    return _("{path}:{line}:{column}: not valid TOML: {problem}").format(
        path=path, line=match.group(2), column=match.group(3), problem=match.group(1)
    )


def settings_to_data(settings: Settings, only_changed: bool = True) -> dict[str, Any]:
    """Return the settings as TOML-ready data (by default only the keys that differ from the defaults)."""
    defaults = Settings()
    data: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "deck_limits":
            continue
        value = getattr(settings, f.name)
        if not only_changed or value != getattr(defaults, f.name):
            # steps are written as text even when empty, which a bare [] would lose
            steps = f.name in ("learning_steps", "relearning_steps")
            data[f.name] = format_steps(value) if steps else _to_toml(value)
    if settings.deck_limits:
        data["decks"] = {
            deck: {
                k: v
                for k, v in (
                    ("new_per_day", lim.new_per_day),
                    ("reviews_per_day", lim.reviews_per_day),
                )
                if v is not None
            }
            for deck, lim in settings.deck_limits.items()
        }
    return data


def write_setting(path: Path, key: tuple[str, ...], settings: Settings) -> None:
    """Write one setting into the settings file atomically, keeping everything else as the person wrote it.

    The file is edited, not rewritten: comments, the order of the keys and values equal to the defaults stay
    (``cvquiz config set`` used to write only the values that differed from the defaults).

    Args:
        path: the settings file (it may not exist yet).
        key: the TOML key path: ``("desired_retention",)`` or ``("decks", DECK, "new_per_day")``.
        settings: the settings after the change (the value is taken from them, formatted as TOML).

    Raises:
        FileError: when the file cannot be written (the old one is then untouched).
    """
    import tomlkit

    from cvquiz.fileio import atomic_write

    if key[0] == "decks":
        value: Any = getattr(settings.deck_limits[key[1]], key[2])
    else:
        value = settings_to_data(settings, only_changed=False)[key[0]]
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        text = ""
    document = tomlkit.parse(text)
    table: Any = document
    for part in key[:-1]:
        if part not in table:
            table[part] = tomlkit.table(is_super_table=table is document)
        table = table[part]
    table[key[-1]] = value
    atomic_write(path, tomlkit.dumps(document).encode())


SETTINGS_LOCK_TIMEOUT = 30.0
"""Seconds `set_setting` waits for another cvquiz changing the settings before giving up."""


def set_setting(path: Path, key: str, value: str) -> Settings:
    """Validate ``key = value`` as typed on the command line and save it.

    ``decks.ID.new_per_day`` / ``decks.ID.reviews_per_day`` set per-deck limits.

    Returns:
        The new settings.

    Raises:
        ConfigError: for an unknown key or a value out of range (nothing is written).
        FileError: when the file cannot be written, or another cvquiz keeps changing the settings for
            longer than `SETTINGS_LOCK_TIMEOUT` seconds.
    """
    from cvquiz.errors import FileError
    from cvquiz.fileio import folder_lock

    _changed(
        load_settings(path), key, value
    )  # a bad key or value is refused before anything is made
    # Two `config set` at once would each read the file, add their value and replace it: the second would
    # drop the first's. The settings folder's lock makes them read, edit and write one after the other.
    with folder_lock(
        path.resolve().parent,
        SETTINGS_LOCK_TIMEOUT,
        busy=_("{path}: another cvquiz is changing the settings; nothing was written, try again"),
        unopenable=_("{path}: cannot open the settings folder: {reason}"),
        error=FileError,
    ):
        new, toml_key = _changed(load_settings(path), key, value)
        write_setting(path, toml_key, new)
        return new


def _changed(settings: Settings, key: str, value: str) -> tuple[Settings, tuple[str, ...]]:
    """The settings with ``key = value`` (checked), and the key's TOML path."""
    if key.startswith("decks."):
        deck_id, _dot, limit = key[len("decks.") :].rpartition(".")
        if not deck_id or limit not in ("new_per_day", "reviews_per_day"):
            raise ConfigError(
                _("per-deck keys are decks.DECK.new_per_day or decks.DECK.reviews_per_day")
            )
        try:
            checked = VALIDATORS[limit](value)
        except ConfigError as error:
            raise ConfigError(_("{key}: {problem}").format(key=key, problem=error)) from None
        limits = dict(settings.deck_limits)
        limits[deck_id] = replace(limits.get(deck_id, DeckLimits()), **{limit: checked})
        new = replace(settings, deck_limits=limits)
        toml_key: tuple[str, ...] = ("decks", deck_id, limit)
    else:
        check = VALIDATORS.get(key)
        if check is None:
            raise ConfigError(unknown_setting_message(key))
        try:
            new = replace(settings, **{key: check(value)})
        except ConfigError as error:
            raise ConfigError(_("{key}: {problem}").format(key=key, problem=error)) from None
        check_steps_fit(new)
        toml_key = (key,)
    return new, toml_key


def unknown_setting_message(key: str) -> str:
    """Say that ``key`` is no setting, suggesting the closest one (or listing them all)."""
    import difflib

    close = difflib.get_close_matches(key, list(VALIDATORS), n=1, cutoff=0.6)
    if close:
        return _("unknown setting {key!r} (did you mean {close!r}?)").format(
            key=key, close=close[0]
        )
    return _("unknown setting {key!r} (known: {known})").format(
        key=key, known=", ".join(VALIDATORS)
    )


@dataclass(frozen=True)
class SettingRow:
    """One setting as ``cvquiz config show`` / ``config get`` present it.

    Attributes:
        key: the key as ``config set`` takes it (``decks.DECK.new_per_day`` for a per-deck limit).
        value: the value as ``config set`` reads it.
        default: the default value, in the same form.
        changed: whether the value differs from the default.
        allowed: what the key accepts, in words.
    """

    key: str
    value: str
    default: str
    changed: bool
    allowed: str


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def setting_rows(settings: Settings) -> list[SettingRow]:
    """Return one row per setting, then one per per-deck limit."""
    values = settings_to_data(settings, only_changed=False)
    defaults = settings_to_data(Settings(), only_changed=False)
    rows = [
        SettingRow(
            key=key,
            value=_text(values[key]),
            default=_text(defaults[key]),
            changed=values[key] != defaults[key],
            allowed=_(allowed),
        )
        for key, allowed in ALLOWED.items()
    ]
    for deck, limits in values.get("decks", {}).items():
        for name, value in limits.items():
            rows.append(
                SettingRow(
                    key=f"decks.{deck}.{name}",
                    value=_text(value),
                    default=_text(values[name]),
                    changed=True,
                    allowed=_("{allowed} (this deck)").format(allowed=_(ALLOWED[name])),
                )
            )
    return rows


def get_setting(settings: Settings, key: str) -> SettingRow:
    """Return the row of one setting (``decks.DECK.new_per_day`` included).

    Raises:
        ConfigError: for an unknown key, with the closest known one.
    """
    for row in setting_rows(settings):
        if row.key == key:
            return row
    if key.startswith("decks."):
        _deck, _dot, name = key[len("decks.") :].rpartition(".")
        if name in ("new_per_day", "reviews_per_day"):
            value = _text(settings_to_data(settings, only_changed=False)[name])
            return SettingRow(key, value, value, False, _(ALLOWED[name]))
    raise ConfigError(unknown_setting_message(key))
