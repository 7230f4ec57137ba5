"""Europe/Paris time for the coordinators' pages: months, days and hours as people there live them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(moment: str | datetime) -> datetime:
    """A stored UTC time (ISO text) or an aware datetime, in Paris local time (summer time included)."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError(f"time without offset: {moment!r}")
    return value.astimezone(PARIS)


def month_of(moment: str | datetime) -> str:
    """ "2026-11": the Paris calendar month of a moment."""
    return paris(moment).strftime("%Y-%m")


def last_months(now: datetime, count: int) -> list[str]:
    """The `count` Paris months ending with `now`'s, oldest first."""
    local = paris(now)
    year, month = local.year, local.month
    months: list[str] = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def days_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400
