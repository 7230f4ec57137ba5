"""Workshops and events: schedule, register (waiting list past capacity), check in at the door."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from datetime import datetime

from kiosk.domain import Exchange, ExchangeKind, ParticipantRole, Partner, Registration, Role, Workshop
from kiosk.errors import KioskError, codes
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.services.exchanges import Exchanges, check_duration
from kiosk.services.listings import check_theme, check_title
from kiosk.text import clean

# Guests checked in by an unknown card: one id per card and workshop (the same tap twice counts once).
_GUEST_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "kiosque-des-savoirs:workshop-guest")
_SELECT = (
    "SELECT w.*, (SELECT count(*) FROM workshop_registrations r WHERE r.workshop_id = w.id"
    " AND r.status = 'registered') AS registrations FROM workshops w"
)


def workshop_from_row(row: sqlite3.Row) -> Workshop:
    registrations = int(row["registrations"])
    return Workshop(
        id=row["id"],
        title=row["title"],
        theme_id=row["theme_id"],
        starts_at=row["starts_at"],
        duration_min=row["duration_min"],
        site_id=row["site_id"],
        place=row["place"],
        capacity=row["capacity"],
        animator_ids=tuple(json.loads(row["animator_ids"])),
        status=row["status"],
        registered=min(registrations, row["capacity"]),
        waiting=max(0, registrations - row["capacity"]),
    )


class Workshops:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def schedule(
        self,
        actor_id: str,
        title: str,
        theme_id: str,
        starts_at: datetime,
        duration_min: int,
        capacity: int,
        animator_ids: Sequence[str],
        place: str = "",
    ) -> Workshop:
        self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        title = check_title(title)
        check_theme(self.ctx, theme_id)
        check_duration(duration_min)
        if isinstance(capacity, bool) or not 1 <= capacity <= 500:
            raise KioskError(codes.INVALID_CAPACITY)
        animators = list(dict.fromkeys(animator_ids)) or [actor_id]
        for animator in animators:
            self.ctx.member(animator)
        workshop_id = new_id()
        self.ctx.write(
            "event.scheduled",
            {
                "workshop_id": workshop_id,
                "title": title,
                "theme_id": theme_id,
                "starts_at": starts_at.isoformat(timespec="minutes"),
                "duration_min": duration_min,
                "site_id": self.ctx.site_id,
                "place": clean(place),
                "capacity": capacity,
                "animator_ids": animators,
                "scheduled_by": actor_id,
            },
        )
        return self.get(workshop_id)

    def get(self, workshop_id: str) -> Workshop:
        row = self.ctx.store.query_one(_SELECT + " WHERE w.id = ?", (workshop_id,))
        if row is None:
            raise KioskError(codes.WORKSHOP_NOT_FOUND)
        return workshop_from_row(row)

    def upcoming(self, limit: int = 10) -> list[Workshop]:
        today = self.ctx.clock.now().date().isoformat()
        rows = self.ctx.store.query(
            _SELECT + " WHERE w.status = 'scheduled' AND w.starts_at >= ? ORDER BY w.starts_at LIMIT ?",
            (today, limit),
        )
        return [workshop_from_row(row) for row in rows]

    def register(self, workshop_id: str, member_id: str) -> Registration:
        workshop = self.get(workshop_id)
        if workshop.status == "cancelled":
            raise KioskError(codes.WORKSHOP_CANCELLED)
        self.ctx.member(member_id)
        with self.ctx.store.transaction() as conn:
            already = conn.execute(
                "SELECT 1 FROM workshop_registrations WHERE workshop_id = ? AND member_id = ?"
                " AND status = 'registered'",
                (workshop_id, member_id),
            ).fetchone()
            if already:
                raise KioskError(codes.ALREADY_REGISTERED)
            self.ctx.write_in(conn, "event.registered", {"workshop_id": workshop_id, "member_id": member_id})
        return self.registration(workshop_id, member_id)

    def unregister(self, workshop_id: str, member_id: str) -> None:
        self.registration(workshop_id, member_id)
        self.ctx.write("event.unregistered", {"workshop_id": workshop_id, "member_id": member_id})

    def registration(self, workshop_id: str, member_id: str) -> Registration:
        """Rank by registration order (hybrid clock): the first `capacity` are in, others wait."""
        workshop = self.get(workshop_id)
        order = [
            row[0]
            for row in self.ctx.store.conn.execute(
                "SELECT member_id FROM workshop_registrations WHERE workshop_id = ?"
                " AND status = 'registered' ORDER BY hlc",
                (workshop_id,),
            )
        ]
        if member_id not in order:
            raise KioskError(codes.MEMBER_NOT_FOUND)
        rank = order.index(member_id) + 1
        waiting = rank > workshop.capacity
        return Registration(workshop_id, member_id, waiting, rank - workshop.capacity if waiting else rank)

    def check_in(self, workshop_id: str, member_id: str | None = None) -> int:
        """Record one person at the door (a member, or a guest when `member_id` is None).

        Returns the running count of people in. Checking in the same member twice counts once.
        """
        return self._check_in(workshop_id, member_id, None)

    def check_in_guest(self, workshop_id: str, card_uid_hash: str | None = None) -> int:
        """Count a guest in (a passer-by, or a card the kiosk does not know); returns the running count.

        With the card's hash, the same unknown card tapped twice counts once: its guest id is derived from
        the workshop and the hash, which it does not reveal.
        """
        guest_id = (
            str(uuid.uuid5(_GUEST_NAMESPACE, f"{workshop_id}/{card_uid_hash}")) if card_uid_hash else None
        )
        return self._check_in(workshop_id, None, guest_id)

    def _check_in(self, workshop_id: str, member_id: str | None, guest_id: str | None) -> int:
        workshop = self.get(workshop_id)
        if workshop.status == "cancelled":
            raise KioskError(codes.WORKSHOP_CANCELLED)
        if workshop.status == "held":
            raise KioskError(codes.WORKSHOP_ALREADY_CLOSED)
        payload: dict[str, object] = {"workshop_id": workshop_id}
        if member_id is None:
            payload["guest_id"] = guest_id or new_id()
        else:
            self.ctx.member(member_id)
            payload["member_id"] = member_id
        with self.ctx.store.transaction() as conn:
            attendee = member_id or f"guest:{payload['guest_id']}"
            in_already = conn.execute(
                "SELECT 1 FROM workshop_attendance WHERE workshop_id = ? AND attendee = ?",
                (workshop_id, attendee),
            ).fetchone()
            if not in_already:
                self.ctx.write_in(conn, "attendance.checked_in", payload)
        return self.attendance_count(workshop_id)

    def attendance_count(self, workshop_id: str) -> int:
        row = self.ctx.store.conn.execute(
            "SELECT count(*) FROM workshop_attendance WHERE workshop_id = ?", (workshop_id,)
        ).fetchone()
        return int(row[0])

    def attendees(self, workshop_id: str) -> list[str]:
        """Member ids of those checked in, in the order they came (guests are counted, not listed)."""
        return [member_id for member_id, _ in self.present(workshop_id)]

    def present(self, workshop_id: str) -> list[tuple[str, str]]:
        """(member id, pseudonym) of the members checked in, in the order they came (hybrid clock)."""
        rows = self.ctx.store.conn.execute(
            "SELECT a.member_id, m.pseudonym FROM workshop_attendance a JOIN members m ON m.id = a.member_id"
            " WHERE a.workshop_id = ? ORDER BY a.hlc, a.checked_in_at, a.attendee",
            (workshop_id,),
        )
        return [(str(member_id), str(pseudonym)) for member_id, pseudonym in rows]

    def guests(self, workshop_id: str) -> int:
        row = self.ctx.store.conn.execute(
            "SELECT count(*) FROM workshop_attendance WHERE workshop_id = ? AND member_id IS NULL",
            (workshop_id,),
        ).fetchone()
        return int(row[0])

    def close_as_exchange(self, workshop_id: str, actor_id: str) -> Exchange:
        """Record the workshop as ONE exchange: its animators transmitted to every member present.

        Everyone in it was there (checked in), so it is confirmed at once; its duration, theme and title are
        the workshop's. Guests are counted at the door, not named in it. Once only: the workshop is then
        held (`exchange.recorded` carries its id, so every kiosk knows it is closed).
        """
        actor = self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        workshop = self.get(workshop_id)
        if workshop.status == "cancelled":
            raise KioskError(codes.WORKSHOP_CANCELLED)
        if workshop.status == "held":
            raise KioskError(codes.WORKSHOP_ALREADY_CLOSED)
        animators = [a for a in workshop.animator_ids if not self.ctx.member(a, allow_erased=True).is_erased]
        learners = [m for m, _ in self.present(workshop_id) if m not in animators]
        if not learners:
            raise KioskError(codes.WORKSHOP_NOBODY_PRESENT)
        partners = [Partner(ParticipantRole.TRANSMITTER, a, present=True) for a in animators]
        partners += [Partner(ParticipantRole.LEARNER, m, present=True) for m in learners]
        # Its recorder is who closed it when they took part; a librarian who did not is not put in it.
        recorder = actor.id if actor.id in animators or actor.id in learners else None
        now = self.ctx.clock.now()
        started = datetime.fromisoformat(workshop.starts_at)
        started = started if started.tzinfo else started.replace(tzinfo=now.tzinfo)
        exchanges = Exchanges(self.ctx)
        with self.ctx.store.transaction() as conn:
            if (
                conn.execute("SELECT status FROM workshops WHERE id = ?", (workshop_id,)).fetchone()[0]
                == "held"
            ):
                raise KioskError(codes.WORKSHOP_ALREADY_CLOSED)  # closed by another tap meanwhile
            exchange_id = exchanges.record_in(
                conn,
                recorder,
                ExchangeKind.KNOWLEDGE,
                workshop.theme_id,
                workshop.title,
                workshop.duration_min,
                partners,
                occurred_at=min(started, now),
                workshop_id=workshop.id,
            )
        return exchanges.get(exchange_id)
