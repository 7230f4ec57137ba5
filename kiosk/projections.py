"""State tables as a projection of the journal: one `apply` per event type.

A projection reads only the event (payload, occurred_at, hlc), never the clock or the config, so replaying
the journal on an empty store, here or on another kiosk, gives the same state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from kiosk.journal import Event, encode_payload
from kiosk.text import fold

ERASED_PSEUDONYM = "Membre effacé"
UTC_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ', ?)"  # an ISO moment with offset, as UTC text that sorts by time
# What search sees of a listing's theme: its labels and its parent's, in both languages.
THEME_LABEL_SQL = (
    "SELECT t.label_fr || ' ' || t.label_en || ' ' || coalesce(parent.label_fr || ' ' || parent.label_en, '')"
    " FROM themes t LEFT JOIN themes parent ON parent.id = t.parent_id"
)

Projection = Callable[[sqlite3.Connection, Event], None]
_PROJECTIONS: dict[str, Projection] = {}


def projects(event_type: str) -> Callable[[Projection], Projection]:
    def register(function: Projection) -> Projection:
        _PROJECTIONS[event_type] = function
        return function

    return register


def apply(conn: sqlite3.Connection, event: Event) -> None:
    _PROJECTIONS[event.type](conn, event)


def known_types() -> frozenset[str]:
    return frozenset(_PROJECTIONS)


# Members and cards ---------------------------------------------------------------------------------


@projects("member.registered")
def _member_registered(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    consent = p.get("consent") or {}
    conn.execute(
        "INSERT INTO members (id, collective_id, pseudonym, pseudonym_key, quartier, roles, languages,"
        " contact, consent_at, consent_version, registered_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            p["member_id"],
            p["collective_id"],
            p["pseudonym"],
            fold(p["pseudonym"]) or "redacted:" + p["member_id"],
            p["quartier"],
            json.dumps(p["roles"]),
            json.dumps(p["languages"]),
            p.get("contact"),
            consent.get("given_at"),
            consent.get("text_version"),
            event.occurred_at,
        ),
    )


@projects("member.erased")
def _member_erased(conn: sqlite3.Connection, event: Event) -> None:
    member_id = event.payload["member_id"]
    conn.execute(
        "UPDATE members SET pseudonym = ?, pseudonym_key = ?, contact = NULL, consent_at = NULL,"
        " consent_version = NULL, languages = '[]', erased_at = ? WHERE id = ?",
        (ERASED_PSEUDONYM, "erased:" + member_id, event.occurred_at, member_id),
    )
    conn.execute(
        "UPDATE cards SET status = 'revoked', revoked_at = coalesce(revoked_at, ?),"
        " revoke_reason = coalesce(revoke_reason, 'erased') WHERE member_id = ?",
        (event.occurred_at, member_id),
    )
    for (rowid,) in conn.execute("SELECT rowid FROM listings WHERE member_id = ?", (member_id,)):
        conn.execute("DELETE FROM listings_fts WHERE rowid = ?", (rowid,))
    conn.execute(
        "UPDATE listings SET title = '', description = '', status = 'withdrawn', hidden_reason = NULL,"
        " closed_at = coalesce(closed_at, ?), closed_reason = coalesce(closed_reason, 'erased')"
        " WHERE member_id = ?",
        (event.occurred_at, member_id),
    )
    _revoke_passes(conn, member_id, event.occurred_at)
    conn.execute("DELETE FROM admin_pins WHERE member_id = ?", (member_id,))  # local: never replayed
    # Who was interested in what is personal too; the counts of exchanges are what erasure keeps.
    conn.execute(
        "DELETE FROM listing_interests WHERE member_id = ?"
        " OR listing_id IN (SELECT id FROM listings WHERE member_id = ?)",
        (member_id, member_id),
    )
    # Tickets lose their holder, candidacies their statement; the « a voté » register keeps its count.
    projections_draws.erase_volunteer(conn, member_id)
    projections_elections.erase_candidate(conn, member_id)
    _redact_journal(conn, member_id)


def _redact_journal(conn: sqlite3.Connection, member_id: str) -> None:
    """GDPR erasure reaches the journal too: personal fields of this member's past events are blanked."""
    rows = conn.execute(
        "SELECT pos, type, payload FROM journal WHERE type IN ('member.registered', 'listing.published',"
        " 'member.visited', 'network.member_known', 'network.listing_shared')"
        " AND json_extract(payload, '$.member_id') = ?",
        (member_id,),
    ).fetchall()
    for pos, event_type, text in rows:
        payload: dict[str, Any] = json.loads(text)
        if event_type == "member.registered":
            payload.update(pseudonym="", contact=None, consent=None, languages=[])
        elif event_type == "listing.published":
            payload.update(title="", description="")
        elif event_type == "network.listing_shared":  # issue 9: what other collectives were shown
            payload.update(title="", description="", pseudonym="")
        else:
            payload.update(pseudonym="")
        conn.execute("UPDATE journal SET payload = ? WHERE pos = ?", (encode_payload(payload), pos))


