"""Value types of representatives and mediators (issue 8): draws by lot and elections by majority judgment.

No I/O here. The algorithms live in `kiosk.governance`; the services (`kiosk.services.draws`,
`kiosk.services.elections`) return these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.errors import KioskError, codes
from kiosk.governance.majority import MajorityResult
from kiosk.governance.quotas import ATTRIBUTE_VALUES, QuotaName
from kiosk.governance.sortition import Quota
from kiosk.text import clean

QUARTIER_MAX = 60
MAX_SEATS = 20
STATEMENT_MAX = 500  # a candidate's few words, read at the booth


class DrawStatus(StrEnum):
    OPEN = "open"  # volunteers welcome until the cut-off
    CLOSED = "closed"  # cut-off passed, pool not frozen yet
    FROZEN = "frozen"  # pool frozen, its hash (and panels) published; waiting for the public randomness
    PERFORMED = "performed"  # drawn: the record is published


class ElectionMode(StrEnum):
    KIOSK = "kiosk"  # one booth kiosk holds the register and the box: one vote per member, offline
    HUB = "hub"  # any kiosk, the hub reachable at sign-in: it holds the register and the box


class ElectionStatus(StrEnum):
    CANDIDACY = "candidacy"  # before the vote opens (candidates stand until `candidacy_until`)
    OPEN = "open"
    CLOSED = "closed"  # the vote is over (closed by a librarian, or past its closing time)


class VoterStatus(StrEnum):
    """What the assessor's screen says when a voter taps (never more: not who, not how)."""

    CAN_VOTE = "can_vote"
    ALREADY_VOTED = "already_voted"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    OTHER_KIOSK = "other_kiosk"  # mode "kiosk", and this is not the booth
    HUB_NEEDED = "hub_needed"  # mode "hub": ask the hub before the booth


@dataclass(frozen=True)
class DrawView:
    id: str
    theme_id: str
    title: str
    seats: int
    cutoff: str  # ISO 8601 with offset
    randomness_source: str  # the public randomness announced in advance, in French
    quotas: tuple[Quota, ...]
    attributes_asked: tuple[str, ...]
    status: DrawStatus
    volunteers: int  # in the pool once frozen; volunteering until then
    pool_hash: str | None
    selected: tuple[str, ...]  # tickets, once performed
    replacements: tuple[str, ...]  # in order, once performed
    probabilities: dict[str, float] | None  # each ticket's chance, once frozen with quotas
    announced_at: str = ""
    randomness: str | None = None  # the public randomness as drawn, once performed
    seed: str | None = None


@dataclass(frozen=True)
class Candidate:
    member_id: str
    pseudonym: str
    statement: str


@dataclass(frozen=True)
class ElectionView:
    id: str
    title: str
    theme_id: str | None
    seats: int
    mode: ElectionMode
    kiosk_id: str | None  # the booth, in mode "kiosk"
    candidacy_until: str
    opens_at: str
    closes_at: str
    status: ElectionStatus
    candidates: int
    voters: int
    counted: bool = False  # closed by a librarian: the box was counted (or destroyed, too few voters)


@dataclass(frozen=True)
class ElectionResult:
    """After a booth election is closed. With fewer than 5 voters nothing is counted: the box was destroyed,
    too few voters to keep the secret (`published` False, `majority` None, no ballots)."""

    election_id: str
    voters: int
    published: bool
    majority: MajorityResult | None
    ballots: tuple[dict[str, Any], ...]  # shuffled {ballot_id, grades}, so anyone can recount
    candidates: tuple[Candidate, ...]


def check_quota(quota: Quota, asked: Sequence[str], seats: int) -> None:
    """A quota is on an asked attribute, names an answer that can be given, and fits the seats."""
    if quota.attribute not in asked:
        raise KioskError(codes.QUOTA_NOT_ASKED, attribute=quota.attribute)
    values = ATTRIBUTE_VALUES.get(quota.attribute)
    if (values is not None and quota.value not in values) or not clean(quota.value):
        raise KioskError(codes.INVALID_ATTRIBUTE_VALUE, attribute=quota.attribute, value=quota.value)
    maximum = seats if quota.maximum is None else quota.maximum
    if not 0 <= quota.minimum <= min(maximum, seats):
        raise KioskError(codes.INVALID_QUOTA, quota=QuotaName(quota.attribute, quota.value), seats=seats)


def check_answers(asked: Sequence[str], attributes: Mapping[str, str]) -> dict[str, str]:
    """A volunteer's answers (given with consent): only what the draw asks, only answers it offers."""
    answers: dict[str, str] = {}
    for attribute, raw in attributes.items():
        if attribute not in asked:
            raise KioskError(codes.UNKNOWN_ATTRIBUTE, attribute=attribute)
        value = clean(raw)
        allowed = ATTRIBUTE_VALUES.get(attribute)  # None: the quartier, the one answer in words
        if not (value in allowed if allowed is not None else 0 < len(value) <= QUARTIER_MAX):
            raise KioskError(codes.INVALID_ATTRIBUTE_VALUE, attribute=attribute, value=value)
        answers[attribute] = value
    return answers


def with_offset(moment: datetime, now: datetime) -> datetime:
    """A moment with its offset (a naive one is on the kiosk's clock, whose `now` is given)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def shown_time(iso: str) -> str:
    """« 12/12/2026 18:00 »: how an error names a date."""
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
