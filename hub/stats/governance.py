"""Draws by lot and elections in scope: the kiosks' events, with what the hub keeps of them (issue 8).

A draw's volunteers are its frozen pool once frozen (late volunteers are facts, not in the pool), else the
tickets still volunteered. An election's result is published as hub/governance.py publishes it: only once
closed, with PUBLISH_MIN_VOTERS voters or more — with fewer, the count of voters alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from hub import schema as t
from hub.governance_events import CLOSED
from hub.stats.events import EventRow, number, text
from hub.stats.model import DrawFact, ElectionFact
from hub.util import iso, utcnow
from kiosk.governance.majority import PUBLISH_MIN_VOTERS, tally

DRAW_TYPES = ("draw.announced", "draw.volunteered", "draw.withdrawn", "draw.frozen", "draw.performed")


@dataclass
class _Draw:
    row: EventRow
    tickets: dict[str, bool] = field(default_factory=dict)  # ticket → still volunteered
    pool: list[str] | None = None
    performed: bool = False


def replay_draws(conn: Connection, rows: list[EventRow], collective_ids: Sequence[str]) -> list[DrawFact]:
    draws: dict[str, _Draw] = {}
    for row in rows:
        draw_id = row.payload.get("draw_id")
        if row.type == "draw.announced" and isinstance(draw_id, str) and draw_id not in draws:
            draws[draw_id] = _Draw(row)
    for row in rows:
        draw, p = draws.get(text(row.payload.get("draw_id"))), row.payload
        if draw is None:
            continue
        if row.type in ("draw.volunteered", "draw.withdrawn") and isinstance(p.get("ticket"), str):
            draw.tickets[p["ticket"]] = row.type == "draw.volunteered" and bool(p.get("member_id"))
        elif row.type == "draw.frozen" and draw.pool is None and isinstance(p.get("tickets"), list):
            draw.pool = [str(ticket) for ticket in p["tickets"]]
        elif row.type == "draw.performed" and draw.pool is not None:
            draw.performed = True
    records = _records(conn, collective_ids)
    return [
        DrawFact(
            id=draw_id,
            collective_id=draw.row.collective_id,
            theme_id=text(draw.row.payload.get("theme_id")),
            seats=number(draw.row.payload.get("seats")),
            volunteers=len(draw.pool) if draw.pool is not None else sum(draw.tickets.values()),
            status="performed" if draw.performed else "frozen" if draw.pool is not None else "announced",
            record=records.get(draw_id) if draw.performed else None,
            title=text(draw.row.payload.get("title")),
        )
        for draw_id, draw in draws.items()
    ]


def _records(conn: Connection, collective_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    table = t.hub_draw_records.c
    rows = conn.execute(
        select(table.draw_id, table.record).where(
            table.collective_id.in_(list(collective_ids)), table.record.is_not(None)
        )
    )
    return {draw_id: json.loads(record) for draw_id, record in rows}


def load_elections(
    conn: Connection, rows: list[EventRow], collective_ids: Sequence[str]
) -> list[ElectionFact]:
    """`rows`: the `election.announced` events (their titles: the hub's table keeps none)."""
    titles = {text(row.payload.get("election_id")): text(row.payload.get("title")) for row in reversed(rows)}
    seats = {
        text(row.payload.get("election_id")): number(row.payload.get("seats"), 1) for row in reversed(rows)
    }
    e, register, box = t.hub_elections.c, t.hub_election_register.c, t.hub_ballot_box.c
    elections = conn.execute(select(t.hub_elections).where(e.collective_id.in_(list(collective_ids)))).all()
    ids = [election.id for election in elections]
    counted = conn.execute(
        select(register.election_id, func.count())
        .where(register.election_id.in_(ids))
        .group_by(register.election_id)
    )
    voters: dict[str, int] = {election_id: int(count) for election_id, count in counted}
    now = iso(utcnow())
    closed = [
        x.id for x in elections if _status(x, now) == "closed" and voters.get(x.id, 0) >= PUBLISH_MIN_VOTERS
    ]
    ballots: dict[str, list[dict[str, int]]] = defaultdict(list)
    for election_id, grades in conn.execute(
        select(box.election_id, box.grades).where(box.election_id.in_(closed))
    ):
        ballots[election_id].append(json.loads(grades))
    return [
        ElectionFact(
            id=election.id,
            collective_id=election.collective_id,
            title=titles.get(election.id, ""),
            status=_status(election, now),
            voters=int(voters.get(election.id, 0)),
            result=_result(election, ballots.get(election.id)),
            seats=seats.get(election.id, 1),
        )
        for election in elections
    ]


def _status(election: Any, now: str) -> str:
    """As hub/governance.py decides it: closed by its kiosk or past its closing time (hub clock)."""
    if election.status == CLOSED or now >= election.closes_at:
        return "closed"
    return "announced" if now < election.opens_at else "open"


def _result(election: Any, ballots: list[dict[str, int]] | None) -> dict[str, Any] | None:
    if not ballots:
        return None
    candidates: list[str] = json.loads(election.candidates)
    outcome = tally(candidates, ballots, tie_seed=election.id)
    return {
        "candidates": candidates,
        "ranking": [
            {
                "candidate": entry.candidate,
                "median": entry.median,
                "profile": list(entry.profile),
                "majority_values": list(entry.majority_values),
            }
            for entry in outcome.ranking
        ],
        "tie_broken_by_seed": outcome.tie_broken_by_seed,
    }
