"""When digests fall due, in each subscriber's own time zone (daylight saving included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from tracker.locales import N_

# In English; a page names the days in its own language (formats.weekday_name).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCIES = {
    "daily": N_("Every day"),
    "weekly": N_("Every week"),
    "monthly": N_("Every month (on the 1st)"),
}


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def valid_timezone(name: str) -> bool:
    """A name from the time zone database. Only a known name is ever opened as a zone: a typed
    one may be a path, thousands of characters long, or hold a NUL byte."""
    return name in _zone_names()


def _local(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `hour` o'clock on `day` in `zone`. A wall time that does not exist
    (clocks jump forward) moves past the gap; an ambiguous one takes its first occurrence."""
    local = datetime.combine(day, time(hour), tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        local = round_trip  # inside a spring-forward gap
    return local.astimezone(UTC)


def latest_due(
    *, frequency: str, weekday: int, hour: int, timezone: str, now: datetime
) -> datetime:
    """The latest moment at or before `now` when a digest of this schedule falls due."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    for back in range(0, 40):
        day = today - timedelta(days=back)
        if frequency == "weekly" and day.weekday() != weekday:
            continue
        if frequency == "monthly" and day.day != 1:
            continue
        due = _local(day, hour, zone)
        if due <= now:
            return due
    raise ValueError(f"no due time within 40 days for {frequency}")


def next_due(*, frequency: str, weekday: int, hour: int, timezone: str, now: datetime) -> datetime:
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    for ahead in range(0, 40):
        day = today + timedelta(days=ahead)
        if frequency == "weekly" and day.weekday() != weekday:
            continue
        if frequency == "monthly" and day.day != 1:
            continue
        due = _local(day, hour, zone)
        if due > now:
            return due
    raise ValueError(f"no due time within 40 days for {frequency}")


def period_length(frequency: str) -> timedelta:
    return {"daily": timedelta(days=1), "weekly": timedelta(days=7), "monthly": timedelta(days=31)}[
        frequency
    ]
