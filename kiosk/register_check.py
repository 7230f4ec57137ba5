"""Checking a parsed register against the rules and the store, row by row, writing nothing.

Every problem of every row is collected (a dry run lists them all). Rules are the services' own checks
(`check_title`, `check_pseudonym`, `check_quartier`) plus what only a register needs: people named in a
cell, unknown pseudonyms to create, themes by label, and rows already recorded (a register imported twice).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from kiosk.domain import ExchangeKind, ParticipantRole
from kiosk.errors import KioskError
from kiosk.i18n import N_
from kiosk.register_file import Parsed
from kiosk.register_parse import (
    CellError,
    RowError,
    ThemeIndex,
    parse_date,
    parse_duration,
    parse_kind,
    parse_status,
    shown,
    split_people,
    tr,
)
from kiosk.services import Services
from kiosk.services.listings import check_title
from kiosk.services.members import check_pseudonym, check_quartier
from kiosk.text import clean, fold

DEFAULT_QUARTIER = "Non renseigné"  # stored data, not a message
T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER
_V = TypeVar("_V")


@dataclass(frozen=True)
class NewMember:
    pseudonym: str
    quartier: str
    line: int  # the first row naming them


@dataclass(frozen=True)
class PlannedExchange:
    line: int
    day: date
    kind: ExchangeKind
    theme_id: str
    title: str
    duration_min: int
    transmitters: tuple[str, ...]  # pseudonym keys (`fold`)
    learners: tuple[str, ...]
    confirmed: bool


@dataclass
class Plan:
    known: dict[str, str]  # pseudonym key → id of a member already in the store
    default_quartier: str
    new: dict[str, NewMember] = field(default_factory=dict)
    exchanges: list[PlannedExchange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def plan_register(services: Services, parsed: Parsed, today: date) -> Plan:
    """Every row checked against the rules and the store; nothing written."""
    conn = services.store.conn
    themes = ThemeIndex.build(conn.execute("SELECT id, label_fr, label_en FROM themes").fetchall())
    members = conn.execute(
        "SELECT pseudonym_key, id FROM members WHERE collective_id = ? AND erased_at IS NULL",
        (services.ctx.collective_id,),
    )
    site = conn.execute("SELECT quartier FROM sites WHERE id = ?", (services.ctx.site_id,)).fetchone()
    plan = Plan(dict(members.fetchall()), clean(site[0] if site else "") or DEFAULT_QUARTIER)
    plan.errors.extend(parsed.errors)
    for line, cells in parsed.rows:
        _plan_row(plan, themes, line, cells, today)
    _flag_already_recorded(conn, plan)
    return plan


def _checked(check: Callable[[str], str], what: str) -> Callable[[str], str]:
    """A service check (raising `KioskError`) as a cell parser, its message prefixed with the column."""

    def parse(text: str) -> str:
        try:
            return check(text)
        except KioskError as error:
            raise CellError(N_("{what} : {problem}"), what=what, problem=error.text()) from None

    return parse


def _plan_row(plan: Plan, themes: ThemeIndex, line: int, cells: dict[str, str], today: date) -> None:
    reasons: list[str] = []

    def cell(parse: Callable[[str], _V], text: str, default: _V) -> _V:
        try:
            return parse(text)
        except CellError as problem:
            reasons.append(problem.reason)
            return default

    day = cell(lambda text: parse_date(text, today), cells["date"], today)
    kind = cell(parse_kind, cells.get("kind", ""), ExchangeKind.KNOWLEDGE)
    theme_id = cell(themes.resolve, cells["theme"], "")
    title = cell(_checked(check_title, "Intitulé"), cells["title"], "")
    duration = cell(parse_duration, cells["duration"], 0)
    confirmed = cell(parse_status, cells.get("status", ""), True)
    quartier = plan.default_quartier
    if clean(cells.get("quartier", "")):
        quartier = cell(_checked(check_quartier, "Quartier"), cells["quartier"], quartier)
    new: dict[str, NewMember] = {}
    transmitters = _side(plan, cells["transmitters"], "Qui transmet", quartier, line, new, reasons)
    learners = _side(plan, cells["learners"], "Qui apprend", quartier, line, new, reasons)
    for key, name in transmitters.items():
        if key in learners:
            reasons.append(
                tr(N_("« {name} » est à la fois dans « Qui transmet » et « Qui apprend »."), name=name)
            )
    if reasons:
        plan.errors += [RowError(line, reason) for reason in reasons]
        return
    for key, member in new.items():
        plan.new.setdefault(key, member)
    plan.exchanges.append(
        PlannedExchange(
            line, day, kind, theme_id, title, duration, tuple(transmitters), tuple(learners), confirmed
        )
    )


def _side(
    plan: Plan,
    text: str,
    column: str,
    quartier: str,
    line: int,
    new: dict[str, NewMember],
    reasons: list[str],
) -> dict[str, str]:
    """Pseudonym key → name as written, for one cell; unknown valid pseudonyms are added to `new`."""
    names = split_people(text, lambda candidate: fold(candidate) in plan.known)
    if not names:
        reasons.append(tr(N_("aucune personne dans la colonne « {column} »."), column=column))
    found: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if key not in plan.known and key not in plan.new and key not in new:
            try:
                new[key] = NewMember(check_pseudonym(name), quartier, line)
            except KioskError as error:
                reasons.append(tr(N_("{what} : {problem}"), what=f"« {shown(name)} »", problem=error.text()))
                continue
        found.setdefault(key, name)
    return found


def _flag_already_recorded(conn: sqlite3.Connection, plan: Plan) -> None:
    """Refuse rows already in the store (same day, theme, title, duration and people): a register is
    easily imported twice, and twice the hours would falsify everyone's recognition."""
    candidates = [
        row for row in plan.exchanges if all(key in plan.known for key in row.transmitters + row.learners)
    ]
    if not candidates:
        return
    start, end = min(row.day for row in candidates), max(row.day for row in candidates) + timedelta(days=1)
    facts: dict[str, tuple[str, str, str, int]] = {}
    people: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for exchange_id, day, theme_id, title, duration, role, member_id in conn.execute(
        "SELECT e.id, substr(e.occurred_at, 1, 10), e.theme_id, e.title, e.duration_min, p.role,"
        " coalesce(p.member_id, '') FROM exchanges e JOIN exchange_participants p ON p.exchange_id = e.id"
        " WHERE e.status != 'cancelled' AND e.occurred_at >= ? AND e.occurred_at < ?",
        (start.isoformat(), end.isoformat()),
    ):
        facts[exchange_id] = (day, theme_id, fold(title), duration)
        people[exchange_id].add((role, member_id))
    existing = {(*facts[key], frozenset(people[key])) for key in facts}
    for row in candidates:
        sides = [(str(T), plan.known[key]) for key in row.transmitters]
        sides += [(str(L), plan.known[key]) for key in row.learners]
        fingerprint = (row.day.isoformat(), row.theme_id, fold(row.title), row.duration_min, frozenset(sides))
        if fingerprint in existing:
            reason = tr(N_("cet échange est déjà enregistré sur la borne (registre déjà importé ?)."))
            plan.errors.append(RowError(row.line, reason))
