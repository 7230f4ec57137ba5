"""Workshops and events: schedule, register (waiting list past capacity), check in at the door."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from kiosk.domain import Registration, Role, Workshop
from kiosk.errors import KioskError, codes
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.services.exchanges import check_duration
from kiosk.services.listings import check_theme, check_title
from kiosk.text import clean

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
        workshop = self.get(workshop_id)
        if workshop.status == "cancelled":
            raise KioskError(codes.WORKSHOP_CANCELLED)
        payload: dict[str, object] = {"workshop_id": workshop_id}
        if member_id is None:
            payload["guest_id"] = new_id()
        else:
            self.ctx.member(member_id)
            payload["member_id"] = member_id
        with self.ctx.store.transaction() as conn:
            in_already = (
                member_id is not None
                and conn.execute(
                    "SELECT 1 FROM workshop_attendance WHERE workshop_id = ? AND member_id = ?",
                    (workshop_id, member_id),
                ).fetchone()
            )
            if not in_already:
                self.ctx.write_in(conn, "attendance.checked_in", payload)
        return self.attendance_count(workshop_id)

    def attendance_count(self, workshop_id: str) -> int:
        row = self.ctx.store.conn.execute(
            "SELECT count(*) FROM workshop_attendance WHERE workshop_id = ?", (workshop_id,)
        ).fetchone()
        return int(row[0])

    def attendees(self, workshop_id: str) -> list[str]:
        """Member ids of those checked in (guests are counted, not listed)."""
        return [
            row[0]
            for row in self.ctx.store.conn.execute(
                "SELECT member_id FROM workshop_attendance WHERE workshop_id = ?"
                " AND member_id IS NOT NULL ORDER BY checked_in_at",
                (workshop_id,),
            )
        ]
