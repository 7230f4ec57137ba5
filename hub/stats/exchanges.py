"""Exchanges as the kiosks project them (kiosk/projections.py), replayed from the hub's copies of the events.

`exchange.recorded` gives the participants and their first answers; `exchange.confirmed` / `declined` answer
for a pending participant; `exchange.cancelled` cancels. The status follows the kiosks' rules exactly: both
sides still there and all confirmed → "confirmed", a side left empty by declines → "cancelled".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hub.stats.events import EventRow, corrected, number, text
from hub.stats.model import ExchangeFact

EXCHANGE_TYPES = ("exchange.recorded", "exchange.confirmed", "exchange.declined", "exchange.cancelled")
TRANSMITTER, LEARNER = "transmitter", "learner"


@dataclass(slots=True)
class _Participant:
    member_id: str | None  # None: a guest
    role: str
    answer: str  # "confirmed", "pending" or "declined"


@dataclass
class _Exchange:
    row: EventRow
    participants: list[_Participant]
    status: str

    def answer(self, member_id: str, answer: str) -> None:
        for part in self.participants:
            if part.member_id == member_id and part.answer == "pending":
                part.answer = answer
        staying = [part for part in self.participants if part.answer != "declined"]
        if {part.role for part in staying} != {TRANSMITTER, LEARNER}:
            self.status = "cancelled"
        elif self.status == "pending" and all(part.answer == "confirmed" for part in staying):
            self.status = "confirmed"


def _recorded(row: EventRow) -> _Exchange:
    parts = [
        _Participant(
            member_id=part.get("member_id") if isinstance(part.get("member_id"), str) else None,
            role=text(part.get("role")),
            answer="confirmed" if part.get("confirmed") else "pending",
        )
        for part in row.payload.get("participants") or []
        if isinstance(part, dict)
    ]
    status = "confirmed" if all(part.answer == "confirmed" for part in parts) else "pending"
    return _Exchange(row, parts, status)


def replay_exchanges(rows: list[EventRow], member_collective: Mapping[str, str]) -> list[ExchangeFact]:
    """The exchanges of `rows` (events of EXCHANGE_TYPES in hub order), with their final status."""
    exchanges: dict[str, _Exchange] = {}
    for row in rows:  # recorded first: an answer synced before its exchange still applies to it
        exchange_id = row.payload.get("exchange_id")
        if row.type == "exchange.recorded" and isinstance(exchange_id, str) and exchange_id not in exchanges:
            exchanges[exchange_id] = _recorded(row)
    for row in rows:
        found = exchanges.get(text(row.payload.get("exchange_id")))
        if found is None or row.type == "exchange.recorded":
            continue
        if row.type == "exchange.cancelled":
            found.status = "cancelled"
        else:
            found.answer(text(row.payload.get("member_id")), row.type.removeprefix("exchange."))
    return [_fact(exchange_id, exchange, member_collective) for exchange_id, exchange in exchanges.items()]


def _fact(exchange_id: str, exchange: _Exchange, member_collective: Mapping[str, str]) -> ExchangeFact:
    row, p = exchange.row, exchange.row.payload
    staying = [part for part in exchange.participants if part.answer != "declined" and part.member_id]
    members = {part.member_id for part in staying if part.member_id}
    collectives = frozenset(member_collective[m] for m in members if m in member_collective)
    workshop_id = p.get("workshop_id")
    return ExchangeFact(
        id=exchange_id,
        collective_ids=collectives or frozenset({row.collective_id}),
        recorded_in=row.collective_id,
        theme_id=text(p.get("theme_id")),
        kind=text(p.get("kind")),
        occurred_at=corrected(row, p.get("occurred_at")),
        duration_min=number(p.get("duration_min")),
        status=exchange.status,
        transmitters=tuple(part.member_id for part in staying if part.role == TRANSMITTER and part.member_id),
        learners=tuple(part.member_id for part in staying if part.role == LEARNER and part.member_id),
        workshop_id=workshop_id if isinstance(workshop_id, str) else None,
    )
