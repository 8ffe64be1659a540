"""Date-times with a zone and times of day (`08:30`, no zone): reading them (`2025-03-01T08:30:00+08:00`,
`2025-03-01T08:30[Asia/Shanghai]`), writing them, and moving their wall-clock time.

A date-time is a `datetime.datetime` with a zone: a fixed offset (`datetime.timezone`) or an
IANA zone (`zoneinfo.ZoneInfo`, the standard library's reader of the system's time-zone
database; where the system has none, the `tzdata` package supplies it: the `tz` extra).
Two date-times are equal when they are the same instant, whatever their zones, and are
ordered by their instants (Python's own comparison of aware date-times). Seconds are whole.

A local time that a daylight-saving change skips (02:30 on the night clocks go forward)
moves forward by the gap (03:30); one that it repeats (the night clocks go back) is the
first of the two (`fold=0`). Imports nothing of the package.
"""

from __future__ import annotations

import datetime
import functools
import re
import zoneinfo

__all__ = [
    "ZoneError",
    "clock_text",
    "has_database",
    "iso",
    "literal_text",
    "parse",
    "parse_clock",
    "resolve",
    "zone",
    "zone_name",
]

UTC = datetime.UTC

_TEXT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?(?:\[([A-Za-z][A-Za-z0-9_+\-/]{0,63})\])?",
    re.ASCII,
)


class ZoneError(Exception):
    """A date-time that cannot be read: `reason` is `no-zone` (neither an offset nor a
    zone), `unknown-zone` (a name the database does not have), `no-database` (the system
    has no time-zone database and `tzdata` is not installed), `fraction` (a part of a
    second) or `invalid` (not a date-time of the calendar)."""

    def __init__(self, reason: str, name: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.name = name


@functools.cache
def has_database() -> bool:
    """Whether any IANA zone can be found (the system's database, or `tzdata`)."""
    try:
        zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@functools.lru_cache(maxsize=1024)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone called `name` (`Asia/Shanghai`); `ZoneError` when there is none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError("unknown-zone" if has_database() else "no-database", name) from None


def zone_name(value: datetime.datetime) -> str | None:
    """The IANA name of a date-time's zone, or None for a fixed offset."""
    key = getattr(value.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def resolve(local: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """The wall-clock time `local` (naive) in `tz`: a skipped time moved forward by the gap,
    a repeated one the first of the two."""
    placed = local.replace(tzinfo=tz, fold=0)
    return placed.astimezone(UTC).astimezone(tz)


def parse(text: str) -> datetime.datetime:
    """A date-time from its text: an offset (`+08:00`, `Z`) or a zone in brackets
    (`[Asia/Shanghai]`), or both (the zone decides, as RFC 9557 reads them when they agree);
    `ZoneError` when it cannot be read."""
    match = _TEXT.fullmatch(text) if len(text) <= 100 else None
    if match is None:
        raise ZoneError("invalid")
    day, hour, minute, second, offset, name = match.groups()
    if offset is None and name is None:
        raise ZoneError("no-zone")
    try:
        local = datetime.datetime.combine(
            datetime.date.fromisoformat(day),
            datetime.time(int(hour), int(minute), int(second or 0)),
        )
    except ValueError:
        raise ZoneError("invalid") from None
    if name is not None:
        tz: datetime.tzinfo = zone(name)
    elif offset == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ZoneError("invalid")
        tz = datetime.timezone(datetime.timedelta(hours=hours, minutes=minutes) * sign)
    try:
        return resolve(local, tz)
    except OverflowError:  # an instant before year 1 or after 9999 in UTC
        raise ZoneError("invalid") from None


_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?", re.ASCII)


def parse_clock(text: str) -> datetime.time:
    """A time of day from its text, `HH:MM` or `HH:MM:SS` (00:00 to 23:59:59);
    `ZoneError("invalid")` when it is not one."""
    match = _CLOCK.fullmatch(text) if len(text) <= 8 else None
    if match is None:
        raise ZoneError("invalid")
    hour, minute, second = match.groups()
    try:
        return datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ZoneError("invalid") from None


def clock_text(value: datetime.time | datetime.datetime) -> str:
    """How a policy writes a time of day: `08:30`, `08:30:15` (the seconds when any)."""
    return _clock(value)


def _clock(value: datetime.time | datetime.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}"
    return text + (f":{value.second:02d}" if value.second else "")


def literal_text(value: datetime.datetime) -> str:
    """How a policy writes the date-time: `2025-03-01T08:30[Asia/Shanghai]`,
    `2025-03-01T08:30+08:00` (the seconds when there are any)."""
    name = zone_name(value)
    where = f"[{name}]" if name is not None else _offset(value)
    return f"{value.date().isoformat()}T{_clock(value)}{where}"


def _offset(value: datetime.datetime) -> str:
    offset = value.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def iso(value: datetime.datetime) -> str:
    """ISO 8601 with the offset, and the zone in brackets when it has one (RFC 9557):
    `2025-03-01T08:30:00+08:00[Asia/Shanghai]`."""
    name = zone_name(value)
    text = f"{value.date().isoformat()}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return text + _offset(value) + (f"[{name}]" if name is not None else "")
