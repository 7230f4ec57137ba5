"""The board of offers (« je propose ») and requests (« je cherche »): publish, withdraw, search, match."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence

from kiosk.domain import (
    Interest,
    InterestNotice,
    Listing,
    ListingFormat,
    ListingKind,
    ListingStatus,
    Role,
)
from kiosk.errors import ErrorKind, KioskError, codes
from kiosk.i18n import N_
from kiosk.ids import new_id
from kiosk.services.context import Context
from kiosk.text import clean, fold, words

TITLE_MAX = 120
DESCRIPTION_MAX = 1000
REASON_MAX = 200

_SELECT = (
    "SELECT listings.*, members.pseudonym, members.quartier AS owner_quartier, members.home_collective"
    " FROM listings JOIN members ON members.id = listings.member_id"
)

OWN_LISTING_INTEREST = ErrorKind(
    "listing.own_interest",
    N_("C’est votre annonce."),
    N_("Les personnes intéressées vous seront signalées à votre prochain passage."),
)
# An interest's id comes from the listing and the member: the same interest recorded at two kiosks
# offline is one interest once they sync.
_INTEREST_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "kiosque-des-savoirs:listing-interest")
# Notices a member is shown: interests of members not erased, on their listings still on the board.
_NOTICES = (
    "SELECT i.id, i.listing_id, l.title, l.kind, i.member_id, m.pseudonym, i.expressed_at, i.seen_at"
    " FROM listings l JOIN listing_interests i ON i.listing_id = l.id JOIN members m ON m.id = i.member_id"
    " WHERE l.member_id = ? AND l.status = 'active' AND m.erased_at IS NULL"
)


def interest_id_for(listing_id: str, member_id: str) -> str:
    return str(uuid.uuid5(_INTEREST_NAMESPACE, f"{listing_id}/{member_id}"))


def listing_from_row(row: sqlite3.Row) -> Listing:
    return Listing(
        id=row["id"],
        member_id=row["member_id"],
        pseudonym=row["pseudonym"],
        kind=ListingKind(row["kind"]),
        theme_id=row["theme_id"],
        title=row["title"],
        description=row["description"],
        format=ListingFormat(row["format"]),
        status=ListingStatus(row["status"]),
        network_visible=bool(row["network_visible"]),
        published_at=row["published_at"],
        hidden_reason=row["hidden_reason"] if row["status"] == ListingStatus.HIDDEN else None,
        quartier=row["owner_quartier"],
        home_collective=row["home_collective"],
    )


# Words that say nothing about a savoir: matching titles on them ("à" as a prefix of "au") paired
# unrelated listings. Folded forms (no accents), as `words` gives them.
_STOP_WORDS_TEXT = (
    "au aux avec ce ces dans de des du en et la le les ma mes mon ou par pour sa ses son sur ta tes ton"
    " un une vos votre the and for with"
)
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def fts_query(text: str, *, any_word: bool = False) -> str:
    """A safe FTS5 query from what a person typed: each word as a quoted prefix term.

    `any_word` (matching one listing's title against others) keeps only meaningful words: three letters
    or more and not a stop word. A search keeps every word, since people type a first letter first.
    """
    found = words(text)
    if any_word:
        found = [word for word in found if len(word) >= 3 and word not in _STOP_WORDS]
    terms = [f'"{word}"*' for word in found]
    return (" OR " if any_word else " ").join(terms)


def contains_pattern(key: str) -> str:
    """A LIKE pattern (with `ESCAPE '\\'`) matching text that contains `key` as typed: % and _ are literal."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_theme(ctx: Context, theme_id: str) -> None:
    if ctx.store.query_one("SELECT 1 FROM themes WHERE id = ?", (theme_id,)) is None:
        raise KioskError(codes.THEME_NOT_FOUND, theme=theme_id)


def check_title(title: str) -> str:
    title = clean(title)
    if not 2 <= len(title) <= TITLE_MAX:
        raise KioskError(codes.INVALID_TITLE, max=TITLE_MAX)
    return title


class Listings:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def publish(
        self,
        member_id: str,
        kind: ListingKind,
        theme_id: str,
        title: str,
        description: str = "",
        *,
        format: ListingFormat = ListingFormat.INDIVIDUAL,
        network_visible: bool = False,
    ) -> Listing:
        member = self.ctx.member(member_id)
        title = check_title(title)
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            raise KioskError(codes.INVALID_DESCRIPTION, max=DESCRIPTION_MAX)
        check_theme(self.ctx, theme_id)
        listing_id = new_id()
        self.ctx.write(
            "listing.published",
            {
                "listing_id": listing_id,
                "member_id": member.id,
                "kind": str(ListingKind(kind)),
                "theme_id": theme_id,
                "title": title,
                "description": description,
                "format": str(ListingFormat(format)),
                "network_visible": bool(network_visible),
            },
        )
        return self.get(listing_id)

    def withdraw(self, listing_id: str, actor_id: str, reason: str = "") -> Listing:
        """The owner withdraws; a librarian or animator hides it (moderation, with a reason)."""
        listing = self.get(listing_id)
        if listing.status is not ListingStatus.ACTIVE:
            raise KioskError(codes.LISTING_NOT_ACTIVE)
        moderated = actor_id != listing.member_id
        if moderated:
            self.ctx.require_role(actor_id, Role.LIBRARIAN, Role.ANIMATOR)
        self.ctx.write(
            "listing.withdrawn",
            {
                "listing_id": listing_id,
                "by": actor_id,
                "reason": clean(reason),
                "moderated": moderated,
            },
        )
        return self.get(listing_id)

    # Moderation (librarians) --------------------------------------------------------------------

    def hide(self, listing_id: str, actor_id: str, reason: str) -> Listing:
        """Take a listing off the board, search, matches and Accueil, saying why (`listing.hidden`)."""
        self.ctx.require_librarian(actor_id)
        reason = clean(reason)[:REASON_MAX]
        if not reason:
            raise KioskError(codes.HIDE_REASON_REQUIRED)
        if self.get(listing_id).status is not ListingStatus.ACTIVE:
            raise KioskError(codes.LISTING_NOT_ACTIVE)
        self.ctx.write("listing.hidden", {"listing_id": listing_id, "by": actor_id, "reason": reason})
        return self.get(listing_id)

    def restore(self, listing_id: str, actor_id: str) -> Listing:
        """Put a hidden listing back on the board as it was (`listing.restored`)."""
        self.ctx.require_librarian(actor_id)
        if self.get(listing_id).status is not ListingStatus.HIDDEN:
            raise KioskError(codes.LISTING_NOT_HIDDEN)
        self.ctx.write("listing.restored", {"listing_id": listing_id, "by": actor_id})
        return self.get(listing_id)

    def for_moderation(self, query: str = "", limit: int = 50) -> list[Listing]:
        """Active and hidden listings, newest first; `query` matches words of the title, description or
        theme, or the owner's pseudonym (accents and case ignored)."""
        where, params = "listings.status IN ('active', 'hidden')", list[object]()
        terms, key = fts_query(query), fold(query)
        if key:
            where += (
                " AND (members.pseudonym_key LIKE ? ESCAPE '\\'"
                + (
                    " OR listings.rowid IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)"
                    if terms
                    else ""
                )
                + ")"
            )
            params.append(contains_pattern(key))
            params += [terms] if terms else []
        rows = self.ctx.store.query(
            f"{_SELECT} WHERE {where} ORDER BY listings.published_at DESC, listings.id LIMIT ?",
            [*params, limit],
        )
        return [listing_from_row(row) for row in rows]

    def get(self, listing_id: str) -> Listing:
        row = self.ctx.store.query_one(_SELECT + " WHERE listings.id = ?", (listing_id,))
        if row is None:
            raise KioskError(codes.LISTING_NOT_FOUND)
        return listing_from_row(row)

    def of_member(self, member_id: str, *, active_only: bool = True) -> list[Listing]:
        rows = self.ctx.store.query(
            _SELECT
            + " WHERE listings.member_id = ?"
            + (" AND listings.status = 'active'" if active_only else "")
            + " ORDER BY listings.published_at DESC",
            (member_id,),
        )
        return [listing_from_row(row) for row in rows]

    def search(
        self,
        text: str = "",
        *,
        theme_id: str | None = None,
        kind: ListingKind | None = None,
        limit: int = 50,
    ) -> list[Listing]:
        """Active listings matching every typed word (accents and case ignored), best first."""
        where = ["listings.status = 'active'"]
        params: list[object] = []
        if theme_id:
            # The theme and its sub-themes ("cuisine", "cuisine.*") as index ranges (a LIKE is not one).
            where.append("(listings.theme_id = ? OR (listings.theme_id > ? AND listings.theme_id < ?))")
            params += [theme_id, theme_id + ".", theme_id + "/"]
        if kind:
            where.append("listings.kind = ?")
            params.append(str(kind))
        query = fts_query(text)
        # Rank and cut on the listings alone, then join the pseudonyms of the few kept: a broad query
        # (the first letter typed) can match half the board.
        if query:
            hits = (
                "SELECT listings.rowid AS hit, bm25(listings_fts, 10.0, 2.0, 5.0) AS score,"
                " listings.published_at AS at FROM listings_fts"
                " JOIN listings ON listings.rowid = listings_fts.rowid WHERE listings_fts MATCH ? AND "
                + " AND ".join(where)
                + " ORDER BY score, at DESC LIMIT ?"
            )
            params = [query, *params, limit]
        else:
            hits = (
                "SELECT listings.rowid AS hit, 0 AS score, listings.published_at AS at FROM listings WHERE "
                + " AND ".join(where)
                + " ORDER BY at DESC LIMIT ?"
            )
            params.append(limit)
        order = "ORDER BY hits.score, hits.at DESC"
        sql = f"{_SELECT} JOIN ({hits}) AS hits ON hits.hit = listings.rowid {order}"
        return [listing_from_row(row) for row in self.ctx.store.query(sql, params)]

    def matches(self, listing_id: str, limit: int = 10) -> list[Listing]:
        """For a request, the offers that may answer it (and the other way round).

        Same sub-theme first, then same top theme, then offers sharing words with the title;
        never the person's own listings.
        """
        listing = self.get(listing_id)
        wanted = ListingKind.OFFER if listing.kind is ListingKind.REQUEST else ListingKind.REQUEST
        top = listing.theme_id.split(".")[0]
        query = fts_query(listing.title, any_word=True)
        word_hits: dict[str, float] = {}
        if query:
            for rowid_id, rank in self.ctx.store.conn.execute(
                "SELECT listings.id, bm25(listings_fts) FROM listings_fts"
                " JOIN listings ON listings.rowid = listings_fts.rowid"
                " WHERE listings_fts MATCH ? AND listings.status = 'active' AND listings.kind = ?"
                " AND listings.member_id != ? ORDER BY bm25(listings_fts) LIMIT 200",
                (query, str(wanted), listing.member_id),
            ):
                word_hits[rowid_id] = float(rank)
        theme_rows = self.ctx.store.query(
            _SELECT + " WHERE listings.status = 'active' AND listings.kind = ?"
            " AND listings.member_id != ? AND (listings.theme_id = ? OR listings.theme_id LIKE ?)"
            " ORDER BY listings.published_at DESC LIMIT 200",
            (str(wanted), listing.member_id, top, top + ".%"),
        )
        candidates = {row["id"]: listing_from_row(row) for row in theme_rows}
        for extra_id in word_hits.keys() - candidates.keys():
            candidates[extra_id] = self.get(extra_id)

        def score(candidate: Listing) -> tuple[int, float]:
            theme_points = 2 if candidate.theme_id == listing.theme_id else 0
            theme_points += 1 if candidate.theme_id.split(".")[0] == top else 0
            word_points = 1 if candidate.id in word_hits else 0
            # bm25 is negative: smaller is better
            return (-(theme_points + 2 * word_points), word_hits.get(candidate.id, 0.0))

        return sorted(candidates.values(), key=score)[:limit]

    def matches_for_member(self, member_id: str, limit: int = 5) -> list[tuple[Listing, list[Listing]]]:
        """Each of the member's active requests (newest first) with the offers that may answer it."""
        requests = [x for x in self.of_member(member_id) if x.kind is ListingKind.REQUEST]
        return [(request, self.matches(request.id, limit)) for request in requests]

    # « Ça m'intéresse » ----------------------------------------------------------------------------

    def express_interest(self, listing_id: str, member_id: str) -> Interest:
        """Record that `member_id` is interested; saying it again returns the same interest (no new event)."""
        member = self.ctx.member(member_id)
        listing = self.get(listing_id)
        if listing.status is not ListingStatus.ACTIVE:
            raise KioskError(codes.LISTING_NOT_ACTIVE)
        if listing.member_id == member.id:
            raise KioskError(OWN_LISTING_INTEREST)
        interest_id = interest_id_for(listing.id, member.id)
        with self.ctx.store.transaction() as conn:
            known = conn.execute("SELECT 1 FROM listing_interests WHERE id = ?", (interest_id,)).fetchone()
            if known is None:
                self.ctx.write_in(
                    conn,
                    "listing.interest_expressed",
                    {"interest_id": interest_id, "listing_id": listing.id, "member_id": member.id},
                )
        found = self.interest_of(listing.id, member.id)
        if found is None:  # written above, or there already: only a bug in the projection gets here
            raise KioskError(codes.LISTING_NOT_FOUND)
        return found

    def interest_of(self, listing_id: str, member_id: str) -> Interest | None:
        """This member's interest in this listing, if they said so (the board shows it instead of asking)."""
        row = self.ctx.store.query_one(
            "SELECT * FROM listing_interests WHERE id = ?", (interest_id_for(listing_id, member_id),)
        )
        if row is None:
            return None
        return Interest(
            id=row["id"],
            listing_id=row["listing_id"],
            member_id=row["member_id"],
            expressed_at=row["expressed_at"],
            seen=row["seen_at"] is not None,
        )

    def interests_for(self, member_id: str, limit: int = 50) -> list[InterestNotice]:
        """Who is interested in this member's listings, newest first (seen ones too, marked so)."""
        rows = self.ctx.store.conn.execute(
            _NOTICES + " ORDER BY i.expressed_at DESC, i.id LIMIT ?", (member_id, limit)
        ).fetchall()
        return [
            InterestNotice(
                interest_id=interest_id,
                listing_id=listing_id,
                listing_title=title,
                listing_kind=ListingKind(kind),
                member_id=interested,
                pseudonym=pseudonym,
                expressed_at=expressed_at,
                seen=seen_at is not None,
            )
            for interest_id, listing_id, title, kind, interested, pseudonym, expressed_at, seen_at in rows
        ]

    def mark_interests_seen(self, member_id: str, interest_ids: Sequence[str] | None = None) -> int:
        """The owner has been shown their new interests: journaled, so no kiosk of the collective shows
        them as new again. Give the ids shown (one that arrived meanwhile stays new); None: every new one.

        Returns how many were marked; nothing new, no event.
        """
        self.ctx.member(member_id)
        with self.ctx.store.transaction() as conn:
            unseen = {
                str(row[0])
                for row in conn.execute(_NOTICES + " AND i.seen_at IS NULL", (member_id,)).fetchall()
            }
            chosen = sorted(unseen if interest_ids is None else unseen.intersection(interest_ids))
            if chosen:
                self.ctx.write_in(
                    conn, "listing.interests_seen", {"member_id": member_id, "interest_ids": chosen}
                )
        return len(chosen)
