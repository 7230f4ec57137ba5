"""The hub's tables (SQLAlchemy Core). The Alembic migrations create exactly these (a test compares them).

Times are ISO 8601 text in UTC with milliseconds (`hub.timeutil.iso`), so they sort as text and read the same
on SQLite and PostgreSQL. Payloads are kept as canonical JSON text: duplicates are recognised by comparing it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a large event table.
BigId = BigInteger().with_variant(Integer(), "sqlite")

networks = Table(
    "networks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    # The network's card key (hex): uid_hash = HMAC(key, uid) is the same in every quartier of the network.
    Column("card_key", String(64), nullable=True),
    Column("created_at", String(40), nullable=False),
    # Erasures applied to this network's stored events so far (hub/recent_changes.py, migration 0008).
    Column("redactions", BigInteger, nullable=False, server_default="0"),
)

collectives = Table(
    "collectives",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("network_id", String(64), ForeignKey("networks.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quartier", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    # The collective's hub sequence: incremented under the row lock, so commits happen in sequence order.
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("paired_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Column("last_seen_at", String(40), nullable=True),
    Column("skew_ms", BigInteger, nullable=True),
    # What the kiosk said it still had to send in its last request (X-Kiosk-Pending), for the dashboard.
    Column("pending_events", BigInteger, nullable=True),
)

pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
    Column("kiosk_id", String(36), nullable=True),
)

pair_failures = Table(
    "pair_failures",
    metadata,
    Column("pk", BigId, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("pair_failures_address", "address", "at_ms"),
)

events = Table(
    "events",
    metadata,
    Column("pk", BigId, primary_key=True, autoincrement=True),
    # Checked by SQLite only (PostgreSQL: migration 0010 says why).
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("schema", Integer, nullable=False),
    Column("kiosk_id", String(36), nullable=False),
    Column("kiosk_seq", BigInteger, nullable=False),
    Column("occurred_at", String(40), nullable=False),
    Column("hlc", String(64), nullable=False),
    Column("clock_synced", Boolean, nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("skew_ms", BigInteger, nullable=True),
    Column("corrected_at", String(40), nullable=False),
    Column("flags", Text, nullable=False, server_default="[]"),
    # The member whose personal data the payload holds (member.registered, listing.published): erasure.
    Column("member_id", String(36), nullable=True),
    Column("redacted", Boolean, nullable=False, server_default="0"),
    # The pull `Change` as JSON text (hub/wire.py); NULL when it must be rebuilt (older rows, redaction).
    Column("change_json", Text, nullable=True),
    UniqueConstraint("collective_id", "seq", name="events_collective_seq"),
    UniqueConstraint("kiosk_id", "kiosk_seq", name="events_kiosk_seq"),
    # Only the events that name a member (migration 0009): an erasure looks them up by member_id.
    Index(
        "events_member",
        "member_id",
        postgresql_where=text("member_id IS NOT NULL"),
        sqlite_where=text("member_id IS NOT NULL"),
    ),
)

# What the hub itself needs to know to flag and resolve events (not a copy of the kiosks' state).
members = Table(
    "members",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("collective_id", String(64), nullable=False),
    Column("erased_at", String(40), nullable=True),
)

cards = Table(
    "cards",
    metadata,
    Column("network_id", String(64), primary_key=True),
    Column("uid_hash", String(64), primary_key=True),
    Column("member_id", String(36), nullable=False),
    Column("collective_id", String(64), nullable=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Index("cards_member", "member_id"),
    # a push looks up the cards of its members within one network: without this SQLite used the primary
    # key's network_id prefix, i.e. scanned every card of the network
)

unknown_taps = Table(
    "unknown_taps",
    metadata,
    Column("event_id", String(36), ForeignKey("events.id"), primary_key=True),
    Column("network_id", String(64), nullable=False),
    Column("uid_hash", String(64), nullable=False),
    Column("tapped_at", String(40), nullable=False),
    Column("resolved_member_id", String(36), nullable=True),
    Column("resolved_at", String(40), nullable=True),
    Index("unknown_taps_card", "network_id", "uid_hash"),
)

# Issue 8, elections and draws (hub/governance.py, hub/governance_events.py) -------------------------------
# The sign-in register and the ballot box are two tables that share nothing but the election: no time, no
# kiosk, no order. A ballot's id is random (uuid4), the box is a WITHOUT ROWID table keyed by it on SQLite,
# and each vote writes the election's whole box again in id order (hub/governance.py `_put_in_box`), so
# neither the rows' place nor PostgreSQL's `xmin` tells which ballot came with which register row.

hub_elections = Table(
    "hub_elections",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=False),
    Column("mode", String(8), nullable=False),  # "kiosk" (one booth kiosk) or "hub" (ballots sent here)
    Column("status", String(16), nullable=False),  # "announced" or "closed"
    Column("opens_at", String(40), nullable=False),
    Column("closes_at", String(40), nullable=False),
    Column("candidates", Text, nullable=False, server_default="[]"),  # member ids, JSON list
)

hub_election_register = Table(
    "hub_election_register",
    metadata,
    Column("election_id", String(64), ForeignKey("hub_elections.id"), primary_key=True),
    Column("member_id", String(64), primary_key=True),
)

hub_ballot_box = Table(
    "hub_ballot_box",
    metadata,
    Column("ballot_id", String(64), primary_key=True),
    Column("election_id", String(64), ForeignKey("hub_elections.id"), nullable=False),
    Column("grades", Text, nullable=False),  # {candidate member id: grade 0..6}, JSON
    Index("hub_ballot_box_election", "election_id"),
    sqlite_with_rowid=False,
)

hub_draw_records = Table(
    "hub_draw_records",
    metadata,
    Column("draw_id", String(64), primary_key=True),
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=False),
    Column("record", Text, nullable=True),  # the published record of `draw.performed`, canonical JSON
    # The frozen pool of `draw.frozen` (hash, counts, panels): published before the seed exists.
    Column("frozen", Text, nullable=True),
)

# Issue 9, the coordinators' web pages (hub/web/) -----------------------------------------------------------
# A coordinator sees one collective (role "collective") or every collective of one network (role "network").
# Passwords are Argon2 hashes; a session is a random cookie token kept here only as its SHA-256.

coordinators = Table(
    "coordinators",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # lower-cased
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # "collective" or "network"
    Column("network_id", String(64), ForeignKey("networks.id"), nullable=False),
    Column("collective_id", String(64), ForeignKey("collectives.id"), nullable=True),
    Column("created_at", String(40), nullable=False),
)

coordinator_sessions = Table(
    "coordinator_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("coordinator_id", String(36), ForeignKey("coordinators.id"), nullable=False),
    Column("created_at", String(40), nullable=False),  # the absolute limit counts from here
    Column("last_seen_at", String(40), nullable=False),  # the idle limit counts from here
    Index("coordinator_sessions_coordinator", "coordinator_id"),
)

# Failed sign-ins, counted per address and per e-mail (known or not) for the rate limit.
login_failures = Table(
    "login_failures",
    metadata,
    Column("pk", BigId, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),
    Column("email", String(254), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("login_failures_address", "address", "at_ms"),
    Index("login_failures_email", "email", "at_ms"),
)

# Issue 9, sharing between collectives (hub/network.py) -----------------------------------------------------
# A listing its owner marked « visible dans le réseau »: what the other collectives' boards show of it
# (`card`, canonical JSON), "shared", "hidden" (by a librarian: may come back) or "gone" (withdrawn, erased).
# `version` grows at each change: the hub-made events that carry it to other collectives are named by it.

network_listings = Table(
    "network_listings",
    metadata,
    Column("listing_id", String(64), primary_key=True),
    Column("network_id", String(64), nullable=False),
    Column("collective_id", String(64), nullable=False),
    Column("member_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("card", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Index("network_listings_network", "network_id", "status"),
    Index("network_listings_member", "member_id"),
)

# Which collectives an exchange between members of several collectives, or a member visiting another
# collective, reaches: its later events (an answer, a cancellation, an erasure) are relayed to them too.
network_reach = Table(
    "network_reach",
    metadata,
    Column("subject_id", String(64), primary_key=True),
    Column("collective_id", String(64), primary_key=True),
)

# Issue 9, the card key rotation (hub/rotation.py) ---------------------------------------------------------
# While a rotation runs, the network has a next key; a card re-keyed at a kiosk (or enrolled during the
# rotation) has its hash under that key too. Finishing moves each card to that hash and forgets the others:
# the hub never knows a UID, so a card no kiosk re-keyed cannot be moved.
networks.append_column(Column("next_card_key", String(64), nullable=True))
networks.append_column(Column("rotation_started_at", String(40), nullable=True))
cards.append_column(Column("next_uid_hash", String(64), nullable=True))
