"""The collective's few counts for the attract screen ("138 échanges ce mois-ci dans le quartier").

It runs every few minutes on a Pi holding years of exchanges: every count walks an index over a small range
(this month's exchanges, active listings, workshops from today), never a whole table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.domain import CollectiveStats, ListingKind
from kiosk.services.context import Context

# Dates are stored as ISO text with the offset of the kiosk that wrote them. The index narrows on the text
# with a day's margin (offsets stay within ±14 h); julianday() then compares the moments exactly.
_THIS_MONTH = (
    " FROM exchanges e WHERE e.occurred_at >= :low AND e.occurred_at < :high"
    " AND julianday(e.occurred_at) >= julianday(:start) AND julianday(e.occurred_at) < julianday(:end)"
    " AND e.status = 'confirmed'"
)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month holding `now`, in `now`'s time zone: [first day 0:00, next month's first day)."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    # `replace` keeps the zone, so each bound gets its own offset (winter and summer time differ).
    return start, following


class Stats:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def overview(self) -> CollectiveStats:
        now = self.ctx.clock.now()
        start, end = month_bounds(now)
        month = {
            "low": (start - timedelta(days=1)).date().isoformat(),
            "high": (end + timedelta(days=1)).date().isoformat(),
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        conn = self.ctx.store.conn
        exchanges, minutes = conn.execute(
            "SELECT count(*), coalesce(sum(e.duration_min), 0)" + _THIS_MONTH, month
        ).fetchone()
        (members,) = conn.execute(
            "SELECT count(DISTINCT p.member_id) FROM exchange_participants p WHERE p.exchange_id IN"
            " (SELECT e.id" + _THIS_MONTH + ") AND p.member_id IS NOT NULL AND p.confirmation = 'confirmed'",
            month,
        ).fetchone()
        listings = dict(
            conn.execute(
                # this collective's own: listings shared from other collectives have owners from elsewhere
                "SELECT l.kind, count(*) FROM listings l JOIN members m ON m.id = l.member_id"
                " WHERE l.status = 'active' AND m.home_collective IS NULL GROUP BY l.kind"
            ).fetchall()
        )
        (workshops,) = conn.execute(
            "SELECT count(*) FROM workshops WHERE starts_at >= ? AND julianday(starts_at) > julianday(?)"
            " AND status = 'scheduled'",
            ((now - timedelta(days=1)).date().isoformat(), now.isoformat()),
        ).fetchone()
        return CollectiveStats(
            month=start.strftime("%Y-%m"),
            exchanges_this_month=int(exchanges),
            minutes_this_month=int(minutes),
            active_members=int(members),
            active_offers=int(listings.get(str(ListingKind.OFFER), 0)),
            active_requests=int(listings.get(str(ListingKind.REQUEST), 0)),
            upcoming_workshops=int(workshops),
        )
