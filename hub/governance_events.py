"""What the hub keeps of the kiosks' election and draw events (issue 8), beside the events themselves.

`apply_batch` runs inside the push transaction (hub/effects.py), on the batch's new events only, so each
fact is applied once. Events are facts and are always stored: a payload this projection cannot use (a
kiosk of another version, an election the hub never heard of) is skipped here, never refused.

- `election.announced` → `hub_elections` (mode, opening times, status "announced");
- `election.candidate_stood` / `election.candidate_withdrawn` → its candidate list (ballots are checked
  against it, and the result ranks it);
- `election.voter_signed` → the sign-in register (already there when the vote went through the hub);
- `election.closed` → status "closed"; a booth kiosk's box (mode "kiosk") joins the hub's box so the result
  can be published here too; in mode "hub", a box of fewer than PUBLISH_MIN_VOTERS ballots is destroyed, as
  the kiosk destroys its own: too few voters to keep the secret;
- `draw.frozen` / `draw.performed` → `hub_draw_records`, served to anyone: the frozen pool (its hash,
  counts and panels) before the seed exists, then the record (`GET /api/v1/public/draws/{id}[/frozen]`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from hub import schema as t
from hub.util import iso, parse_iso
from kiosk.governance.majority import PUBLISH_MIN_VOTERS
from sync_client.protocol import canonical

ID_PATTERN = r"^[0-9A-Za-z_.:-]{1,64}$"
ID_FORMAT = re.compile(ID_PATTERN)
GRADES = range(7)  # the 7 mentions of majority judgment, 0 = « À rejeter »
MODES = ("kiosk", "hub")
OPEN, CLOSED = "announced", "closed"


def apply_batch(conn: Connection, collective_id: str, batch: list[Any]) -> None:
    """Project the batch's election and draw events (no query at all for a batch without any)."""
    for new in batch:
        handler = _HANDLERS.get(new.event.type)
        if handler is not None:
            handler(conn, collective_id, new.payload)


def utc_text(value: Any) -> str | None:
    """An ISO 8601 time with its offset as the hub stores times (UTC text), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_iso(value)
    except ValueError:
        return None
    return iso(moment) if moment.tzinfo is not None else None


def normalise_grades(candidates: list[str], grades: Mapping[str, Any]) -> dict[str, int] | None:
    """Every candidate's grade, a blank one counting as 0 (« À rejeter »); None if a grade is not one of the
    7 or names someone who is not a candidate."""
    if any(key not in candidates for key in grades):
        return None
    out: dict[str, int] = {}
    for candidate in candidates:
        grade = grades.get(candidate)
        if grade is None:
            grade = 0
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES:
            return None
        out[candidate] = grade
    return out


def _is_id(value: Any) -> bool:
    """Ids are the kiosks' UUIDs; anything else (NUL bytes, 200 characters) is not stored in a column."""
    return isinstance(value, str) and ID_FORMAT.fullmatch(value) is not None


def _election(conn: Connection, collective_id: str, election_id: Any) -> Any:
    """The election row if this collective's, else None (another collective's events never touch it)."""
    if not _is_id(election_id):
        return None
    row = conn.execute(select(t.hub_elections).where(t.hub_elections.c.id == election_id)).first()
    return row if row is not None and row.collective_id == collective_id else None


