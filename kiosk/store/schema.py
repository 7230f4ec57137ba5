"""Versioned schema migrations. Append a new step; never edit a released one.

`PRAGMA user_version` holds the schema version. Each step runs in its own transaction together with the
version bump, so an interrupted upgrade leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

V1 = """
CREATE TABLE kiosk_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kiosk_id TEXT NOT NULL,
    next_seq INTEGER NOT NULL,
    hlc_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    card_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    themes_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE journal (
    pos INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    schema INTEGER NOT NULL,
    kiosk_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    hlc TEXT NOT NULL,
    clock_synced INTEGER NOT NULL,
    payload TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'remote')),
    pushed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kiosk_id, seq)
);
CREATE INDEX journal_to_push ON journal (pos) WHERE origin = 'local' AND pushed = 0;
CREATE TABLE collectives (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    collective_id TEXT NOT NULL,
    name TEXT NOT NULL,
    quartier TEXT NOT NULL DEFAULT ''
);
CREATE TABLE themes (
    id TEXT PRIMARY KEY,
    parent_id TEXT,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    collective_id TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    pseudonym_key TEXT NOT NULL,
    quartier TEXT NOT NULL,
    roles TEXT NOT NULL,
    languages TEXT NOT NULL,
    contact TEXT,
    consent_at TEXT,
    consent_version TEXT,
    registered_at TEXT NOT NULL,
    erased_at TEXT
);
-- Not UNIQUE: two offline kiosks may each sign up a "Marie"; both are facts and must both project.
-- The sign-up service refuses a pseudonym already known here.
CREATE INDEX members_pseudonym ON members (collective_id, pseudonym_key)
    WHERE erased_at IS NULL;
CREATE TABLE cards (
    uid_hash TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT,
    revoke_reason TEXT
);
CREATE INDEX cards_member ON cards (member_id);
CREATE TABLE listings (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    kind TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    theme_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL CHECK (format IN ('individual', 'workshop')),
    status TEXT NOT NULL CHECK (status IN ('active', 'withdrawn', 'hidden')),
    network_visible INTEGER NOT NULL DEFAULT 0,
    published_at TEXT NOT NULL,
    closed_at TEXT,
    closed_reason TEXT
);
CREATE INDEX listings_status_theme ON listings (status, theme_id);
CREATE INDEX listings_member ON listings (member_id);
CREATE TABLE exchanges (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('knowledge', 'service')),
    theme_id TEXT NOT NULL,
    title TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 720),
    site_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_by TEXT,
    recorded_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
    cancel_reason TEXT,
    cancelled_by TEXT,
    listing_id TEXT
);
CREATE INDEX exchanges_occurred ON exchanges (occurred_at);
CREATE TABLE exchange_participants (
    exchange_id TEXT NOT NULL REFERENCES exchanges (id),
    position INTEGER NOT NULL,
    member_id TEXT REFERENCES members (id),
    guest_name TEXT,
    role TEXT NOT NULL CHECK (role IN ('transmitter', 'learner')),
    confirmation TEXT NOT NULL CHECK (confirmation IN ('confirmed', 'pending', 'declined')),
    answered_at TEXT,
    PRIMARY KEY (exchange_id, position),
    CHECK (member_id IS NOT NULL OR guest_name IS NOT NULL)
) WITHOUT ROWID;
CREATE INDEX participants_member ON exchange_participants (member_id, confirmation)
    WHERE member_id IS NOT NULL;
