"""Sync protocol v1: the wire format shared by the hub and the kiosk (DESIGN §4, §5).

Both sides import these models, so a change of the wire format is a change of this one file. The hub uses
them for request validation and `/openapi.json`; the kiosk validates every hub answer with them before it
touches its store. Extend compatibly (new optional fields, new reason codes); never rename.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.cardid import card_key_id as card_key_id  # the hub names card keys with it (rotation events)
from kiosk.journal import EVENT_SCHEMAS, encode_payload

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 1024 * 1024  # of the request body, as sent
DEFAULT_PULL_LIMIT = 1000
MAX_PULL_LIMIT = 2000
KIOSK_TIME_HEADER = "X-Kiosk-Time"  # the kiosk's wall clock when it sent the request: skew measurement
# On a push: how many of the kiosk's events still wait to be sent after this batch (for the coordinators'
# page: a kiosk that cannot empty its queue shows). Optional; an older kiosk sends none.
KIOSK_PENDING_HEADER = "X-Kiosk-Pending"
PAIRING_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud and typed by hand
PAIRING_CODE_LENGTH = 10

# Kiosk events that only the hub needs: it keeps them (and resolves a tap of an unknown card once the card's
# enrolment arrives) but never relays them — another kiosk has no use for them, and kiosks of a version
# before `card.unknown_tapped` became a journal type (when the hub alone knew it) could not apply one.
# `hub/sync.py` leaves these out of pulls.
HUB_ONLY_SCHEMAS: dict[str, int] = {"card.unknown_tapped": EVENT_SCHEMAS["card.unknown_tapped"]}
EVENT_TYPES: dict[str, int] = {**HUB_ONLY_SCHEMAS, **EVENT_SCHEMAS}
# Events only the hub makes, that kiosks pull and project: a collective's own themes (issue 4,
# `kiosk-hub theme add`, hub/themes.py; kiosk/projections_themes.py). Not in EVENT_TYPES, as no kiosk makes
# one: a kiosk pushing one is refused as `unsupported`, like the hub's `network.*` (hub/network_outbox.py).
HUB_MADE_SCHEMAS: dict[str, int] = {"theme.added": 1}
# Their payload keys the kiosk projections read unconditionally (`REQUIRED_KEYS` holds the kiosks' types).
# `parent_id` is null for a top theme; a sub-theme's id is its parent's id, a dot, a word (kiosk/themes.py).
HUB_MADE_REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "theme.added": ("theme_id", "label_fr", "label_en", "parent_id", "collective_id"),
}

# Payload keys the kiosk projections read unconditionally (`p["key"]`): an event without them would break
# every kiosk that pulls it, so the hub refuses it as `invalid` instead of relaying it.
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "member.registered": ("member_id", "collective_id", "pseudonym", "quartier", "roles", "languages"),
    "member.erased": ("member_id",),
    "card.enrolled": ("uid_hash", "member_id"),
    "card.revoked": ("uid_hash",),
    "card.unknown_tapped": ("uid_hash",),
    "listing.published": ("listing_id", "member_id", "kind", "theme_id", "title", "description", "format"),
    "listing.withdrawn": ("listing_id",),
    "listing.hidden": ("listing_id",),
    "listing.restored": ("listing_id",),
    "exchange.recorded": (
        "exchange_id",
        "kind",
        "theme_id",
        "title",
        "duration_min",
        "site_id",
        "occurred_at",
        "participants",
    ),
    "exchange.confirmed": ("exchange_id", "member_id"),
    "pass.key_published": ("key_id", "public_key"),
    "pass.revoked": ("member_id",),
    "listing.interest_expressed": ("interest_id", "listing_id", "member_id"),
    "listing.interests_seen": ("member_id", "interest_ids"),
    "exchange.declined": ("exchange_id", "member_id"),
    "exchange.cancelled": ("exchange_id", "reason"),
    "event.scheduled": (
        "workshop_id",
        "title",
        "theme_id",
        "starts_at",
        "duration_min",
        "site_id",
        "capacity",
        "animator_ids",
    ),
    "event.registered": ("workshop_id", "member_id"),
    "event.unregistered": ("workshop_id", "member_id"),
    "attendance.checked_in": ("workshop_id",),
    "draw.announced": ("draw_id", "theme_id", "title", "seats", "cutoff", "randomness_source"),
    "draw.volunteered": ("draw_id", "ticket"),
    "draw.withdrawn": ("draw_id", "ticket"),
    "draw.frozen": ("draw_id", "pool_hash", "tickets"),
    "draw.performed": ("draw_id", "randomness", "record"),
    "election.announced": (
        "election_id",
        "title",
        "seats",
        "mode",
        "candidacy_until",
        "opens_at",
        "closes_at",
    ),
    "election.candidate_stood": ("election_id", "member_id"),
    "election.candidate_withdrawn": ("election_id", "member_id"),
    "election.voter_signed": ("election_id", "member_id"),
    "election.closed": ("election_id",),
    # issue 9: a member of another collective recognised here (hub look-up of their card)
    "member.visited": ("member_id", "pseudonym", "quartier", "home_collective_id", "home_collective_name"),
    # issue 9, the card key rotation: the card's hash under the current key and under the next one
    "card.rekeyed": ("member_id", "uid_hash", "next_uid_hash"),
}

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The counter is 5 digits wide (kiosk.clock.format_hlc) but may outgrow them on a kiosk whose clock went
# back for long: such an event must still be accepted (it would otherwise block the kiosk's push for ever).
HLC_PATTERN = r"^[0-9]{13}-[0-9]{5,9}-" + UUID_PATTERN[1:]


def canonical(payload: dict[str, Any]) -> str:
    """The canonical payload text: the kiosk journal's own encoding, so both sides compare the same bytes."""
    return encode_payload(payload)


