"""What the coordinators' pages show: pure functions of `Facts` (and `now`), in Europe/Paris time.

An exchange counts once confirmed (as on the kiosks' recognition), in every collective one of its members
belongs to. Within a scope, "members" are the scope's members: erased ones are still counted where counts are
anonymous (registrations, active members, reciprocity) and never listed. The kiosks, workshops and governance
summaries are in hub/stats/operations.py, re-exported here.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, select

from hub import schema as t
from hub.stats.calendar import PARIS, days_between, last_months, month_of
from hub.stats.model import ExchangeFact, Facts
from hub.stats.operations import (
    DrawSummary,
    ElectionSummary,
    GovernanceSummary,
    KioskHealth,
    WorkshopSummary,
    governance_summary,
    kiosk_health,
    workshops_summary,
)
from hub.util import iso
from kiosk.themes import load_catalogue

__all__ = [
    "DrawSummary",
    "ElectionSummary",
    "Engagement",
    "GovernanceSummary",
    "KioskHealth",
    "MonthActivity",
    "ThemeBalance",
    "WorkshopSummary",
    "engagement",
    "governance_summary",
    "kiosk_health",
    "kiosk_use",
    "monthly_activity",
    "pseudonyms",
    "theme_label",
    "themes_balance",
    "workshops_summary",
]
CONFIRMED = "confirmed"
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")  # kiosk_use rows
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class MonthActivity:
    month: str  # "2026-11", Paris calendar month
    registrations: int
    exchanges: int  # confirmed
    minutes: int
    active_members: int  # distinct members of the scope in those exchanges


@dataclass(frozen=True)
class ThemeBalance:
    theme_id: str
    label: str
    offers: int  # active
    requests: int  # active
    matched: int  # requests that found a match (still on the board or not)
    median_days_to_match: float | None


@dataclass(frozen=True)
class Engagement:
    members: int  # not erased
    active_90d: int
    inactive_90d: tuple[str, ...]  # member ids, longest inactive first: to invite them, never to shame them
    without_offer: tuple[str, ...]  # member ids without an offer on the board, earliest registered first
    reciprocity: float  # share of the members in exchanges over the period who both gave and received
    givers: int
    receivers: int
    both: int


def _people(exchange: ExchangeFact) -> set[str]:
    return {*exchange.transmitters, *exchange.learners}


def monthly_activity(facts: Facts, now: datetime, months: int = 12) -> list[MonthActivity]:
    """The last `months` Paris months ending with `now`'s, oldest first; months without activity are zeros."""
    keys = last_months(now, months)
    registrations: dict[str, int] = defaultdict(int)
    for member in facts.members:
        registrations[month_of(member.registered_at)] += 1
    ours = {member.id for member in facts.members}
    count: dict[str, int] = defaultdict(int)
    minutes: dict[str, int] = defaultdict(int)
    active: dict[str, set[str]] = defaultdict(set)
    for exchange in facts.exchanges:
        if exchange.status == CONFIRMED:
            month = month_of(exchange.occurred_at)
            count[month] += 1
            minutes[month] += exchange.duration_min
            active[month] |= _people(exchange) & ours
    return [MonthActivity(m, registrations[m], count[m], minutes[m], len(active[m])) for m in keys]


def themes_balance(facts: Facts, lang: str = "fr") -> list[ThemeBalance]:
    """Offers and requests on the board per theme, and how long requests waited for a match (days)."""
    by_theme: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    waits: dict[str, list[float]] = defaultdict(list)
    for listing in facts.listings:
        counts = by_theme[listing.theme_id]
        if listing.ended_at is None:
            counts[0 if listing.kind == "offer" else 1] += 1
        if listing.kind == "request" and listing.matched_at is not None:
            counts[2] += 1
            # a match is accepted up to a minute before publication (clock skew between kiosks): no wait
            waits[listing.theme_id].append(max(0.0, days_between(listing.published_at, listing.matched_at)))
    return [
        ThemeBalance(
            theme_id=theme_id,
            label=theme_label(theme_id, lang),
            offers=offers,
            requests=requests,
            matched=matched,
            median_days_to_match=statistics.median(waits[theme_id]) if waits[theme_id] else None,
        )
        for theme_id, (offers, requests, matched) in sorted(by_theme.items())
    ]


def engagement(facts: Facts, now: datetime, days: int = 90) -> Engagement:
    """Who took part over the last `days` days: registering, publishing, or a confirmed exchange."""
    since = iso(now - timedelta(days=days))
    ours = {member.id for member in facts.members}
    last: dict[str, str] = {member.id: member.registered_at for member in facts.members}

    def seen(member_id: str, moment: str) -> None:
        if member_id in last and moment > last[member_id]:
            last[member_id] = moment

    givers: set[str] = set()
    receivers: set[str] = set()
    for exchange in facts.exchanges:
        if exchange.status != CONFIRMED:
            continue
        for member_id in _people(exchange):
            seen(member_id, exchange.occurred_at)
        if exchange.occurred_at >= since:
            givers |= set(exchange.transmitters) & ours
            receivers |= set(exchange.learners) & ours
    for listing in facts.listings:
        seen(listing.member_id, listing.published_at)
    offering = {x.member_id for x in facts.listings if x.kind == "offer" and x.ended_at is None}
    present = [member for member in facts.members if not member.erased]
    inactive = sorted((last[m.id], m.id) for m in present if last[m.id] < since)
    both = givers & receivers
    taking_part = givers | receivers
    return Engagement(
        members=len(present),
        active_90d=len(present) - len(inactive),
        inactive_90d=tuple(member_id for _, member_id in inactive),
        without_offer=tuple(
            m.id for m in sorted(present, key=lambda m: m.registered_at) if m.id not in offering
        ),
        reciprocity=len(both) / len(taking_part) if taking_part else 0.0,
        givers=len(givers),
        receivers=len(receivers),
        both=len(both),
    )


def kiosk_use(facts: Facts) -> list[list[int]]:
    """Events recorded at the kiosks per Paris weekday (Monday first) and hour: 7 rows of 24 counts."""
    grid = [[0] * 24 for _ in range(7)]
    for _kiosk_id, moment in facts.kiosk_acts:
        local = datetime.fromisoformat(moment).astimezone(PARIS)
        grid[local.weekday()][local.hour] += 1
    return grid


@lru_cache(maxsize=1)
def _labels() -> dict[str, tuple[str, str]]:
    return {theme.id: (theme.label_fr, theme.label_en) for theme in load_catalogue().themes}


def theme_label(theme_id: str, lang: str = "fr") -> str:
    """The theme's label from the kiosks' catalogue (assets/themes.toml); an unknown id is shown as is."""
    labels = _labels().get(theme_id)
    if labels is None:
        return theme_id
    return labels[1] if lang == "en" else labels[0]


def pseudonyms(conn: Connection, member_ids: Iterable[str]) -> dict[str, str]:
    """Pseudonyms of members not erased, for the lists coordinators use to invite people (never in facts)."""
    wanted = sorted(set(member_ids))
    e, m = t.events.c, t.members.c
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(e.member_id, e.payload)
            .join(t.members, m.id == e.member_id)
            .where(
                e.type == "member.registered",
                e.member_id.in_(chunk),
                e.redacted.is_(False),
                m.erased_at.is_(None),
            )
        )
        for member_id, payload in rows:
            pseudonym = json.loads(payload).get("pseudonym")
            if isinstance(pseudonym, str) and pseudonym:
                found[member_id] = pseudonym
    return found
