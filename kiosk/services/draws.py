"""Representatives drawn by lot per theme, in a way anyone can check (issue 8).

The librarian announces the draw with its cut-off and the *future* public randomness (dice rolled in public
at a meeting); members volunteer and get a short ticket; after the cut-off the pool is frozen and its hash
(and, with quotas, the 1,000 fair panels) journaled; then the randomness, once rolled, gives the seed and the
record (`kiosk.governance.sortition`). Every act is a journal event; the state is its projection.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.domain import Role
from kiosk.domain_governance import (
    MAX_SEATS,
    DrawStatus,
    DrawView,
    check_answers,
    check_quota,
    shown_time,
    with_offset,
)
from kiosk.errors import KioskError, codes
from kiosk.governance.quotas import ATTRIBUTE_LABELS
from kiosk.governance.sortition import (
    InfeasibleQuotas,
    PanelLottery,
    Quota,
    Volunteer,
    canonical_pool,
    category_counts,
    check_feasible,
    fair_panels,
    normalise_randomness,
    panels_hash,
    perform_draw,
    pool_hash,
)
from kiosk.governance.tickets import new_ticket
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.services.listings import check_theme, check_title
from kiosk.text import clean

PANEL_COUNT = 1000  # equally likely panels published at the freeze when there are quotas


class _Reason:
    """An infeasibility reason, translated when the error is shown (in the language on screen then)."""

    def __init__(self, error: InfeasibleQuotas) -> None:
        self.error = error

    def __format__(self, spec: str) -> str:
        return self.error.text()


def _quotas(text: str) -> tuple[Quota, ...]:
    return tuple(Quota.from_json(item) for item in json.loads(text))


class Draws:
    def __init__(self, ctx: Context, rng: random.Random | None = None) -> None:
        self.ctx = ctx
        self.rng = rng or secrets.SystemRandom()  # tickets; the demo passes a seeded one

    # Announce -------------------------------------------------------------------------------------

    def announce(
        self,
        actor_id: str,
        theme_id: str,
        title: str,
        seats: int,
        cutoff: datetime,
        randomness_source: str,
        quotas: Sequence[Quota] = (),
        attributes_asked: Sequence[str] = (),
    ) -> DrawView:
        self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        check_theme(self.ctx, theme_id)
        title = check_title(title)
        if isinstance(seats, bool) or not 1 <= seats <= MAX_SEATS:
            raise KioskError(codes.INVALID_SEATS, max=MAX_SEATS)
        cutoff = with_offset(cutoff, self.ctx.clock.now())
        if cutoff <= self.ctx.clock.now():
            raise KioskError(codes.DRAW_CUTOFF_PAST)
        source = clean(randomness_source)
        if len(source) < 3:
            raise KioskError(codes.RANDOMNESS_SOURCE_REQUIRED)
        asked = list(dict.fromkeys(attributes_asked))
        for attribute in asked:
            if attribute not in ATTRIBUTE_LABELS:
                raise KioskError(codes.UNKNOWN_ATTRIBUTE, attribute=attribute)
        for quota in quotas:
            check_quota(quota, asked, seats)
        draw_id = new_id()
        self.ctx.write(
            "draw.announced",
            {
                "draw_id": draw_id,
                "theme_id": theme_id,
                "title": title,
                "seats": seats,
                "cutoff": cutoff.isoformat(timespec="minutes"),
                "randomness_source": source,
                "quotas": [quota.to_json() for quota in quotas],
                "attributes_asked": asked,
                "announced_by": actor_id,
            },
        )
        return self.get(draw_id)

    # Read -----------------------------------------------------------------------------------------

    def get(self, draw_id: str) -> DrawView:
        row = self.ctx.store.query_one("SELECT * FROM draws WHERE id = ?", (draw_id,))
        if row is None:
            raise KioskError(codes.DRAW_NOT_FOUND)
        return self._view(row)

    def open_draws(self) -> list[DrawView]:
        """Draws still taking volunteers, the nearest cut-off first."""
        views = [
            self._view(row) for row in self.ctx.store.query("SELECT * FROM draws WHERE status = 'announced'")
        ]
        return sorted(
            (v for v in views if v.status is DrawStatus.OPEN), key=lambda v: datetime.fromisoformat(v.cutoff)
        )

    def recent_draws(self, limit: int = 50) -> list[DrawView]:
        rows = self.ctx.store.query("SELECT * FROM draws ORDER BY hlc DESC LIMIT ?", (limit,))
        return [self._view(row) for row in rows]

    def _status(self, row: sqlite3.Row) -> DrawStatus:
        if row["status"] == "announced":
            passed = self.ctx.clock.now() >= datetime.fromisoformat(row["cutoff"])
            return DrawStatus.CLOSED if passed else DrawStatus.OPEN
        return DrawStatus(row["status"])

    def _view(self, row: sqlite3.Row) -> DrawView:
        status = self._status(row)
        record = self.record(row["id"]) if status is DrawStatus.PERFORMED else None
        if row["pool_tickets"] is not None:
            volunteers = len(json.loads(row["pool_tickets"]))
        else:
            volunteers = self._count(row["id"])
        return DrawView(
            id=row["id"],
            theme_id=row["theme_id"],
            title=row["title"],
            seats=row["seats"],
            cutoff=row["cutoff"],
            randomness_source=row["randomness_source"],
            quotas=_quotas(row["quotas"]),
            attributes_asked=tuple(json.loads(row["attributes_asked"])),
            status=status,
            volunteers=volunteers,
            pool_hash=row["pool_hash"],
            selected=tuple(record["selected"]) if record else (),
            replacements=tuple(record["replacements"]) if record else (),
            probabilities=json.loads(row["probabilities"]) if row["probabilities"] else None,
            announced_at=row["announced_at"],
            randomness=row["randomness"],
            seed=record["seed"] if record else None,
        )

    def _count(self, draw_id: str) -> int:
        row = self.ctx.store.conn.execute(
            "SELECT count(*) FROM draw_volunteers WHERE draw_id = ? AND status = 'volunteered'", (draw_id,)
        ).fetchone()
        return int(row[0])

    # Volunteers -----------------------------------------------------------------------------------

    def ticket_of(self, draw_id: str, member_id: str) -> str | None:
        """The member's ticket while they volunteer (None if they never did, or withdrew)."""
        row = self.ctx.store.conn.execute(
            "SELECT ticket FROM draw_volunteers WHERE draw_id = ? AND member_id = ?"
            " AND status = 'volunteered'",
            (draw_id, member_id),
        ).fetchone()
        return None if row is None else str(row[0])

    def volunteer(self, draw_id: str, member_id: str, attributes: Mapping[str, str] | None) -> str:
        """Volunteer for the draw; returns the ticket. `attributes` None: no consent, nothing asked is kept.

        One ticket per member and draw: volunteering again gives the same ticket (and after a withdrawal,
        the same ticket again, with the answers given this time).
        """
        draw = self.get(draw_id)
        self.ctx.member(member_id)
        answers = None if attributes is None else check_answers(draw.attributes_asked, attributes)
        with self.ctx.store.transaction() as conn:
            self._open_row(conn, draw_id)
            current = conn.execute(
                "SELECT ticket, status FROM draw_volunteers WHERE draw_id = ? AND member_id = ?",
                (draw_id, member_id),
            ).fetchone()
            if current is not None and current[1] == "volunteered":
                return str(current[0])
            if current is not None:
                ticket = str(current[0])
            else:
                taken = {
                    t
                    for (t,) in conn.execute(
                        "SELECT ticket FROM draw_volunteers WHERE draw_id = ?", (draw_id,)
                    )
                }
                ticket = new_ticket(draw.theme_id, self.rng, taken)
            self.ctx.write_in(
                conn,
                "draw.volunteered",
                {
                    "draw_id": draw_id,
                    "ticket": ticket,
                    "member_id": member_id,
                    "attributes": answers or {},
                    "consent": answers is not None,
                },
            )
        return ticket

    def withdraw(self, draw_id: str, member_id: str) -> None:
        """Take one's ticket back, before the cut-off (after it, the replacement list does the rest)."""
        with self.ctx.store.transaction() as conn:
            self._open_row(conn, draw_id)
            ticket = self.ticket_of(draw_id, member_id)
            if ticket is None:
                raise KioskError(codes.NOT_VOLUNTEERED)
            self.ctx.write_in(
                conn, "draw.withdrawn", {"draw_id": draw_id, "ticket": ticket, "member_id": member_id}
            )

    @staticmethod
    def _row(conn: sqlite3.Connection, draw_id: str) -> sqlite3.Row | None:
        cursor = conn.execute("SELECT * FROM draws WHERE id = ?", (draw_id,))
        cursor.row_factory = sqlite3.Row
        row: sqlite3.Row | None = cursor.fetchone()
        return row

    def _open_row(self, conn: sqlite3.Connection, draw_id: str) -> sqlite3.Row:
        """The draw, still taking volunteers (refusals otherwise)."""
        row = self._row(conn, draw_id)
        if row is None:
            raise KioskError(codes.DRAW_NOT_FOUND)
        if self._status(row) is not DrawStatus.OPEN:
            raise KioskError(codes.DRAW_CLOSED)
        return row

    # Freeze and draw ------------------------------------------------------------------------------

    def _pool(self, conn: sqlite3.Connection, draw_id: str, *, frozen: bool) -> list[Volunteer]:
        where = "in_pool = 1" if frozen else "status = 'volunteered'"
        rows = conn.execute(
            f"SELECT ticket, attributes FROM draw_volunteers WHERE draw_id = ? AND {where} ORDER BY ticket",
            (draw_id,),
        ).fetchall()
        return [Volunteer(str(ticket), json.loads(attributes)) for ticket, attributes in rows]

    def freeze(self, actor_id: str, draw_id: str) -> DrawView:
        """Close the pool after the cut-off: its hash (and the fair panels, with quotas) are journaled, before
        anyone knows the randomness. Quotas that no panel can meet are refused here, and nothing is written.

        The panels are computed outside the write transaction (the LP may take a moment; the sync worker
        must not wait for it), then written only if the pool did not change meanwhile.
        """
        self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        while True:
            row, pool = self._closed_pool(self.ctx.store.conn, draw_id)
            lottery = self._lottery(pool, row["seats"], _quotas(row["quotas"]))
            with self.ctx.store.transaction() as conn:
                if self._closed_pool(conn, draw_id)[1] != pool:
                    continue  # a volunteer synced from another kiosk meanwhile: compute again
                self.ctx.write_in(
                    conn,
                    "draw.frozen",
                    {
                        "draw_id": draw_id,
                        "pool_hash": pool_hash(canonical_pool(draw_id, pool)),
                        "tickets": sorted(v.ticket for v in pool),
                        "category_counts": category_counts(pool),
                        "panels_hash": panels_hash(lottery.panels) if lottery else None,
                        "panels": [list(panel) for panel in lottery.panels] if lottery else None,
                        "probabilities": dict(sorted(lottery.probabilities.items())) if lottery else None,
                        "frozen_by": actor_id,
                    },
                )
            return self.get(draw_id)

    def _closed_pool(self, conn: sqlite3.Connection, draw_id: str) -> tuple[sqlite3.Row, list[Volunteer]]:
        """The draw, past its cut-off and not frozen yet, and its volunteers (refusals otherwise)."""
        row = self._row(conn, draw_id)
        if row is None:
            raise KioskError(codes.DRAW_NOT_FOUND)
        status = self._status(row)
        if status is DrawStatus.OPEN:
            raise KioskError(codes.DRAW_BEFORE_CUTOFF, cutoff=shown_time(row["cutoff"]))
        if status is not DrawStatus.CLOSED:
            raise KioskError(codes.DRAW_ALREADY_FROZEN)
        pool = self._pool(conn, draw_id, frozen=False)
        if not pool:
            raise KioskError(codes.DRAW_NO_VOLUNTEERS)
        return row, pool

    @staticmethod
    def _lottery(pool: list[Volunteer], seats: int, quotas: Sequence[Quota]) -> PanelLottery | None:
        if not quotas:
            return None
        try:
            check_feasible(pool, seats, quotas)
            return fair_panels(pool, seats, quotas, PANEL_COUNT)
        except InfeasibleQuotas as error:
            raise KioskError(codes.DRAW_INFEASIBLE, reason=_Reason(error)) from None

    def perform(self, actor_id: str, draw_id: str, randomness: str) -> dict[str, Any]:
        """Draw with the public randomness as rolled; returns the published record."""
        self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        if not normalise_randomness(randomness):
            raise KioskError(codes.RANDOMNESS_REQUIRED)
        with self.ctx.store.transaction() as conn:
            row = self._row(conn, draw_id)
            if row is None:
                raise KioskError(codes.DRAW_NOT_FOUND)
            status = self._status(row)
            if status is DrawStatus.PERFORMED:
                raise KioskError(codes.DRAW_ALREADY_PERFORMED)
            if status is not DrawStatus.FROZEN:
                raise KioskError(codes.DRAW_NOT_FROZEN)
            quotas = _quotas(row["quotas"])
            lottery = None
            if quotas:
                panels = tuple(tuple(panel) for panel in json.loads(row["panels"]))
                lottery = PanelLottery(panels, json.loads(row["probabilities"]))
            record = perform_draw(
                draw_id,
                self._frozen_pool(conn, row),
                row["seats"],
                quotas,
                row["randomness_source"],
                randomness,
                lottery,
            )
            self.ctx.write_in(
                conn,
                "draw.performed",
                {
                    "draw_id": draw_id,
                    "randomness": normalise_randomness(randomness),
                    "record": record,
                    "performed_by": actor_id,
                },
            )
        return record

    def _frozen_pool(self, conn: sqlite3.Connection, row: sqlite3.Row) -> list[Volunteer]:
        """The frozen pool, exactly: here it must hash to what was published at the freeze."""
        pool = self._pool(conn, row["id"], frozen=True)
        if pool_hash(canonical_pool(row["id"], pool)) != row["pool_hash"]:
            raise KioskError(codes.DRAW_POOL_INCOMPLETE)
        return pool

    def record(self, draw_id: str) -> dict[str, Any] | None:
        row = self.ctx.store.conn.execute(
            "SELECT record FROM draw_records WHERE draw_id = ?", (draw_id,)
        ).fetchone()
        if row is None:
            return None
        record: dict[str, Any] = json.loads(row[0])
        return record

    def pool_file(self, draw_id: str) -> bytes:
        """The canonical pool (tickets and the answers given with consent): the file whose hash was published,
        for the librarian's USB export and `kiosk-hub draw verify --pool`. Before the freeze: as it stands."""
        row = self._row(self.ctx.store.conn, draw_id)
        if row is None:
            raise KioskError(codes.DRAW_NOT_FOUND)
        if row["pool_hash"] is None:
            return canonical_pool(draw_id, self._pool(self.ctx.store.conn, draw_id, frozen=False))
        return canonical_pool(draw_id, self._frozen_pool(self.ctx.store.conn, row))
