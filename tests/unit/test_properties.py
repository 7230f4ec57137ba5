"""Property tests: random sequences of service calls on a real store keep the kiosk's invariants.

A hypothesis state machine drives the services the way the screens, the CLI and a librarian would —
sign-ups, cards (some with phone-style random UIDs), offers and requests, « ça m'intéresse » and its
notices, exchanges with present and absent partners, guests and workshops, answers, cancellations inside
and after the 10 minutes, events and check-ins, taps of unknown cards, GDPR erasure — on a clock that also
jumps backwards, and with bad input mixed in.

After every step: an invalid call raised `KioskError` and changed nothing (state and journal); the
journal's seq has no gap and its HLC strictly increases; every exchange still has a transmitter and a
learner unless cancelled; durations stay within 1 min – 12 h; a revoked card never identifies.
At the end: `PRAGMA integrity_check` is ok and replaying the journal on an empty store gives the state.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.clock import FixedClock
from kiosk.config import load_config, with_data_dir
from kiosk.domain import (
    CardStatus,
    Consent,
    ExchangeKind,
    Identified,
    ListingFormat,
    ListingKind,
    ParticipantRole,
    Partner,
    Role,
)
from kiosk.errors import KioskError
from kiosk.replay import snapshot
from kiosk.services import open_services
from kiosk.themes import load_catalogue
from tests.checks import (
    check_exchanges,
    check_integrity,
    check_journal,
    check_recognition,
    differences,
    journal_rows,
    replayed_snapshot,
)

T = TypeVar("T")
PARIS = ZoneInfo("Europe/Paris")
THEMES = [theme.id for theme in load_catalogue().themes]
UNKNOWN_ID = "00000000-0000-7000-8000-000000000000"

pick = st.integers(min_value=0, max_value=1_000)  # an index into what exists (or, past its end, nothing)
NAMES = ["Éloïse", "Karim", "Mamadou", "Léa", "Zoé", "Jean-Pierre", "Aïcha", "Noé", "Tatie Rose", "Yù"]


def mostly(valid: st.SearchStrategy[T], invalid: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Valid input nine times out of ten: enough happens for the refusals to matter."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda ok: valid if ok else invalid)


pseudonyms = mostly(
    st.builds("{} {}".format, st.sampled_from(NAMES), st.integers(1, 99)),
    st.one_of(
        st.sampled_from(
            [*NAMES, "", " ", "X", "\x00\x01", "🙂🙂", "-- 42 --", "Un pseudo bien trop long " * 2]
        ),
        st.text(max_size=45),
    ),
)
quartiers = mostly(st.sampled_from(["Belleville", "La Chapelle", "Goutte d’Or"]), st.sampled_from(["", "  "]))
titles = mostly(
    st.sampled_from(
        ["Réparation de vélo", "Cuisine végétarienne", "Démarches CAF", "Tricot", "Français à l’oral"]
    ),
    st.one_of(st.sampled_from(["", "x", " y ", "t" * 121]), st.text(max_size=130)),
)
themes = mostly(st.sampled_from(THEMES), st.sampled_from(["inconnu", "", "cuisine."]))
durations = mostly(st.integers(1, 720), st.sampled_from([0, -1, 721, 24 * 60, True]))
reasons = mostly(st.sampled_from(["Erreur de saisie", "Doublon"]), st.sampled_from(["", "   "]))
uids = st.one_of(
    st.binary(min_size=7, max_size=7),
    st.binary(min_size=4, max_size=4).map(lambda b: bytes([0x08]) + b[1:]),  # phone: random UID
    st.binary(min_size=4, max_size=4),
)
partners = st.lists(
    st.tuples(
        mostly(pick, st.sampled_from(["Lucie", "", "  Samir  "])),  # a member index, or a guest's name
        st.sampled_from(list(ParticipantRole)),
        st.booleans(),  # present (tapped their card) or absent (confirms later)
    ),
    min_size=1,
    max_size=5,
)


def other_side(role: ParticipantRole) -> ParticipantRole:
    return ParticipantRole.LEARNER if role is ParticipantRole.TRANSMITTER else ParticipantRole.TRANSMITTER


class KioskMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-props-"))
        self.config = with_data_dir(load_config(None), self.folder / "data")
        self.clock = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=PARIS))
        try:
            self.services = open_services(self.config, self.clock)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.members: list[str] = []
        self.cards: list[bytes] = []
        self.listings: list[str] = []
        self.exchanges: list[str] = []
        self.workshops: list[str] = []
        self.passes: list[tuple[str, str, datetime]] = []  # (text, member id, issued at)
        self.refused = 0
        self.in_hypothesis = True  # statistics (`event`) only exist inside a hypothesis run

    # Helpers ------------------------------------------------------------------------------------

    @staticmethod
    def choose(items: list[str], index: int) -> str:
        """One of `items`, or (now and then, and always when there is none) an id that does not exist."""
        position = index % (4 * len(items) + 1)
        position = position % len(items) if position < 4 * len(items) else len(items)
        return items[position] if position < len(items) else UNKNOWN_ID

    def is_staff(self, member_id: str) -> bool:
        member = self.services.members.get(member_id)
        return not member.is_erased and member.has_role(Role.LIBRARIAN, Role.ANIMATOR)

    def attempt(self, call: Callable[[], T]) -> T | None:
        """Run a service call; a refusal must be a `KioskError` that changed nothing at all."""
        store = self.services.store
        before = (snapshot(store), journal_rows(store))
        try:
            result = call()
        except KioskError as error:
            self.refused += 1
            if self.in_hypothesis:
                event(f"refused: {error.code}")
            assert error.text("fr").strip(), error.code
            assert not store.conn.in_transaction, f"{error.code} left a transaction open"
            after = (snapshot(store), journal_rows(store))
            assert after[1] == before[1], f"{error.code} changed the journal"
            assert after[0] == before[0], f"{error.code} changed the state: " + differences(
                before[0], after[0]
            )
            return None
        if self.in_hypothesis:
            event(f"accepted: {sys._getframe(1).f_code.co_name}")
        return result

    # Members and cards -------------------------------------------------------------------------

    @initialize(librarian=mostly(st.just(True), st.just(False)), animator=st.booleans())
    def collective(self, librarian: bool, animator: bool) -> None:
        """A few people to start with, as after a sign-up morning at the market."""
        roles = [(Role.LIBRARIAN,) if librarian else (), (Role.ANIMATOR,) if animator else (), (), ()]
        for name, extra in zip(["Bibi", "Anim", "Léa", "Karim"], roles, strict=True):
            self.members.append(self.services.members.register(name, "Belleville", roles=extra).id)

    @rule(
        pseudonym=pseudonyms,
        quartier=quartiers,
        roles=st.sets(st.sampled_from(list(Role))),
        contact=st.sampled_from([None, "", "06 12 34 56 78", "lea@example.org"]),
        consent=st.booleans(),
    )
    def register(
        self, pseudonym: str, quartier: str, roles: set[Role], contact: str | None, consent: bool
    ) -> None:
        agreed = Consent("2026-01", self.clock.now().isoformat()) if consent else None
        member = self.attempt(
            lambda: self.services.members.register(
                pseudonym, quartier, roles=tuple(roles), contact=contact, consent=agreed
            )
        )
        if member is not None:
            self.members.append(member.id)

    @rule(who=pick, uid=uids, actor=st.one_of(st.none(), pick), again=st.booleans(), known=pick)
    def enrol(self, who: int, uid: bytes, actor: int | None, again: bool, known: int) -> None:
        if again and self.cards:
            uid = self.cards[known % len(self.cards)]  # a card that is already enrolled (or revoked)
        actor_id = None if actor is None else self.choose(self.members, actor)
        cards = self.services.cards
        card = self.attempt(lambda: cards.enrol(cards.read(uid), self.choose(self.members, who), actor_id))
        if len(uid) == 4 and uid[0] == 0x08:  # a phone: never enrolled, never identifies anyone
            assert card is None and cards.identify(cards.read(uid)).outcome is Identified.RANDOM_UID
        if card is not None:
            self.cards.append(uid)

    @rule(which=pick, reason=reasons, actor=st.one_of(st.none(), pick))
    def revoke(self, which: int, reason: str, actor: int | None) -> None:
        if not self.cards:
            return
        cards = self.services.cards
        uid_hash = cards.read(self.cards[which % len(self.cards)]).uid_hash
        actor_id = None if actor is None else self.choose(self.members, actor)
        card = self.attempt(lambda: cards.revoke(uid_hash, reason, actor_id))
        if card is not None:
            assert card.status is CardStatus.REVOKED

    @rule(uid=uids, seconds=st.sampled_from([0, 3, 9.9, 10, 60, -3600]))
    def unknown_tap(self, uid: bytes, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        before = journal_rows(self.services.store)
        if not self.services.cards.record_unknown_tap(self.services.cards.read(uid).uid_hash):
            assert journal_rows(self.services.store) == before  # within 10 s: not journaled again

    @rule(who=pick, actor=pick, themself=st.booleans(), rarely=st.integers(0, 3))
    def erase(self, who: int, actor: int, themself: bool, rarely: int) -> None:
        if rarely:  # erasure ends a member's story: keep it rarer than the other acts
            return
        member_id = self.choose(self.members, who)
        actor_id = member_id if themself else self.choose(self.members, actor)
        self.attempt(lambda: self.services.members.erase(member_id, actor_id))

    @rule(who=pick)
    def issue_pass(self, who: int) -> None:
        member_id = self.choose(self.members, who)
        text = self.attempt(lambda: self.services.passes.issue(member_id))
        if text is not None:
            self.passes.append((text, member_id, self.clock.now()))

    @rule(who=pick, actor=pick, themself=st.booleans())
    def revoke_passes(self, who: int, actor: int, themself: bool) -> None:
        member_id = self.choose(self.members, who)
        actor_id = member_id if themself else self.choose(self.members, actor)
        self.attempt(lambda: self.services.passes.revoke(member_id, actor_id))

    @invariant()
    def revoked_passes_never_identify(self) -> None:
        for text, member_id, issued_at in self.passes:
            found = self.services.passes.identify(text)
            row = self.services.store.conn.execute(
                "SELECT revoked_before FROM pass_revocations WHERE member_id = ?", (member_id,)
            ).fetchone()
            # Passes carry whole seconds; a revocation ends the passes issued before its moment.
            issued = issued_at.replace(microsecond=0)
            revoked = row is not None and issued < datetime.fromisoformat(row[0])
            if revoked or self.services.members.get(member_id).is_erased:
                assert found.outcome is Identified.REVOKED, (member_id, found)
            else:
                assert found.outcome is Identified.MEMBER, (member_id, found)

    # Listings -----------------------------------------------------------------------------------

    @rule(
        who=pick,
        kind=st.sampled_from(list(ListingKind)),
        theme=themes,
        title=titles,
        description=st.sampled_from(["", "Le samedi matin, au local.", "d" * 1001]),
        format=st.sampled_from(list(ListingFormat)),
    )
    def publish(
        self, who: int, kind: ListingKind, theme: str, title: str, description: str, format: ListingFormat
    ) -> None:
        listing = self.attempt(
            lambda: self.services.listings.publish(
                self.choose(self.members, who), kind, theme, title, description, format=format
            )
        )
        if listing is not None:
            self.listings.append(listing.id)

    @rule(which=pick, actor=pick, owner=st.booleans(), reason=reasons)
    def withdraw(self, which: int, actor: int, owner: bool, reason: str) -> None:
        listing_id = self.choose(self.listings, which)
        actor_id = self.choose(self.members, actor)
        if owner and listing_id != UNKNOWN_ID:
            actor_id = self.services.listings.get(listing_id).member_id
        self.attempt(lambda: self.services.listings.withdraw(listing_id, actor_id, reason))

    @rule(which=pick, who=pick, owner=mostly(st.just(False), st.just(True)))
    def express_interest(self, which: int, who: int, owner: bool) -> None:
        listing_id, member_id = self.choose(self.listings, which), self.choose(self.members, who)
        if owner and listing_id != UNKNOWN_ID:  # refused: one's own listing
            member_id = self.services.listings.get(listing_id).member_id
        listings = self.services.listings
        interest = self.attempt(lambda: listings.express_interest(listing_id, member_id))
        if interest is not None:  # saying it again changes nothing
            before = journal_rows(self.services.store)
            assert listings.express_interest(listing_id, member_id) == interest
            assert journal_rows(self.services.store) == before

    @rule(who=pick, only_first=st.booleans())
    def see_interests(self, who: int, only_first: bool) -> None:
        member_id = self.choose(self.members, who)
        listings = self.services.listings
        shown = [n.interest_id for n in listings.interests_for(member_id, limit=1)] if only_first else None
        marked = self.attempt(lambda: listings.mark_interests_seen(member_id, shown))
        if marked is not None:
            assert not [n for n in listings.interests_for(member_id, limit=1) if not n.seen] or only_first

    @invariant()
    def interests_hold(self) -> None:
        wrong = self.services.store.conn.execute(
            "SELECT i.id FROM listing_interests i JOIN listings l ON l.id = i.listing_id"
            " JOIN members m ON m.id = i.member_id"
            " WHERE l.member_id = i.member_id OR m.erased_at IS NOT NULL"
        ).fetchall()
        assert not wrong, f"interests in one's own listing, or of an erased member: {wrong}"

    # Exchanges ----------------------------------------------------------------------------------

    @rule(
        recorder=pick,
        recorder_role=st.sampled_from(list(ParticipantRole)),
        with_recorder=st.integers(0, 9),
        lopsided=mostly(st.just(False), st.just(True)),
        others=partners,
        kind=st.sampled_from(list(ExchangeKind)),
        theme=themes,
        title=titles,
        duration=durations,
        minutes_ago=mostly(st.one_of(st.none(), st.integers(0, 60 * 24 * 60)), st.integers(-10, -4)),
        listing=st.one_of(st.none(), pick),
    )
    def record(
        self,
        recorder: int,
        recorder_role: ParticipantRole,
        with_recorder: int,
        lopsided: bool,
        others: list[tuple[int | str, ParticipantRole, bool]],
        kind: ExchangeKind,
        theme: str,
        title: str,
        duration: int,
        minutes_ago: int | None,
        listing: int | None,
    ) -> None:
        recorded_by = self.choose(self.members, recorder)
        if not lopsided:  # the first partner sits on the other side (then anything goes)
            first, _, present = others[0]
            others[0] = (first, other_side(recorder_role), present)
        # Partners other than the recorder, unless the call is meant to be lopsided.
        others_pool = self.members if lopsided else [m for m in self.members if m != recorded_by]
        people = [
            Partner(role, member_id=self.choose(others_pool, who), present=present)
            if isinstance(who, int)
            else Partner(role, guest_name=who)
            for who, role, present in others
        ]
        if not lopsided:  # as the screens make sure: one side per person
            sides: dict[str | None, ParticipantRole] = {}
            people = [
                p for p in people if p.member_id is None or sides.setdefault(p.member_id, p.role) == p.role
            ]
        if with_recorder:  # usually the recorder takes part, as the screens make sure
            people.insert(with_recorder % (len(people) + 1), Partner(recorder_role, member_id=recorded_by))
        when = None if minutes_ago is None else self.clock.now() - timedelta(minutes=minutes_ago)
        listing_id = None if listing is None else self.choose(self.listings, listing)
        exchange = self.attempt(
            lambda: self.services.exchanges.record(
                recorded_by, kind, theme, title, duration, people, occurred_at=when, listing_id=listing_id
            )
        )
        if exchange is not None:
            self.exchanges.append(exchange.id)

    @rule(which=pick, who=pick, decline=st.booleans(), participant=st.booleans())
    def answer(self, which: int, who: int, decline: bool, participant: bool) -> None:
        exchange_id = self.choose(self.exchanges, which)
        member_id = self.choose(self.members, who)
        if participant and exchange_id != UNKNOWN_ID:  # mostly someone the exchange waits for
            waiting = [
                p.member_id
                for p in self.services.exchanges.get(exchange_id).participants
                if p.member_id and p.confirmation == "pending"
            ]
            member_id = waiting[who % len(waiting)] if waiting else member_id
        exchanges = self.services.exchanges
        answer = exchanges.decline if decline else exchanges.confirm
        self.attempt(lambda: answer(exchange_id, member_id))

    @rule(which=pick, actor=pick, by_recorder=st.booleans(), reason=reasons)
    def cancel(self, which: int, actor: int, by_recorder: bool, reason: str) -> None:
        exchange_id = self.choose(self.exchanges, which)
        actor_id = self.choose(self.members, actor)
        if by_recorder and exchange_id != UNKNOWN_ID:
            actor_id = self.services.exchanges.get(exchange_id).recorded_by or actor_id
        self.attempt(lambda: self.services.exchanges.cancel(exchange_id, actor_id, reason))

    # Workshops ----------------------------------------------------------------------------------

    @rule(
        actor=pick,
        staff=mostly(st.just(True), st.just(False)),
        title=titles,
        theme=themes,
        hours_ahead=st.integers(-48, 24 * 30),
        duration=durations,
        capacity=st.one_of(st.integers(1, 30), st.sampled_from([0, -1, 501, True])),
        animators=st.lists(pick, max_size=3),
    )
    def schedule(
        self,
        actor: int,
        staff: bool,
        title: str,
        theme: str,
        hours_ahead: int,
        duration: int,
        capacity: int,
        animators: list[int],
    ) -> None:
        starts = self.clock.now() + timedelta(hours=hours_ahead)
        animator_ids = [self.choose(self.members, a) for a in animators]
        pool = [m for m in self.members if staff and self.is_staff(m)] or self.members
        workshop = self.attempt(
            lambda: self.services.workshops.schedule(
                self.choose(pool, actor), title, theme, starts, duration, capacity, animator_ids
            )
        )
        if workshop is not None:
            self.workshops.append(workshop.id)

    @rule(which=pick, who=pick, leave=st.booleans())
    def register_for_workshop(self, which: int, who: int, leave: bool) -> None:
        workshops = self.services.workshops
        workshop_id, member_id = self.choose(self.workshops, which), self.choose(self.members, who)
        if leave:
            self.attempt(lambda: workshops.unregister(workshop_id, member_id))
        else:
            self.attempt(lambda: workshops.register(workshop_id, member_id))

    @rule(which=pick, who=st.one_of(st.none(), pick))
    def check_in(self, which: int, who: int | None) -> None:
        member_id = None if who is None else self.choose(self.members, who)
        self.attempt(lambda: self.services.workshops.check_in(self.choose(self.workshops, which), member_id))

    # Time ---------------------------------------------------------------------------------------

    @rule(minutes=st.one_of(st.integers(-600, 600), st.sampled_from([9, 10, 11, -60 * 24])))
    def time_passes(self, minutes: int) -> None:
        """Forwards, or backwards: a Pi has no RTC and its clock jumps when NTP comes back."""
        self.clock.advance(minutes=minutes)

    # Invariants ---------------------------------------------------------------------------------

    @invariant()
    def journal_and_exchanges_hold(self) -> None:
        store = self.services.store
        check_journal(store)
        check_exchanges(store)
        check_recognition(store)

    @invariant()
    def revoked_cards_never_identify(self) -> None:
        cards = self.services.cards
        for uid in self.cards:
            read = cards.read(uid)
            found = cards.identify(read)
            status = cards.get(read.uid_hash).status
            if status is CardStatus.REVOKED:
                assert found.outcome is Identified.REVOKED, (uid.hex(), found)
            else:
                assert found.outcome in (Identified.MEMBER, Identified.REVOKED), (uid.hex(), found)

    def teardown(self) -> None:
        try:
            store = self.services.store
            check_integrity(store)
            state = snapshot(store)
            replayed = replayed_snapshot(store, self.config, self.folder / "replay")
            assert replayed == state, "replaying the journal differs: " + differences(state, replayed)
        finally:
            self.services.close()
            shutil.rmtree(self.folder, ignore_errors=True)


KioskMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestKioskProperties = KioskMachine.TestCase


def test_refusals_leave_no_trace_example() -> None:
    """A hand-written walk through the machine, so its helpers are exercised deterministically."""
    machine: Any = KioskMachine()
    machine.in_hypothesis = False

    def record(recorder: int, partner: int, duration: int, present: bool = False) -> None:
        machine.record(
            recorder=recorder, recorder_role=ParticipantRole.TRANSMITTER, with_recorder=1,
            lopsided=False, others=[(partner, ParticipantRole.LEARNER, present)],
            kind=ExchangeKind.KNOWLEDGE, theme="reparation.velo", title="Réparer un vélo",
            duration=duration, minutes_ago=None, listing=None,
        )  # fmt: skip

    try:
        machine.register("Éloïse", "Belleville", {Role.LIBRARIAN}, None, False)
        machine.register("eloise", "Belleville", set(), None, False)  # taken (accents and case folded)
        machine.register("Karim", "Belleville", set(), "06 12 34 56 78", False)  # contact without consent
        machine.register("Karim", "La Chapelle", set(), None, False)
        assert len(machine.members) == 2 and machine.refused == 2
        record(recorder=1, partner=0, duration=90)  # Karim records, Éloïse (absent) confirms later
        record(recorder=1, partner=0, duration=721)  # refused: more than 12 hours
        assert len(machine.exchanges) == 1 and machine.refused == 3
        machine.time_passes(11)
        machine.cancel(0, 1, True, "Erreur")  # refused: Karim recorded it, but 11 minutes ago
        machine.time_passes(-60)  # the clock jumps back: the HLC still moves forward
        machine.answer(0, 0, False, True)  # Éloïse confirms
        machine.cancel(0, 0, False, "Doublon")  # a librarian may cancel at any time
        assert machine.refused == 4
        machine.journal_and_exchanges_hold()
    finally:
        machine.teardown()