def _announced(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
    opens_at, closes_at = utc_text(p.get("opens_at")), utc_text(p.get("closes_at"))
    if not _is_id(p.get("election_id")) or p.get("mode") not in MODES or not opens_at or not closes_at:
        return
    known = conn.execute(select(t.hub_elections.c.id).where(t.hub_elections.c.id == p["election_id"]))
    if known.first() is not None:  # an id is never reused: the first announcement stands
        return
    conn.execute(
        insert(t.hub_elections).values(
            id=p["election_id"],
            collective_id=collective_id,
            mode=p["mode"],
            status=OPEN,
            opens_at=opens_at,
            closes_at=closes_at,
            candidates="[]",
        )
    )


def _candidacy(standing: bool) -> Callable[[Connection, str, dict[str, Any]], None]:
    def apply(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
        election = _election(conn, collective_id, p.get("election_id"))
        member_id = p.get("member_id")
        if election is None or election.status == CLOSED or not _is_id(member_id):
            return
        candidates = set(json.loads(election.candidates))
        if standing:
            candidates.add(member_id)
        else:
            candidates.discard(member_id)
        conn.execute(
            update(t.hub_elections)
            .where(t.hub_elections.c.id == election.id)
            .values(candidates=json.dumps(sorted(candidates)))
        )

    return apply


def _voter_signed(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
    election = _election(conn, collective_id, p.get("election_id"))
    if election is None or not _is_id(p.get("member_id")):
        return
    register = t.hub_election_register.c
    signed = conn.execute(
        select(register.member_id).where(
            register.election_id == election.id, register.member_id == p["member_id"]
        )
    ).first()
    if signed is None:  # via the hub, the hub wrote it when the ballot arrived
        conn.execute(
            insert(t.hub_election_register).values(election_id=election.id, member_id=p["member_id"])
        )


def _closed(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
    election = _election(conn, collective_id, p.get("election_id"))
    if election is None or election.status == CLOSED:
        return
    conn.execute(update(t.hub_elections).where(t.hub_elections.c.id == election.id).values(status=CLOSED))
    box = t.hub_ballot_box.c
    if election.mode == "kiosk":
        ballots = _booth_box(json.loads(election.candidates), p.get("ballots"))
        if ballots:  # an id taken already could only be a forgery or a bug: that ballot is left out
            taken = conn.execute(select(box.ballot_id).where(box.ballot_id.in_(list(ballots)))).scalars()
            for ballot_id in set(taken):
                del ballots[ballot_id]
        rows = [  # in the order of their random ids, not the order of the event
            {"ballot_id": ballot_id, "election_id": election.id, "grades": canonical(grades)}
            for ballot_id, grades in sorted(ballots.items())
        ]
        if rows:
            conn.execute(insert(t.hub_ballot_box), rows)
        return
    count = conn.execute(select(func.count()).where(box.election_id == election.id)).scalar_one()
    if count < PUBLISH_MIN_VOTERS:
        conn.execute(delete(t.hub_ballot_box).where(box.election_id == election.id))


def _booth_box(candidates: list[str], ballots: Any) -> dict[str, dict[str, int]]:
    """The countable ballots of a booth kiosk's `election.closed`, by ballot id."""
    box: dict[str, dict[str, int]] = {}
    for ballot in ballots if isinstance(ballots, list) else []:
        if not isinstance(ballot, dict) or not _is_id(ballot.get("ballot_id")):
            continue
        grades = ballot.get("grades")
        normal = normalise_grades(candidates, grades) if isinstance(grades, dict) else None
        if normal is not None:
            box[ballot["ballot_id"]] = normal
    return box


def _draw_performed(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
    record = p.get("record")
    if _is_id(p.get("draw_id")) and isinstance(record, dict):
        _keep_draw(conn, collective_id, p["draw_id"], "record", canonical(record))


# What a frozen pool publishes before the seed exists (never a ticket's answers: they are not in the event).
FROZEN_KEYS = ("draw_id", "pool_hash", "tickets", "category_counts", "panels_hash", "panels", "probabilities")


def _draw_frozen(conn: Connection, collective_id: str, p: dict[str, Any]) -> None:
    if _is_id(p.get("draw_id")) and isinstance(p.get("pool_hash"), str):
        _keep_draw(conn, collective_id, p["draw_id"], "frozen", canonical({k: p.get(k) for k in FROZEN_KEYS}))


def _keep_draw(conn: Connection, collective_id: str, draw_id: str, column: str, text: str) -> None:
    """The first frozen pool and the first record of a draw are kept: a fact published is not rewritten."""
    table = t.hub_draw_records
    known = conn.execute(select(table.c[column]).where(table.c.draw_id == draw_id)).first()
    if known is None:
        conn.execute(insert(table).values(draw_id=draw_id, collective_id=collective_id, **{column: text}))
    elif known[0] is None:
        conn.execute(update(table).where(table.c.draw_id == draw_id).values(**{column: text}))


_HANDLERS: dict[str, Callable[[Connection, str, dict[str, Any]], None]] = {
    "election.announced": _announced,
    "election.candidate_stood": _candidacy(standing=True),
    "election.candidate_withdrawn": _candidacy(standing=False),
    "election.voter_signed": _voter_signed,
    "election.closed": _closed,
    "draw.frozen": _draw_frozen,
    "draw.performed": _draw_performed,
}
