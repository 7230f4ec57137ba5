"""Domain vocabulary: value types that services return and screens show. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kiosk.errors import KioskError

MIN_DURATION_MIN = 1
MAX_DURATION_MIN = 12 * 60
CANCEL_WINDOW_MIN = 10


class Role(StrEnum):
    MEMBER = "member"
    ANIMATOR = "animator"
    LIBRARIAN = "librarian"
    MEDIATOR = "mediator"


class ListingKind(StrEnum):
    OFFER = "offer"  # « je propose »
    REQUEST = "request"  # « je cherche »


class ListingFormat(StrEnum):
    INDIVIDUAL = "individual"
    WORKSHOP = "workshop"


class ListingStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"  # by a librarian (moderation)


class ExchangeKind(StrEnum):
    KNOWLEDGE = "knowledge"
    SERVICE = "service"


class ExchangeStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class ParticipantRole(StrEnum):
    TRANSMITTER = "transmitter"
    LEARNER = "learner"


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending"
    DECLINED = "declined"


class CardStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Identified(StrEnum):
    MEMBER = "member"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    RANDOM_UID = "random_uid"
    INVALID_PASS = "invalid_pass"  # a QR that is not a valid pass of this collective (refusal says why)


@dataclass(frozen=True)
class Consent:
    """A person's recorded agreement to keep their contact details."""

    text_version: str
    given_at: str


@dataclass(frozen=True)
class Member:
    id: str
    collective_id: str
    pseudonym: str
    quartier: str
    roles: tuple[Role, ...]
    languages: tuple[str, ...]
    contact: str | None
    consent_at: str | None
    registered_at: str
    erased_at: str | None
    # Issue 9: the name of their collective when it is another one of the network (a visitor); None here.
    home_collective: str | None = None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class Card:
    uid_hash: str
    member_id: str
    status: CardStatus
    enrolled_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class Identification:
    outcome: Identified
    member: Member | None = None
    card: Card | None = None
    refusal: KioskError | None = None  # for a refused pass: what to tell the person


@dataclass(frozen=True)
class Listing:
    id: str
    member_id: str
    pseudonym: str
    kind: ListingKind
    theme_id: str
    title: str
    description: str
    format: ListingFormat
    status: ListingStatus
    network_visible: bool
    published_at: str
    hidden_reason: str | None = None  # why a librarian hid it; None while it is not hidden
    # Issue 9: the owner's quartier, and their collective's name when the listing was shared by another
    # collective of the network (None: a listing of this collective).
    quartier: str = ""
    home_collective: str | None = None


@dataclass(frozen=True)
class Interest:
    """A member said « ça m'intéresse » about a listing: shown to its owner at their next tap."""

    id: str
    listing_id: str
    member_id: str
    expressed_at: str  # UTC, ISO 8601
    seen: bool  # the owner has been shown it


@dataclass(frozen=True)
class InterestNotice:
    """What a listing's owner is told: who is interested in which of their listings, and since when."""

    interest_id: str
    listing_id: str
    listing_title: str
    listing_kind: ListingKind
    member_id: str
    pseudonym: str
    expressed_at: str  # UTC, ISO 8601
    seen: bool


@dataclass(frozen=True)
class Partner:
    """Someone taking part in an exchange being recorded.

    `present` means they tapped their card during the recording: their tap is their confirmation.
    An absent member confirms at their next tap. A passer-by without a card is a guest (by first name).
    """

    role: ParticipantRole
    member_id: str | None = None
    guest_name: str | None = None
    present: bool = False


@dataclass(frozen=True)
class Participant:
    member_id: str | None
    guest_name: str | None
    pseudonym: str
    role: ParticipantRole
    confirmation: Confirmation


@dataclass(frozen=True)
class Exchange:
    id: str
    kind: ExchangeKind
    theme_id: str
    title: str
    duration_min: int
    site_id: str
    occurred_at: str
    recorded_by: str | None
    recorded_at: str
    status: ExchangeStatus
    cancel_reason: str | None
    participants: tuple[Participant, ...] = field(default=())

    def side(self, role: ParticipantRole) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role == role)

    def role_of(self, member_id: str) -> ParticipantRole | None:
        """What this member did in it (gave or received), or None if they took no part."""
        return next((p.role for p in self.participants if p.member_id == member_id), None)


@dataclass(frozen=True)
class MemberSummary:
    """Recognition, never a balance: what a member gave and received, and what waits for them."""

    member: Member
    minutes_given: int
    minutes_received: int
    exchanges_given: int
    exchanges_received: int
    themes: tuple[str, ...]
    recent: tuple[Exchange, ...]
    pending_confirmations: tuple[Exchange, ...]


@dataclass(frozen=True)
class Workshop:
    id: str
    title: str
    theme_id: str
    starts_at: str
    duration_min: int
    site_id: str
    place: str
    capacity: int
    animator_ids: tuple[str, ...]
    status: str  # scheduled, held (recorded as an exchange) or cancelled
    registered: int  # within capacity
    waiting: int  # on the waiting list

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered)


@dataclass(frozen=True)
class PinCheck:
    """The answer to an admin PIN: whether it opened, and how the kiosk-wide lock-out stands."""

    ok: bool
    attempts_left: int
    locked_until: datetime | None  # while set and still ahead, no PIN is even checked


@dataclass(frozen=True)
class ErasurePreview:
    """What the erasure confirmation tells the librarian: what goes, and what stays as anonymised counts."""

    pseudonym: str
    exchanges: int  # taken part in: they stay, without the name
    hours: float
    listings: int  # on the board or hidden: removed
    cards: int  # active: revoked


@dataclass(frozen=True)
class Registration:
    workshop_id: str
    member_id: str
    waiting_list: bool
    position: int  # 1-based rank among registrations (within capacity, or on the waiting list)


@dataclass(frozen=True)
class CollectiveStats:
    """The attract screen's few counts: what the collective does, never what anyone owes."""

    month: str  # "2026-11": the calendar month of the kiosk's clock (its time zone)
    exchanges_this_month: int  # confirmed exchanges that took place this month
    minutes_this_month: int  # their total duration
    active_members: int  # members who took part in one of them
    active_offers: int
    active_requests: int
    upcoming_workshops: int  # scheduled, not started yet

    @property
    def hours_this_month(self) -> int:
        """Whole hours, rounded to the nearest (half an hour counts as one)."""
        return (self.minutes_this_month + 30) // 60
