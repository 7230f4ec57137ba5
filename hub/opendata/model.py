"""What a published file is, before it is written: its fields (Table Schema) and its rows, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hub.stats.dashboard import theme_label

PARIS = ZoneInfo("Europe/Paris")
ALL = "tous"  # the key of a row that adds up all collectives, or all themes

Value = str | int | None  # None: suppressed (an empty cell, the schema's missing value)


@dataclass(frozen=True)
class Field:
    name: str  # camelCase ASCII (Etalab)
    type: str  # Table Schema type: string, integer, yearmonth, date
    title: str
    description: str


@dataclass(frozen=True)
class Dataset:
    name: str  # the end of the file name: AAAAMMJJ_<producteur>_<name>.csv
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: tuple[tuple[Value, ...], ...]
    primary_key: tuple[str, ...]


def local_month(moment: str) -> str:
    """« AAAA-MM » in Paris time: a month as the collectives live it."""
    return datetime.fromisoformat(moment).astimezone(PARIS).strftime("%Y-%m")


def before(moment: str, cutoff: datetime) -> bool:
    return datetime.fromisoformat(moment).astimezone(UTC) < cutoff


def rounded_hours(minutes: float) -> int:
    """Hours rounded half up (90 min → 2 h), the same on every machine."""
    return int((Decimal(minutes) / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def top_theme(theme_id: str) -> str:
    """The top theme (« cuisine » for « cuisine.monde »): sub-themes would make most cells too small."""
    return theme_id.split(".", 1)[0] or "autres"


def theme_name(theme_id: str) -> str:
    return "Toutes thématiques" if theme_id == ALL else theme_label(theme_id)