"""

V2 = """
CREATE VIRTUAL TABLE listings_fts USING fts5 (
    title, description, theme_label,
    tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO listings_fts (rowid, title, description, theme_label)
    SELECT listings.rowid, listings.title, listings.description,
           coalesce(t.label_fr || ' ' || t.label_en, '') || ' '
           || coalesce(parent.label_fr || ' ' || parent.label_en, '')
    FROM listings LEFT JOIN themes t ON t.id = listings.theme_id
    LEFT JOIN themes parent ON parent.id = t.parent_id;
CREATE TABLE workshops (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    theme_id TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 720),
    site_id TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    animator_ids TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'held')),
    scheduled_by TEXT,
    exchange_id TEXT
);
CREATE INDEX workshops_starts ON workshops (starts_at);
CREATE TABLE workshop_registrations (
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    registered_at TEXT NOT NULL,
    hlc TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'cancelled')),
    PRIMARY KEY (workshop_id, member_id)
) WITHOUT ROWID;
CREATE TABLE workshop_attendance (
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    attendee TEXT NOT NULL,
    member_id TEXT REFERENCES members (id),
    checked_in_at TEXT NOT NULL,
    PRIMARY KEY (workshop_id, attendee)
) WITHOUT ROWID;
"""


# Sync with the hub (sync_client): the pairing, the pull cursor, and what the hub refused.
# `journal.pushed`: 0 = to push, 1 = the hub holds it (accepted or duplicate), 2 = refused for good
# (its reason is in sync_rejections; shown to the librarian, never resent).
V3 = """
CREATE TABLE hub_link (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hub_url TEXT NOT NULL,
    token TEXT NOT NULL,
    kiosk_name TEXT NOT NULL,
    collective_id TEXT NOT NULL,
    network_id TEXT NOT NULL,
    paired_at TEXT NOT NULL,
    pull_cursor INTEGER NOT NULL DEFAULT 0,
    initial_pull_done INTEGER NOT NULL DEFAULT 0,
    last_success_at TEXT,
    clock_skew_ms INTEGER
);
CREATE TABLE sync_rejections (
    event_id TEXT PRIMARY KEY REFERENCES journal (id),
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    rejected_at TEXT NOT NULL
);
CREATE TABLE sync_apply_errors (
    event_id TEXT PRIMARY KEY REFERENCES journal (id),
    error TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


# A member's summary shows at every tap: it must not read their whole history (an animator can have
# thousands of exchanges). Recognition per member, role and theme is kept by the projections as exchanges
# become (or stop being) confirmed; participants carry the exchange's date so "recent" walks an index.
# The board's default view (newest active listings first) walks an index instead of sorting them all.
V4 = """
CREATE TABLE member_recognition (
    member_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('transmitter', 'learner')),
    theme_id TEXT NOT NULL,
    exchanges INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (member_id, role, theme_id)
) WITHOUT ROWID;
INSERT INTO member_recognition (member_id, role, theme_id, exchanges, minutes)
    SELECT p.member_id, p.role, e.theme_id, count(*), sum(e.duration_min)
    FROM exchange_participants p JOIN exchanges e ON e.id = p.exchange_id
    WHERE p.member_id IS NOT NULL AND p.confirmation = 'confirmed' AND e.status = 'confirmed'
    GROUP BY p.member_id, p.role, e.theme_id;
ALTER TABLE exchange_participants ADD COLUMN occurred_at TEXT NOT NULL DEFAULT '';
UPDATE exchange_participants SET occurred_at =
    (SELECT e.occurred_at FROM exchanges e WHERE e.id = exchange_participants.exchange_id);
CREATE INDEX participants_member_recent ON exchange_participants (member_id, occurred_at)
    WHERE member_id IS NOT NULL;
CREATE INDEX listings_status_published ON listings (status, published_at);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for statement in _split(sql):
            conn.execute(statement)

    return run


def _split(sql: str) -> list[str]:
    """Split a DDL script on `;` at the end of lines (none of our statements hold one inside)."""
    statements, current = [], []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).strip())
            current = []
    tail = "\n".join(current).strip()
    if tail:
        statements.append(tail)
    return [s for s in statements if s]


# MIGRATIONS[i] takes a database from version i to version i + 1.
V5 = """
ALTER TABLE kiosk_state ADD COLUMN pass_signing_key TEXT;
CREATE TABLE pass_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE TABLE pass_revocations (
    member_id TEXT PRIMARY KEY,
    revoked_before TEXT NOT NULL
);
INSERT INTO pass_revocations (member_id, revoked_before)
    SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', erased_at) FROM members WHERE erased_at IS NOT NULL;
"""


# « Ça m'intéresse » on listings (shown to the owner until seen), taps of cards the kiosk does not know
# (their rate limit and the librarian's view), and the attract screen's counts of active listings by kind
# from an index alone. Times are UTC text, so that they sort as time whichever kiosk recorded them.
V6 = """
CREATE TABLE listing_interests (
    id TEXT PRIMARY KEY,
    listing_id TEXT NOT NULL REFERENCES listings (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    expressed_at TEXT NOT NULL,
    hlc TEXT NOT NULL,
    seen_at TEXT
);
CREATE INDEX listing_interests_listing ON listing_interests (listing_id, expressed_at);
CREATE INDEX listing_interests_member ON listing_interests (member_id);
CREATE TABLE unknown_card_taps (
    uid_hash TEXT PRIMARY KEY,
    first_tapped_at TEXT NOT NULL,
    last_tapped_at TEXT NOT NULL,
    taps INTEGER NOT NULL
);
CREATE INDEX listings_status_kind ON listings (status, kind);
"""


# Librarian mode (issue 6). The admin PINs and the count of wrong PINs are LOCAL: never journaled, never
# synced (a short PIN's hash must not travel) — no event produces them, so a replay leaves them alone.
# A hidden listing keeps the librarian's reason (listings hidden before V7 take their closing reason);
# check-ins carry their hybrid clock so « who is in » lists them in the order they came, whatever the clock.
V7 = """
CREATE TABLE admin_pins (
    member_id TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    params TEXT NOT NULL,
    set_at TEXT NOT NULL,
    set_by TEXT
);
CREATE TABLE admin_pin_failures (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    failures INTEGER NOT NULL,
    last_failure_at TEXT,
    locked_until TEXT
);
ALTER TABLE listings ADD COLUMN hidden_reason TEXT;
UPDATE listings SET hidden_reason = coalesce(closed_reason, '') WHERE status = 'hidden';
ALTER TABLE workshop_attendance ADD COLUMN hlc TEXT NOT NULL DEFAULT '';
"""


# Representatives and mediators (issue 8): draws by lot per theme, and elections by majority judgment.
# Volunteers' answers (age band, gender, quartier) are kept only with their consent. A draw's pool is the
# list of tickets its `draw.frozen` event names (`in_pool`), whatever order the events arrived in.
# The ballot box is LOCAL and holds nothing but a random id, the election and the grades: no time, no kiosk,
# no member, no rowid — keyed by the random id, so its physical order is random, never the order of the
# votes. The sign-in register (who voted) is the projection of `election.voter_signed` and never says how.
V8 = """
CREATE TABLE draws (
    id TEXT PRIMARY KEY,
    theme_id TEXT NOT NULL,
    title TEXT NOT NULL,
    seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 20),
    cutoff TEXT NOT NULL,
    randomness_source TEXT NOT NULL,
    quotas TEXT NOT NULL,
    attributes_asked TEXT NOT NULL,
    announced_by TEXT,
    announced_at TEXT NOT NULL,
    hlc TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('announced', 'frozen', 'performed')),
    pool_hash TEXT,
    pool_tickets TEXT,
    category_counts TEXT,
    panels_hash TEXT,
    panels TEXT,
    probabilities TEXT,
    frozen_by TEXT,
    frozen_at TEXT,
    randomness TEXT
);
CREATE INDEX draws_recent ON draws (hlc);
CREATE TABLE draw_volunteers (
    draw_id TEXT NOT NULL REFERENCES draws (id),
    ticket TEXT NOT NULL,
    member_id TEXT,
    consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
    attributes TEXT NOT NULL DEFAULT '{}',
    volunteered_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('volunteered', 'withdrawn')),
    in_pool INTEGER,
    PRIMARY KEY (draw_id, ticket),
    CHECK (consent = 1 OR attributes = '{}')
) WITHOUT ROWID;
CREATE INDEX draw_volunteers_member ON draw_volunteers (member_id) WHERE member_id IS NOT NULL;
CREATE TABLE draw_records (
    draw_id TEXT PRIMARY KEY REFERENCES draws (id),
    record TEXT NOT NULL,
    performed_at TEXT NOT NULL,
    performed_by TEXT
);
CREATE TABLE elections (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    theme_id TEXT,
    seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 20),
    mode TEXT NOT NULL CHECK (mode IN ('kiosk', 'hub')),
    kiosk_id TEXT,
    candidacy_until TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    announced_by TEXT,
    announced_at TEXT NOT NULL,
    hlc TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('announced', 'closed')),
    closed_at TEXT,
    closed_by TEXT,
    ballots TEXT
);
CREATE INDEX elections_recent ON elections (hlc);
CREATE TABLE election_candidates (
    election_id TEXT NOT NULL REFERENCES elections (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    statement TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('standing', 'withdrawn')),
    PRIMARY KEY (election_id, member_id)
) WITHOUT ROWID;
CREATE TABLE election_register (
    election_id TEXT NOT NULL REFERENCES elections (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    via TEXT NOT NULL CHECK (via IN ('kiosk', 'hub')),
    PRIMARY KEY (election_id, member_id)
) WITHOUT ROWID;
CREATE TABLE ballot_box (
    ballot_id TEXT PRIMARY KEY,
    election_id TEXT NOT NULL,
    grades TEXT NOT NULL
) WITHOUT ROWID;
"""

# Sharing between collectives (issue 9): people of another collective of the network known here — the owner
# of a listing shared with the network, a visitor recognised by the hub, the other side of an exchange —
# are member rows whose `home_collective` is the name of their collective (NULL: a member of this one).
V9 = """
ALTER TABLE members ADD COLUMN home_collective TEXT;
"""

# The network card key rotation (issue 9): the next key while a rotation runs (from the hub), and each
# card's hash under it once a tap or an enrolment gave it (kiosk/card_keys.py, projections_card_keys.py).
V10 = """
ALTER TABLE kiosk_state ADD COLUMN next_card_key TEXT;
ALTER TABLE cards ADD COLUMN next_uid_hash TEXT;
CREATE INDEX cards_next ON cards (next_uid_hash) WHERE next_uid_hash IS NOT NULL;
"""

# A collective's own themes (issue 4): added on the hub (`theme.added`, kiosk/projections_themes.py), they are
# the rows whose `collective_id` is set. The shipped catalogue's (NULL) are the only ones its reload replaces.
V11 = """
ALTER TABLE themes ADD COLUMN collective_id TEXT;
"""

MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _script(V1),
    _script(V2),
    _script(V3),
    _script(V4),
    _script(V5),
    _script(V6),
    _script(V7),
    _script(V8),
    _script(V9),
    _script(V10),
    _script(V11),
)
LATEST_VERSION = len(MIGRATIONS)
APPLICATION_ID = 0x4B445353  # "KDSS": marks a database as the kiosk's
