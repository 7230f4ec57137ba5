"""Listings (« je propose / je cherche ») replayed from the hub's events, and when a request found a match.

A listing ends when its owner withdraws it, a librarian hides it (restoring it makes it active again) or its
owner is erased. A request is matched by the first interest someone expresses in it, or by the first exchange
after its publication where its owner learns in its theme (or a sub-theme), whichever comes first, while it
is still on the board.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hub.stats.events import EventRow, text
from hub.stats.model import ExchangeFact, ListingFact

LISTING_TYPES = (
    "listing.published",
    "listing.withdrawn",
    "listing.hidden",
    "listing.restored",
    "listing.interest_expressed",
)


@dataclass
class _Listing:
    row: EventRow
    status: str = "active"
    ended_at: str | None = None
    first_interest: str | None = None


def replay_listings(
    rows: list[EventRow],
    member_collective: Mapping[str, str],
    erased_at: Mapping[str, str],
    exchanges: Iterable[ExchangeFact],
) -> list[ListingFact]:
    listings: dict[str, _Listing] = {}
    for row in rows:
        listing_id = row.payload.get("listing_id")
        if row.type == "listing.published" and isinstance(listing_id, str) and listing_id not in listings:
            listings[listing_id] = _Listing(row)
    for row in rows:
        found = listings.get(text(row.payload.get("listing_id")))
        if found is not None and row.type != "listing.published":
            _apply(found, row)
    learning = _learning(exchanges)
    return [_fact(key, item, member_collective, erased_at, learning) for key, item in listings.items()]


def _apply(listing: _Listing, row: EventRow) -> None:
    if row.type == "listing.interest_expressed":
        if listing.first_interest is None or row.corrected_at < listing.first_interest:
            listing.first_interest = row.corrected_at
    elif row.type == "listing.restored":
        if listing.status == "hidden":
            listing.status, listing.ended_at = "active", None
    elif listing.status == "active":  # withdrawn, or hidden
        listing.status, listing.ended_at = "ended", row.corrected_at
        if row.type == "listing.hidden" or row.payload.get("moderated"):
            listing.status = "hidden"


def _learning(exchanges: Iterable[ExchangeFact]) -> dict[str, list[tuple[str, str]]]:
    """(theme, when) of the exchanges not cancelled, by learner."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for exchange in exchanges:
        if exchange.status != "cancelled":
            for member_id in exchange.learners:
                found[member_id].append((exchange.theme_id, exchange.occurred_at))
    return found


def _in_theme(theme_id: str, listing_theme: str) -> bool:
    return theme_id == listing_theme or theme_id.startswith(listing_theme + ".")


def _fact(
    listing_id: str,
    listing: _Listing,
    member_collective: Mapping[str, str],
    erased_at: Mapping[str, str],
    learning: Mapping[str, list[tuple[str, str]]],
) -> ListingFact:
    p, row = listing.row.payload, listing.row
    member_id, published = text(p.get("member_id")), row.corrected_at
    ended = listing.ended_at or erased_at.get(member_id)
    matched: str | None = None
    if p.get("kind") == "request":
        moments = [listing.first_interest] if listing.first_interest else []
        moments += [
            when for theme, when in learning.get(member_id, ()) if _in_theme(theme, text(p.get("theme_id")))
        ]
        # an exchange's time is to the minute: one recorded in the minute of publication follows it
        since = published[:16]
        moments = [when for when in moments if when >= since and (ended is None or when <= ended)]
        matched = min(moments, default=None)
    return ListingFact(
        id=listing_id,
        member_id=member_id,
        collective_id=member_collective.get(member_id, row.collective_id),
        kind=text(p.get("kind")),
        theme_id=text(p.get("theme_id")),
        published_at=published,
        ended_at=ended,
        matched_at=matched,
        network_visible=bool(p.get("network_visible")),
    )