def redact_payload(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What GDPR erasure leaves of an earlier event of the erased member.

    Must stay identical to the kiosk's `projections._redact_journal` and
    `projections_elections.erase_candidate` (a test compares them on real events):
    the hub redacts its copies with it, and recognises a kiosk's redacted re-push as a duplicate with it.
    """
    if event_type == "member.registered":
        return {**payload, "pseudonym": "", "contact": None, "consent": None, "languages": []}
    if event_type == "listing.published":
        return {**payload, "title": "", "description": ""}
    if event_type == "election.candidate_stood":
        return {**payload, "statement": ""}
    # Sharing between collectives (issue 9): what another collective was told of the member.
    if event_type in ("member.visited", "network.member_known"):
        return {**payload, "pseudonym": ""}
    if event_type == "network.listing_shared":
        return {**payload, "title": "", "description": "", "pseudonym": ""}
    return payload


# `election.voter_signed` is not redacted: « a voté » under an id that leads to no one once the member is
# erased, and the count of voters must still match the ballots. Nor are `draw.volunteered` / `draw.withdrawn`:
# a frozen pool's hash covers a ticket and its answers (projections_draws.erase_volunteer says why).
REDACTABLE_TYPES = frozenset(
    {
        "member.registered",
        "listing.published",
        "election.candidate_stood",
        "member.visited",  # issue 9: sharing between collectives
        "network.member_known",
        "network.listing_shared",
    }
)


def same_payload(event_type: str, stored: dict[str, Any], incoming: dict[str, Any]) -> bool:
    """Whether two payloads are the same fact, one side possibly redacted by an erasure since."""
    if canonical(stored) == canonical(incoming):
        return True
    if event_type not in REDACTABLE_TYPES:
        return False
    return canonical(redact_payload(event_type, stored)) == canonical(redact_payload(event_type, incoming))


def _check_iso(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError("expected an ISO 8601 date-time with its UTC offset")
    return value


Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
# Said `date-time` in the schema (RFC 3339, offset required), checked by the parser the kiosk itself uses.
IsoTime = Annotated[
    str, Field(max_length=40, json_schema_extra={"format": "date-time"}), AfterValidator(_check_iso)
]
Hlc = Annotated[str, Field(pattern=HLC_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(_Model):
    """One journal event on the wire (DESIGN §4)."""

    id: Uuid
    type: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)+$")]
    schema_: Annotated[int, Field(alias="schema", ge=1, le=1000)]
    kiosk_id: Uuid
    seq: Annotated[int, Field(ge=1, le=2**53)]
    occurred_at: IsoTime
    hlc: Hlc
    clock_synced: bool
    payload: dict[str, Any]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


# Pairing -------------------------------------------------------------------------------------------


class PairRequest(_Model):
    code: Annotated[str, Field(min_length=4, max_length=32)]
    kiosk_name: Name
    kiosk_id: Uuid | None = Field(
        default=None, description="The kiosk's own id, already in its journal: the hub adopts it."
    )
    card_key: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        default=None, description="The kiosk's card key (hex), offered to a network that has none yet."
    )
    keep_card_key: bool = Field(
        default=False,
        description="The kiosk cannot change its card key (cards enrolled, or key fixed by its config).",
    )


class PairResponse(_Model):
    kiosk_id: Uuid
    token: str
    collective_id: str
    collective_name: str
    network_id: str
    card_key: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    hub_time: str
    next_card_key: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        default=None,
        description="During a card key rotation only (absent otherwise): the network's next card key.",
    )


# Push ----------------------------------------------------------------------------------------------


class PushRequest(_Model):
    events: list[Envelope]
    collective_id: str | None = Field(
        default=None, description="When given, must be the kiosk's collective (403 otherwise)."
    )


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class Reason(StrEnum):
    """Why an event was rejected. A rejection is definite: resending the same event gives the same answer."""

    CONFLICT = "conflict"  # same id, another event
    SEQ_REUSED = "seq_reused"  # this kiosk already sent another event with that seq
    INVALID = "invalid"  # payload misses what the projections need
    UNSUPPORTED = "unsupported"  # type or schema version the hub does not know (update the hub)


class EventResult(_Model):
    id: str
    status: Outcome
    reason: Reason | None = None
    detail: str = ""
    hub_seq: int | None = None


class PushResponse(_Model):
    results: list[EventResult]
    hub_time: str
    skew_ms: int | None = None


# Pull ----------------------------------------------------------------------------------------------


class Change(_Model):
    """One change for the kiosk: another kiosk's event of the collective, in hub sequence order."""

    kind: Literal["event"] = "event"
    hub_seq: int
    event: Envelope
    received_at: str
    corrected_at: str
    flags: list[str] = Field(default_factory=list)


class PullResponse(_Model):
    changes: list[Change]
    cursor: int = Field(description="Pass it back as `cursor` for what follows.")
    has_more: bool
    hub_time: str


# Others --------------------------------------------------------------------------------------------


class Health(_Model):
    status: Literal["ok"] = "ok"
    protocol: int = PROTOCOL_VERSION
    version: str
    database: str
    hub_time: str


class WhoAmI(_Model):
    kiosk_id: str
    kiosk_name: str
    collective_id: str
    hub_time: str
    skew_ms: int | None = None


class NetworkMember(_Model):
    """A member of another collective of the network, as a kiosk may know them (issue 9): never contact
    details. `GET /api/v1/network/cards/{uid_hash}`, and the payload of `member.visited`."""

    member_id: str
    pseudonym: str
    quartier: str
    home_collective_id: str
    home_collective_name: str


class ErrorBody(_Model):
    """Every error answer: a stable code for programs, a sentence for people."""

    code: str
    message: str
    retry_after: int | None = None


class ErrorCode(StrEnum):
    UNAUTHORIZED = "unauthorized"
    KIOSK_REVOKED = "kiosk_revoked"
    FORBIDDEN = "forbidden"
    PAIRING_CODE_INVALID = "pairing_code_invalid"
    PAIRING_CODE_USED = "pairing_code_used"
    PAIRING_CODE_EXPIRED = "pairing_code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    KIOSK_EXISTS = "kiosk_exists"
    CARD_KEY_MISMATCH = "card_key_mismatch"
    BATCH_TOO_LARGE = "batch_too_large"
    INVALID_REQUEST = "invalid_request"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"


def normalise_code(text: str) -> str:
    """A pairing code as typed: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", text).upper()
