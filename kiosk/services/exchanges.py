"""Exchanges of knowledge and services: record, confirm or decline, cancel, and each member's recognition."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from kiosk.domain import (
    CANCEL_WINDOW_MIN,
    MAX_DURATION_MIN,
    MIN_DURATION_MIN,
    Confirmation,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    MemberSummary,
    Participant,
    ParticipantRole,
    Partner,
    Role,
)
from kiosk.errors import KioskError, codes
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.services.listings import check_theme, check_title, contains_pattern
from kiosk.text import clean, fold

GUEST_NAME_MAX = 40
FUTURE_TOLERANCE = timedelta(minutes=5)


def check_duration(duration_min: int) -> None:
    if (
        isinstance(duration_min, bool)
        or not isinstance(duration_min, int)
        or not MIN_DURATION_MIN <= duration_min <= MAX_DURATION_MIN
    ):
        raise KioskError(codes.INVALID_DURATION)


def _fold_or_empty(text: str | None) -> str:
    return fold(text) if text else ""


def _exchange_from_row(row: sqlite3.Row, participants: list[Participant]) -> Exchange:
    return Exchange(
        id=row["id"],
        kind=ExchangeKind(row["kind"]),
        theme_id=row["theme_id"],
        title=row["title"],
        duration_min=row["duration_min"],
        site_id=row["site_id"],
        occurred_at=row["occurred_at"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        status=ExchangeStatus(row["status"]),
        cancel_reason=row["cancel_reason"],
        participants=tuple(participants),
    )


class Exchanges:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def record(
        self,
        recorded_by: str,
        kind: ExchangeKind,
        theme_id: str,
        title: str,
        duration_min: int,
        partners: Sequence[Partner],
        *,
        occurred_at: datetime | None = None,
        listing_id: str | None = None,
    ) -> Exchange:
        """Record an exchange. `partners` includes the recorder (who is present by definition).

        Present members are confirmed now; absent ones confirm at their next tap.
        """
        with self.ctx.store.transaction() as conn:
            exchange_id = self.record_in(
                conn,
                recorded_by,
                kind,
                theme_id,
                title,
                duration_min,
                partners,
                occurred_at=occurred_at,
                listing_id=listing_id,
            )
        return self.get(exchange_id)

    def record_in(
        self,
        conn: sqlite3.Connection,
        recorded_by: str | None,
        kind: ExchangeKind,
        theme_id: str,
        title: str,
        duration_min: int,
        partners: Sequence[Partner],
        *,
        occurred_at: datetime | None = None,
        listing_id: str | None = None,
        workshop_id: str | None = None,
    ) -> str:
        """Validate and write one exchange inside the caller's transaction; returns its id.

        Several exchanges (and the members they need) can so be written all-or-nothing, as the paper
        register import does. `recorded_by` is None only for exchanges recorded elsewhere (a signed paper
        register): nobody at the kiosk recorded them, so only a librarian may cancel them.
        """
        payload = self._payload(
            recorded_by, kind, theme_id, title, duration_min, partners, occurred_at, listing_id
        )
        if workshop_id is not None:  # a workshop closed as this exchange: the projection marks it held
            payload["workshop_id"] = workshop_id
        self.ctx.write_in(conn, "exchange.recorded", payload)
        return str(payload["exchange_id"])

    def _payload(
        self,
        recorded_by: str | None,
        kind: ExchangeKind,
        theme_id: str,
        title: str,
        duration_min: int,
        partners: Sequence[Partner],
        occurred_at: datetime | None,
        listing_id: str | None,
    ) -> dict[str, object]:
        """The `exchange.recorded` payload, once every rule holds (the one place that checks them)."""
        title = check_title(title)
        check_duration(duration_min)
        check_theme(self.ctx, theme_id)
        now = self.ctx.clock.now()
        when = occurred_at or now
        if when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if when > now + FUTURE_TOLERANCE:
            raise KioskError(codes.OCCURRED_IN_FUTURE)
        participants = self._participants(recorded_by, partners)
        if (
            listing_id is not None
            and self.ctx.store.query_one("SELECT 1 FROM listings WHERE id = ?", (listing_id,)) is None
        ):
            raise KioskError(codes.LISTING_NOT_FOUND)
        return {
            "exchange_id": new_id(),
            "kind": str(ExchangeKind(kind)),
            "theme_id": theme_id,
            "title": title,
            "duration_min": duration_min,
            "site_id": self.ctx.site_id,
            "occurred_at": when.isoformat(timespec="minutes"),
            "recorded_by": recorded_by,
            "listing_id": listing_id,
            "participants": participants,
        }

    def _participants(self, recorded_by: str | None, partners: Sequence[Partner]) -> list[dict[str, object]]:
        seen: dict[str, ParticipantRole] = {}
        result: list[dict[str, object]] = []
        for partner in partners:
            role = ParticipantRole(partner.role)
            if partner.member_id:
                self.ctx.member(partner.member_id)
                if partner.member_id in seen:
                    if seen[partner.member_id] != role:
                        raise KioskError(codes.SAME_PERSON_BOTH_SIDES)
                    continue
                seen[partner.member_id] = role
                present = partner.present or partner.member_id == recorded_by
                result.append({"member_id": partner.member_id, "role": str(role), "confirmed": present})
            else:
                name = clean(partner.guest_name or "")[:GUEST_NAME_MAX]
                if not name:
                    raise KioskError(codes.MEMBER_NOT_FOUND)
                # A passer-by without a card cannot confirm later: the recorder vouches for them.
                result.append({"guest_name": name, "role": str(role), "confirmed": True})
        if recorded_by is not None and recorded_by not in seen:
            raise KioskError(codes.RECORDER_NOT_PARTICIPANT)
        roles = {part["role"] for part in result}
        if roles != {ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER}:
            raise KioskError(codes.NEEDS_BOTH_SIDES)
        return result

    def confirm(self, exchange_id: str, member_id: str) -> Exchange:
        self._answer(exchange_id, member_id, "exchange.confirmed")
        return self.get(exchange_id)

    def decline(self, exchange_id: str, member_id: str) -> Exchange:
        self._answer(exchange_id, member_id, "exchange.declined")
        return self.get(exchange_id)

    def _answer(self, exchange_id: str, member_id: str, event_type: str) -> None:
        self.ctx.member(member_id)  # an erased member answers nothing any more
        with self.ctx.store.transaction() as conn:
            row = conn.execute(
                "SELECT exchanges.status, p.confirmation FROM exchanges"
                " LEFT JOIN exchange_participants p ON p.exchange_id = exchanges.id"
                " AND p.member_id = ? WHERE exchanges.id = ?",
                (member_id, exchange_id),
            ).fetchone()
            if row is None:
                raise KioskError(codes.EXCHANGE_NOT_FOUND)
            status, confirmation = row
            if status == ExchangeStatus.CANCELLED:
                raise KioskError(codes.EXCHANGE_CANCELLED)
            if confirmation != Confirmation.PENDING:
                raise KioskError(codes.NOTHING_TO_CONFIRM)
            self.ctx.write_in(conn, event_type, {"exchange_id": exchange_id, "member_id": member_id})

    def cancel(self, exchange_id: str, actor_id: str, reason: str) -> Exchange:
        """Its recorder may cancel within 10 minutes; a librarian at any time. Always with a reason."""
        reason = clean(reason)
        if not reason:
            raise KioskError(codes.REASON_REQUIRED)
        exchange = self.get(exchange_id)
        if exchange.status is ExchangeStatus.CANCELLED:
            raise KioskError(codes.EXCHANGE_CANCELLED)
        actor = self.ctx.member(actor_id)
        if not actor.has_role(Role.LIBRARIAN):
            recorded = datetime.fromisoformat(exchange.recorded_at)
            in_window = self.ctx.clock.now() - recorded <= timedelta(minutes=CANCEL_WINDOW_MIN)
            if actor_id != exchange.recorded_by or not in_window:
                raise KioskError(codes.CANCEL_TOO_LATE)
        self.ctx.write(
            "exchange.cancelled",
            {"exchange_id": exchange_id, "by_member_id": actor_id, "reason": reason},
        )
        return self.get(exchange_id)

    # Reading ---------------------------------------------------------------------------------

    def get(self, exchange_id: str) -> Exchange:
        found = self.load([exchange_id])
        if not found:
            raise KioskError(codes.EXCHANGE_NOT_FOUND)
        return found[0]

    def load(self, exchange_ids: Sequence[str]) -> list[Exchange]:
        """Exchanges with their participants, in the order of `exchange_ids`."""
        if not exchange_ids:
            return []
        marks = ",".join("?" * len(exchange_ids))
        people: dict[str, list[Participant]] = {}
        for row in self.ctx.store.query(
            "SELECT p.exchange_id, p.member_id, p.guest_name, p.role, p.confirmation,"
            " members.pseudonym FROM exchange_participants p"
            f" LEFT JOIN members ON members.id = p.member_id WHERE p.exchange_id IN ({marks})"
            " ORDER BY p.exchange_id, p.position",
            list(exchange_ids),
        ):
            people.setdefault(row["exchange_id"], []).append(
                Participant(
                    member_id=row["member_id"],
                    guest_name=row["guest_name"],
                    pseudonym=row["pseudonym"] or row["guest_name"] or "",
                    role=ParticipantRole(row["role"]),
                    confirmation=Confirmation(row["confirmation"]),
                )
            )
        rows = {
            row["id"]: row
            for row in self.ctx.store.query(
                f"SELECT * FROM exchanges WHERE id IN ({marks})", list(exchange_ids)
            )
        }
        return [
            _exchange_from_row(rows[exchange_id], people.get(exchange_id, []))
            for exchange_id in exchange_ids
            if exchange_id in rows
        ]

    def pending_for(self, member_id: str) -> list[Exchange]:
        """Exchanges waiting for this member's answer (shown first at their next tap)."""
        ids = [
            row[0]
            for row in self.ctx.store.conn.execute(
                "SELECT e.id FROM exchange_participants p JOIN exchanges e ON e.id = p.exchange_id"
                " WHERE p.member_id = ? AND p.confirmation = 'pending' AND e.status = 'pending'"
                " ORDER BY e.occurred_at",
                (member_id,),
            )
        ]
        return self.load(ids)

    def summary(self, member_id: str, recent: int = 5) -> MemberSummary:
        member = self.ctx.member(member_id, allow_erased=True)
        conn = self.ctx.store.conn
        # Kept up to date by the projections (member_recognition, participants' occurred_at): a summary
        # costs the same for a newcomer and for an animator with thousands of exchanges.
        totals = {
            role: (count, minutes)
            for role, count, minutes in conn.execute(
                "SELECT role, sum(exchanges), sum(minutes) FROM member_recognition WHERE member_id = ?"
                " GROUP BY role",
                (member_id,),
            )
        }
        themes = tuple(
            row[0]
            for row in conn.execute(
                "SELECT theme_id FROM member_recognition WHERE member_id = ? GROUP BY theme_id"
                " ORDER BY sum(exchanges) DESC, theme_id LIMIT 5",
                (member_id,),
            )
        )
        given = totals.get(ParticipantRole.TRANSMITTER, (0, 0))
        received = totals.get(ParticipantRole.LEARNER, (0, 0))
        return MemberSummary(
            member=member,
            minutes_given=given[1],
            minutes_received=received[1],
            exchanges_given=given[0],
            exchanges_received=received[0],
            themes=themes,
            recent=tuple(self._history(member_id, recent)),
            pending_confirmations=tuple(self.pending_for(member_id)),
        )

    def history(self, member_id: str, limit: int = 20) -> list[Exchange]:
        """The member's exchanges, given and received, newest first: pending ones too (their status says
        so), cancelled ones not, nor those the member declined (they said it did not happen for them)."""
        self.ctx.member(member_id, allow_erased=True)
        return self._history(member_id, limit)

    def _history(self, member_id: str, limit: int) -> list[Exchange]:
        ids = [
            row[0]
            for row in self.ctx.store.conn.execute(
                "SELECT p.exchange_id FROM exchange_participants p JOIN exchanges e ON e.id = p.exchange_id"
                " WHERE p.member_id = ? AND e.status != 'cancelled' AND p.confirmation != 'declined'"
                " ORDER BY p.occurred_at DESC, e.recorded_at DESC, e.id LIMIT ?",
                (member_id, limit),
            )
        ]
        return self.load(ids)

    def recent(self, limit: int = 50, query: str = "") -> list[Exchange]:
        """The latest exchanges, newest first (for the librarian); `query` matches the title or a
        participant's pseudonym or guest name, accents and case ignored."""
        key = fold(query)
        where, params = "", list[object]()
        if key:
            conn = self.ctx.store.conn
            conn.create_function("kiosk_fold", 1, _fold_or_empty, deterministic=True)
            where = (
                "WHERE kiosk_fold(e.title) LIKE ?1 ESCAPE '\\'"
                " OR EXISTS (SELECT 1 FROM exchange_participants p"
                " LEFT JOIN members m ON m.id = p.member_id WHERE p.exchange_id = e.id"
                " AND ((m.erased_at IS NULL AND m.pseudonym_key LIKE ?1 ESCAPE '\\')"
                " OR kiosk_fold(p.guest_name) LIKE ?1 ESCAPE '\\'))"
            )
            params.append(contains_pattern(key))
        ids = [
            row[0]
            for row in self.ctx.store.conn.execute(
                f"SELECT e.id FROM exchanges e {where} ORDER BY e.occurred_at DESC, e.recorded_at DESC, e.id"
                f" LIMIT ?{len(params) + 1}",
                [*params, limit],
            )
        ]
        return self.load(ids)

    def between(self, start: str, end: str) -> list[Exchange]:
        """Exchanges that occurred in [start, end) (ISO dates or datetimes), oldest first."""
        ids = [
            row[0]
            for row in self.ctx.store.conn.execute(
                "SELECT id FROM exchanges WHERE occurred_at >= ? AND occurred_at < ?"
                " ORDER BY occurred_at, id",
                (start, end),
            )
        ]
        return self.load(ids)