@projects("card.enrolled")
def _card_enrolled(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    # A revoked card stays revoked forever; an active one follows the latest enrolment. During a card key
    # rotation the enrolment carries the card's hash under the next key too (projections_card_keys.py).
    conn.execute(
        "INSERT INTO cards (uid_hash, member_id, status, enrolled_at, next_uid_hash)"
        " VALUES (?, ?, 'active', ?, ?)"
        " ON CONFLICT (uid_hash) DO UPDATE SET member_id = excluded.member_id,"
        " enrolled_at = excluded.enrolled_at,"
        " next_uid_hash = coalesce(excluded.next_uid_hash, cards.next_uid_hash)"
        " WHERE cards.status = 'active'",
        (p["uid_hash"], p["member_id"], event.occurred_at, p.get("next_uid_hash")),
    )


@projects("card.revoked")
def _card_revoked(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    # A re-keyed card's revocation names both hashes: it reaches the card on either side of the switch.
    conn.execute(
        "UPDATE cards SET status = 'revoked', revoked_at = ?, revoke_reason = ?"
        " WHERE uid_hash IN (?, ?) AND status = 'active'",
        (event.occurred_at, p.get("reason", ""), p["uid_hash"], p.get("next_uid_hash") or p["uid_hash"]),
    )


# Listings --------------------------------------------------------------------------------------


@projects("listing.published")
def _listing_published(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    cursor = conn.execute(
        "INSERT INTO listings (id, member_id, kind, theme_id, title, description, format, status,"
        " network_visible, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
        (
            p["listing_id"],
            p["member_id"],
            p["kind"],
            p["theme_id"],
            p["title"],
            p["description"],
            p["format"],
            int(p.get("network_visible", False)),
            event.occurred_at,
        ),
    )
    theme = conn.execute(THEME_LABEL_SQL + " WHERE t.id = ?", (p["theme_id"],)).fetchone()
    conn.execute(
        "INSERT INTO listings_fts (rowid, title, description, theme_label) VALUES (?, ?, ?, ?)",
        (cursor.lastrowid, p["title"], p["description"], theme[0] if theme else ""),
    )


@projects("listing.withdrawn")
def _listing_withdrawn(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    moderated = bool(p.get("moderated"))  # before `listing.hidden` existed, a librarian's withdrawal hid it
    conn.execute(
        "UPDATE listings SET status = ?, closed_at = ?, closed_reason = ?, hidden_reason = ?"
        " WHERE id = ? AND status = 'active'",
        (
            "hidden" if moderated else "withdrawn",
            event.occurred_at,
            p.get("reason", ""),
            p.get("reason", "") if moderated else None,
            p["listing_id"],
        ),
    )


# Exchanges -------------------------------------------------------------------------------------


@projects("exchange.recorded")
def _exchange_recorded(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    participants = p["participants"]
    all_confirmed = all(part["confirmed"] for part in participants)
    conn.execute(
        "INSERT INTO exchanges (id, kind, theme_id, title, duration_min, site_id, occurred_at,"
        " recorded_by, recorded_at, status, listing_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            p["exchange_id"],
            p["kind"],
            p["theme_id"],
            p["title"],
            p["duration_min"],
            p["site_id"],
            p["occurred_at"],
            p.get("recorded_by"),
            event.occurred_at,
            "confirmed" if all_confirmed else "pending",
            p.get("listing_id"),
        ),
    )
    conn.executemany(
        "INSERT INTO exchange_participants (exchange_id, position, member_id, guest_name, role,"
        " confirmation, answered_at, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                p["exchange_id"],
                position,
                part.get("member_id"),
                part.get("guest_name"),
                part["role"],
                "confirmed" if part["confirmed"] else "pending",
                event.occurred_at if part["confirmed"] else None,
                p["occurred_at"],
            )
            for position, part in enumerate(participants)
        ],
    )
    if all_confirmed:
        _recognise(conn, p["exchange_id"], 1)
    if p.get("workshop_id"):  # a workshop closed as one exchange: held, once (the first close wins)
        conn.execute(
            "UPDATE workshops SET status = 'held', exchange_id = ? WHERE id = ? AND status = 'scheduled'",
            (p["exchange_id"], p["workshop_id"]),
        )


def _status(conn: sqlite3.Connection, exchange_id: str) -> str | None:
    row = conn.execute("SELECT status FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
    return None if row is None else str(row[0])


def _recognise(conn: sqlite3.Connection, exchange_id: str, sign: int) -> None:
    """Count an exchange that became confirmed in its confirmed members' recognition (sign -1: uncount it).

    While an exchange is confirmed none of its participants can change their answer, so taking it back
    removes exactly what was added.
    """
    conn.execute(
        "INSERT INTO member_recognition (member_id, role, theme_id, exchanges, minutes)"
        " SELECT p.member_id, p.role, e.theme_id, ?, ? * e.duration_min FROM exchange_participants p"
        " JOIN exchanges e ON e.id = p.exchange_id"
        " WHERE p.exchange_id = ? AND p.member_id IS NOT NULL AND p.confirmation = 'confirmed'"
        " ON CONFLICT (member_id, role, theme_id) DO UPDATE"
        " SET exchanges = exchanges + excluded.exchanges, minutes = minutes + excluded.minutes",
        (sign, sign, exchange_id),
    )
    if sign < 0:  # no zero rows: the table stays what counting afresh gives (as migration V4 does)
        conn.execute(
            "DELETE FROM member_recognition WHERE exchanges = 0 AND member_id IN"
            " (SELECT member_id FROM exchange_participants WHERE exchange_id = ? AND member_id IS NOT NULL)",
            (exchange_id,),
        )


def _status_changed(conn: sqlite3.Connection, exchange_id: str, before: str | None) -> None:
    after = _status(conn, exchange_id)
    if (before == "confirmed") != (after == "confirmed"):
        _recognise(conn, exchange_id, 1 if after == "confirmed" else -1)


def _answer(conn: sqlite3.Connection, event: Event, answer: str) -> None:
    p = event.payload
    conn.execute(
        "UPDATE exchange_participants SET confirmation = ?, answered_at = ?"
        " WHERE exchange_id = ? AND member_id = ? AND confirmation = 'pending'",
        (answer, event.occurred_at, p["exchange_id"], p["member_id"]),
    )
    _settle(conn, p["exchange_id"])


def _settle(conn: sqlite3.Connection, exchange_id: str) -> None:
    """Status from the answers: both sides still there and all confirmed → confirmed."""
    rows = conn.execute(
        "SELECT role, confirmation FROM exchange_participants WHERE exchange_id = ?",
        (exchange_id,),
    ).fetchall()
    staying = [(role, answer) for role, answer in rows if answer != "declined"]
    roles = {role for role, _ in staying}
    before = _status(conn, exchange_id)
    if roles != {"transmitter", "learner"}:
        conn.execute(
            "UPDATE exchanges SET status = 'cancelled', cancel_reason = 'declined'"
            " WHERE id = ? AND status != 'cancelled'",
            (exchange_id,),
        )
    elif all(answer == "confirmed" for _, answer in staying):
        conn.execute(
            "UPDATE exchanges SET status = 'confirmed' WHERE id = ? AND status = 'pending'",
            (exchange_id,),
        )
    _status_changed(conn, exchange_id, before)


@projects("exchange.confirmed")
def _exchange_confirmed(conn: sqlite3.Connection, event: Event) -> None:
    _answer(conn, event, "confirmed")


@projects("exchange.declined")
def _exchange_declined(conn: sqlite3.Connection, event: Event) -> None:
    _answer(conn, event, "declined")


@projects("exchange.cancelled")
def _exchange_cancelled(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    before = _status(conn, p["exchange_id"])
    conn.execute(
        "UPDATE exchanges SET status = 'cancelled', cancel_reason = ?, cancelled_by = ? WHERE id = ?",
        (p["reason"], p.get("by_member_id"), p["exchange_id"]),
    )
    _status_changed(conn, p["exchange_id"], before)


# Member passes -----------------------------------------------------------------------------------


def _revoke_passes(conn: sqlite3.Connection, member_id: str, moment: str) -> None:
    """Every pass of this member issued before `moment` is refused from now on (latest moment wins)."""
    conn.execute(
        "INSERT INTO pass_revocations (member_id, revoked_before) VALUES (?, " + UTC_SQL + ")"
        " ON CONFLICT (member_id) DO UPDATE"
        " SET revoked_before = max(revoked_before, excluded.revoked_before)",
        (member_id, moment),
    )


@projects("pass.revoked")
def _pass_revoked(conn: sqlite3.Connection, event: Event) -> None:
    _revoke_passes(conn, event.payload["member_id"], event.occurred_at)


@projects("pass.key_published")
def _pass_key_published(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    conn.execute(
        "INSERT OR IGNORE INTO pass_keys (key_id, public_key, kiosk_id, published_at) VALUES (?, ?, ?, ?)",
        (p["key_id"], p["public_key"], event.kiosk_id, event.occurred_at),
    )


# Interests in listings and taps of unknown cards, workshops, moderation, draws and elections live in their
# own modules (registered on import).
from kiosk import (  # noqa: E402, F401
    projections_card_keys,
    projections_draws,
    projections_elections,
    projections_moderation,
    projections_network,
    projections_notices,
    projections_themes,
    projections_workshops,
)
