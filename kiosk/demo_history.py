"""Plays the demo plan back in time: each action calls a service with a `FixedClock` set to its moment.

The history services share the live store (same connection, same transactions) with only the clock
replaced, so `occurred_at`, the hybrid clock and registration order look like six real months.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.clock import FixedClock
from kiosk.demo_content import CONSENT_TEXT_VERSION, CONTACTS, PROFILES, Entry
from kiosk.domain import (
    Consent,
    ExchangeKind,
    Identified,
    ListingFormat,
    ListingKind,
    ParticipantRole,
    Partner,
    Role,
)
from kiosk.services import Services
from kiosk.services.cards import Cards
from kiosk.services.exchanges import Exchanges
from kiosk.services.listings import Listings
from kiosk.services.members import Members
from kiosk.services.workshops import Workshops
from kiosk.text import fold

ADMIN = 0  # PROFILES[0], the librarian who enrols cards and tidies up
PIN_HOLDERS = (ADMIN, 2)  # the librarian (the demo admin card) and Élodie, an animator: the demo PIN opens


@dataclass(frozen=True)
class PlannedExchange:
    key: str
    kind: ExchangeKind
    theme: str
    title: str
    duration: int
    when: datetime
    recorder: int
    people: tuple[tuple[int, ParticipantRole, bool], ...]  # (profile, role, present at the recording)
    listing: str | None = None  # plan key of the listing it answers
    guests: tuple[str, ...] = ()


class History:
    def __init__(self, services: Services, start: datetime) -> None:
        self.store = services.store
        self.collective_id = services.ctx.collective_id
        self.clock = FixedClock(start)
        ctx = replace(services.ctx, clock=self.clock)
        self.members, self.cards, self.listings = Members(ctx), Cards(ctx), Listings(ctx)
        self.exchanges, self.workshops = Exchanges(ctx), Workshops(ctx)
        self.admin = services.admin
        self.actions: list[tuple[datetime, int, Callable[[], None]]] = []
        self.member_ids: dict[int, str] = {}  # profile index → member id
        self.ids: dict[str, str] = {}  # plan key → id of the listing, exchange or workshop
        self.counts: Counter[str] = Counter()
        self.declines: set[tuple[str, int]] = set()  # (exchange key, profile) answering « no »

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.actions.append((when, len(self.actions), action))

    def run(self) -> None:
        for when, _, action in sorted(self.actions, key=lambda item: item[:2]):
            self.clock.current = when
            action()

    def set_pins(self, pin: str) -> None:
        """The admin PIN of the librarian and one animator (local to the kiosk, like every PIN: no event)."""
        for i in PIN_HOLDERS:
            self.admin.set_pin(self.member_ids[i], pin)

    def register(self, i: int) -> None:
        profile = PROFILES[i]
        contact = CONTACTS.get(profile.pseudonym)
        given = self.clock.now().isoformat(timespec="minutes")
        member = self.members.register(
            self.free_pseudonym(profile.pseudonym),
            profile.quartier,
            roles=tuple(Role(role) for role in profile.roles.split()),
            languages=tuple(profile.languages.split()),
            contact=contact,
            consent=Consent(CONSENT_TEXT_VERSION, given) if contact else None,
        )
        self.member_ids[i] = member.id
        self.counts["members"] += 1

    def free_pseudonym(self, pseudonym: str) -> str:
        """`demo-data --force` on a store that has the demo already: « Karim » becomes « Karim B. »."""
        for candidate in [pseudonym] + [f"{pseudonym} {letter}." for letter in "BCDEFGHJKLMNPRST"]:
            taken = self.store.query_one(
                "SELECT 1 FROM members WHERE collective_id = ? AND pseudonym_key = ? AND erased_at IS NULL",
                (self.collective_id, fold(candidate)),
            )
            if not taken:
                return candidate
        return f"{pseudonym} {len(self.member_ids)}"

    def enrol(self, i: int, uid: bytes) -> None:
        card = self.cards.read(uid)
        if self.cards.identify(card).outcome is Identified.UNKNOWN:  # `--force`: already enrolled
            self.cards.enrol(card, self.member_ids[i], actor_id=self.member_ids[ADMIN])
            self.counts["cards"] += 1

    def revoke(self, uid: bytes) -> None:
        self.cards.revoke(self.cards.read(uid).uid_hash, "Carte perdue", self.member_ids[ADMIN])

    def publish(self, key: str, owner: int, entry: Entry, network: bool) -> None:
        listing = self.listings.publish(
            self.member_ids[owner],
            ListingKind(entry.kind),
            entry.theme_id,
            entry.title,
            entry.description,
            format=ListingFormat.WORKSHOP if entry.workshop else ListingFormat.INDIVIDUAL,
            network_visible=network,
        )
        self.ids[key] = listing.id
        self.counts["listings"] += 1

    def withdraw(self, key: str) -> None:
        listing = self.listings.get(self.ids[key])
        self.listings.withdraw(listing.id, listing.member_id, "C’est fait, merci à tous !")

    def record(self, plan: PlannedExchange) -> None:
        partners = [Partner(role, self.member_ids[m], present=here) for m, role, here in plan.people]
        partners += [Partner(ParticipantRole.LEARNER, guest_name=guest) for guest in plan.guests]
        exchange = self.exchanges.record(
            self.member_ids[plan.recorder],
            plan.kind,
            plan.theme,
            plan.title,
            plan.duration,
            partners,
            occurred_at=plan.when,
            listing_id=self.ids[plan.listing] if plan.listing else None,
        )
        self.ids[plan.key] = exchange.id
        self.counts["exchanges"] += 1

    def answer(self, key: str, m: int) -> None:
        if (key, m) in self.declines:
            self.exchanges.decline(self.ids[key], self.member_ids[m])
        else:
            self.exchanges.confirm(self.ids[key], self.member_ids[m])

    def cancel(self, key: str, actor: int, reason: str) -> None:
        self.exchanges.cancel(self.ids[key], self.member_ids[actor], reason)

    def schedule(
        self,
        key: str,
        leader: int,
        title: str,
        theme: str,
        starts: datetime,
        minutes: int,
        capacity: int,
        place: str,
    ) -> None:
        leader_id = self.member_ids[leader]
        # A member who leads a workshop without the animator role has it put on the agenda by the librarian.
        staff = {"animator", "librarian"} & set(PROFILES[leader].roles.split())
        actor = leader_id if staff else self.member_ids[ADMIN]
        workshop = self.workshops.schedule(actor, title, theme, starts, minutes, capacity, [leader_id], place)
        self.ids[key] = workshop.id

    def register_to(self, key: str, m: int) -> None:
        self.workshops.register(self.ids[key], self.member_ids[m])

    def check_in(self, key: str, m: int | None) -> None:
        self.workshops.check_in(self.ids[key], None if m is None else self.member_ids[m])
