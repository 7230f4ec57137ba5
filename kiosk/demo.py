"""Demo data: a realistic collective, the same for a given seed, written only through the services.

Every row therefore has its journal event. Only `random.Random(seed)` decides while planning; the plan
is then played back in time order by `kiosk.demo_history` on a clock set to each moment of the past six
months. The demo cards use a fixed network key so the simulated reader always finds the same members.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from kiosk.demo_content import (
    DEMO_CARDS,
    DEMO_PHONE_UID,
    DEMO_REVOKED_CARD,
    DEMO_UNKNOWN_UID,
    FOUNDERS,
    GUESTS,
    LISTINGS,
    PLACES,
    PROFILES,
    QUARTIERS,
    SERVICES,
    UPCOMING,
    DemoCard,
    Upcoming,
)
from kiosk.demo_governance import plan_governance
from kiosk.demo_history import ADMIN, History, PlannedExchange
from kiosk.domain import ExchangeKind, ExchangeStatus, ListingKind, ParticipantRole
from kiosk.services import Services
from kiosk.themes import load_catalogue

__all__ = [
    "DEMO_ADMIN_PIN",
    "DEMO_CARDS",
    "DEMO_CARD_KEY",
    "DEMO_PHONE_UID",
    "DEMO_REVOKED_CARD",
    "DEMO_UNKNOWN_UID",
    "DemoCard",
    "DemoSummary",
    "generate_demo",
]

# Not a secret: it only has to be the same everywhere so the demo cards always map to the same uid_hash.
DEMO_CARD_KEY: bytes = hashlib.sha256(b"kiosque-des-savoirs: demo network card key, v1").digest()
DEMO_ADMIN_PIN = "2468"
HISTORY_DAYS = 183
TRANSMITTER, LEARNER = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER
KNOWLEDGE_EXCHANGES, SERVICES_RENDERED, PAST_WORKSHOPS = 180, 40, 24


@dataclass(frozen=True)
class DemoSummary:
    members: int
    quartiers: int
    cards: int
    listings: int
    exchanges: int
    workshop_exchanges: int
    pending: int
    upcoming_workshops: int
    registrations: int
    waiting: int

    def describe(self) -> str:
        cards = ", ".join(card.pseudonym for card in DEMO_CARDS)
        return (
            f"Collectif de démonstration prêt : {self.members} membres dans {self.quartiers} quartiers, "
            f"{self.cards} cartes, {self.listings} annonces, {self.exchanges} échanges sur six mois "
            f"(dont {self.workshop_exchanges} ateliers et {self.pending} en attente de confirmation), "
            f"{self.upcoming_workshops} ateliers à venir ({self.registrations} inscriptions, "
            f"dont {self.waiting} sur liste d’attente).\n"
            f"Cartes de démonstration : {cards} ; code administrateur {DEMO_ADMIN_PIN}."
        )


def generate_demo(services: Services, *, seed: int = 2026) -> DemoSummary:
    plan = _Planner(services, random.Random(seed))
    plan.plan()
    # One outer transaction: a single durable commit (fast), and never a half-made demo.
    with services.store.transaction():
        plan.history.run()
        plan.history.set_pins(DEMO_ADMIN_PIN)
    return plan.summary()


def _skills(i: int, field: str) -> list[str]:
    text: str = getattr(PROFILES[i], field)
    return text.split()


def _helps(i: int, field: str) -> list[str]:
    return [theme for theme in _skills(i, field) if theme.startswith("entraide.")]


class _Planner:
    def __init__(self, services: Services, rng: random.Random) -> None:
        self.services, self.rng = services, rng
        self.now = services.ctx.clock.now().replace(second=0, microsecond=0)
        first_day = (self.now - timedelta(days=HISTORY_DAYS)).date()
        self.start = datetime.combine(first_day, time(9), self.now.tzinfo)
        self.history = History(services, self.start)
        self.labels = {theme.id: theme.label_fr for theme in load_catalogue().themes}
        self.index = {profile.pseudonym: i for i, profile in enumerate(PROFILES)}
        self.joined: list[datetime] = []
        self.published: list[datetime] = []  # per listing
        self.offers: list[tuple[int, str, datetime, str, str]] = []  # owner, theme, published, key, title
        self.answers: list[tuple[str, int]] = []  # (exchange key, profile) who may decline
        self.plain: list[PlannedExchange] = []  # everyone present: may be cancelled

    def at(self, when: datetime, action: partial[None]) -> None:
        self.history.at(when, action)

    def moment(self, first_day: int, last_day: int, after: datetime | None = None) -> datetime:
        """Saturday mornings at the market, weekday afternoons at the MJC; no Sundays, nothing today.

        Moving a Sunday to the Saturday before may cross `after`: then it is an hour after it.
        """
        day = self.start.date() + timedelta(days=self.rng.randint(first_day, min(last_day, HISTORY_DAYS - 1)))
        if day.weekday() == 6:
            day -= timedelta(days=1)
        hour = self.rng.randint(9, 11) if day.weekday() == 5 else self.rng.randint(14, 18)
        when = datetime.combine(day, time(hour, self.rng.choice((0, 15, 30, 45))), self.now.tzinfo)
        return max(when, after + timedelta(hours=1)) if after else when

    def day_of(self, moment: datetime) -> int:
        return (moment.date() - self.start.date()).days

    def active(self, before: datetime) -> list[int]:
        return [i for i, joined in enumerate(self.joined) if joined < before]

    def plan(self) -> None:
        self.plan_members()
        self.plan_listings()
        for n in range(KNOWLEDGE_EXCHANGES):
            self.plan_knowledge(f"k{n}")
        for n in range(SERVICES_RENDERED):
            self.plan_service(f"s{n}")
        for n in range(PAST_WORKSHOPS):
            self.plan_workshop(n)
        for n, upcoming in enumerate(UPCOMING):
            self.plan_upcoming(f"u{n}", upcoming)
        plan_governance(self)  # draws by lot and elections (issue 8)
        self.plan_waiting_for_demo_members()
        self.history.declines = set(self.rng.sample(self.answers, 2))
        settled = [plan for plan in self.plain if plan.when < self.now - timedelta(days=3)]
        slip, duplicate = self.rng.sample(settled, 2)
        # A slip its recorder fixes within ten minutes; a duplicate the librarian removes the next day.
        self.at(
            slip.when + timedelta(minutes=slip.duration + 4),
            partial(self.history.cancel, slip.key, slip.recorder, "Erreur de saisie"),
        )
        self.at(
            duplicate.when + timedelta(days=1),
            partial(self.history.cancel, duplicate.key, ADMIN, "Doublon : déjà noté sur le registre papier"),
        )

    def plan_members(self) -> None:
        uids = {card.pseudonym: card.uid for card in DEMO_CARDS}
        for i, profile in enumerate(PROFILES):
            if i < FOUNDERS:
                joined = self.start + timedelta(minutes=20 * i)  # the collective's launch day
            elif self.rng.random() < 0.85:
                joined = self.moment(1, 60)
            else:
                joined = self.moment(61, HISTORY_DAYS - 20)
            self.joined.append(joined)
            self.at(joined, partial(self.history.register, i))
            uid = uids.get(profile.pseudonym)
            if uid is None and self.rng.random() < 0.8:
                uid = b"\x04" + self.rng.randbytes(6)  # a 7-byte NXP UID
            enrolled = joined + timedelta(minutes=5)
            if profile.pseudonym == DEMO_REVOKED_CARD.pseudonym and uid is not None:
                lost = joined + timedelta(days=40)
                self.at(enrolled, partial(self.history.enrol, i, DEMO_REVOKED_CARD.uid))
                self.at(lost, partial(self.history.revoke, DEMO_REVOKED_CARD.uid))
                self.at(lost + timedelta(minutes=2), partial(self.history.enrol, i, uid))
            elif uid is not None:
                self.at(enrolled, partial(self.history.enrol, i, uid))

    def plan_listings(self) -> None:
        for k, entry in enumerate(LISTINGS):
            field = "gives" if entry.kind == ListingKind.OFFER else "wants"
            pool = [i for i in range(len(PROFILES)) if entry.theme_id in _skills(i, field)]
            owner = self.rng.choice(pool or range(len(PROFILES)))
            joined = self.joined[owner]
            published = self.moment(self.day_of(joined) + 1, HISTORY_DAYS - 3, after=joined)
            self.published.append(published)
            network = self.rng.random() < 0.2
            self.at(published, partial(self.history.publish, f"l{k}", owner, entry, network))
            if entry.kind == ListingKind.OFFER:
                self.offers.append((owner, entry.theme_id, published, f"l{k}", entry.title))
        for k in self.rng.sample(range(len(LISTINGS)), 3):
            withdrawn = self.moment(HISTORY_DAYS - 2, HISTORY_DAYS - 1, after=self.published[k])
            self.at(withdrawn, partial(self.history.withdraw, f"l{k}"))

    def title_for(self, theme: str, transmitter: int, when: datetime) -> tuple[str, str | None]:
        """The transmitter's own offer on this theme when there is one, else a typical title."""
        own = [
            (k, title)
            for o, t, published, k, title in self.offers
            if (o, t) == (transmitter, theme) and published < when
        ]
        if own:
            key, title = self.rng.choice(own)
            return title, key
        titles = [entry.title for entry in LISTINGS if entry.theme_id == theme]
        return (self.rng.choice(titles) if titles else f"Découverte : {self.labels[theme]}"), None

    def plan_knowledge(self, key: str) -> None:
        when = self.moment(7, HISTORY_DAYS - 1)
        people = self.active(when - timedelta(hours=1))
        skills = [(m, t) for m in people for t in _skills(m, "gives") if not t.startswith("entraide.")]
        transmitter, theme = self.rng.choice(skills)
        others = [m for m in people if m != transmitter]
        keen = [m for m in others if theme in _skills(m, "wants")]
        learners = self.rng.sample(keen if keen and self.rng.random() < 0.7 else others, 1)
        if self.rng.random() < 0.1:  # a neighbour came along
            learners += self.rng.sample([m for m in others if m not in learners], 1)
        title, listing = self.title_for(theme, transmitter, when)
        duration = self.rng.choice((30, 45, 60, 60, 90, 120))
        recorder = self.rng.choice([transmitter, *learners])
        self.plan_exchange(
            PlannedExchange(
                key,
                ExchangeKind.KNOWLEDGE,
                theme,
                title,
                duration,
                when,
                recorder,
                self.presence(recorder, [transmitter], learners),
                listing,
            )
        )

    def plan_service(self, key: str) -> None:
        when = self.moment(7, HISTORY_DAYS - 1)
        people = self.active(when - timedelta(hours=1))
        receiver = self.rng.choice([m for m in people if _helps(m, "wants")])
        need = self.rng.choice(_helps(receiver, "wants"))
        helpers = [m for m in people if need in _skills(m, "gives") and m != receiver]
        helper = self.rng.choice(helpers or [m for m in people if _helps(m, "gives") and m != receiver])
        title, duration = self.rng.choice(SERVICES[need]), self.rng.choice((30, 45, 60, 90))
        # Older people often do not tap right away: their confirmation then waits for their next visit.
        people_spec = self.presence(helper, [helper], [receiver], present=0.5)
        self.plan_exchange(
            PlannedExchange(key, ExchangeKind.SERVICE, need, title, duration, when, helper, people_spec)
        )

    def presence(
        self, recorder: int, transmitters: list[int], learners: list[int], present: float = 0.65
    ) -> tuple[tuple[int, ParticipantRole, bool], ...]:
        people = [(m, TRANSMITTER) for m in transmitters] + [(m, LEARNER) for m in learners]
        return tuple((m, role, m == recorder or self.rng.random() < present) for m, role in people)

    def plan_exchange(self, plan: PlannedExchange) -> None:
        recorded = plan.when + timedelta(minutes=plan.duration)  # written down at the end
        self.at(recorded, partial(self.history.record, plan))
        absent = [m for m, _, here in plan.people if not here]
        for m in absent:
            answer = recorded + timedelta(hours=self.rng.randint(3, 9 * 24))
            forgotten = self.rng.random() < 0.05  # some never came back to the kiosk: still pending
            if answer < self.now - timedelta(hours=1) and not forgotten:  # later ones still wait
                if len(absent) == 1:  # a « no » then settles the exchange: nobody else answers after
                    self.answers.append((plan.key, m))
                self.at(answer, partial(self.history.answer, plan.key, m))
        if not absent:
            self.plain.append(plan)

    def plan_workshop(self, n: int) -> None:
        key, when = f"w{n}", self.moment(20, HISTORY_DAYS - 1)
        entry = self.rng.choice([e for e in LISTINGS if e.workshop])
        scheduled = when - timedelta(days=self.rng.randint(5, 15))
        leaders = self.active(scheduled - timedelta(hours=1))
        givers = [m for m in leaders if entry.theme_id in _skills(m, "gives")]
        leader = self.rng.choice(givers or [m for m in leaders if "animator" in PROFILES[m].roles])
        learners = self.rng.sample([m for m in self.active(when) if m != leader], self.rng.randint(3, 10))
        guests = tuple(self.rng.sample(GUESTS, self.rng.choice((0, 0, 1, 2))))  # passers-by at the market
        duration, place = self.rng.choice((90, 120, 150, 180)), self.rng.choice(PLACES)
        self.at(
            scheduled,
            partial(
                self.history.schedule,
                key,
                leader,
                entry.title,
                entry.theme_id,
                when,
                duration,
                max(10, len(learners) + 2),
                place,
            ),
        )
        for m in learners:
            if self.joined[m] < scheduled and self.rng.random() < 0.7:
                registered = scheduled + (when - scheduled) * self.rng.random() * 0.9
                self.at(registered, partial(self.history.register_to, key, m))
        at_door: list[int | None] = [*learners, *[None] * len(guests)]  # None: a guest
        for minute, person in enumerate(at_door):
            self.at(when + timedelta(minutes=minute), partial(self.history.check_in, key, person))
        people = ((leader, TRANSMITTER, True), *((m, LEARNER, True) for m in learners))
        self.plan_exchange(
            PlannedExchange(
                f"x{key}",
                ExchangeKind.KNOWLEDGE,
                entry.theme_id,
                entry.title,
                duration,
                when,
                leader,
                people,
                guests=guests,
            )
        )

    def plan_upcoming(self, key: str, upcoming: Upcoming) -> None:
        scheduled = self.moment(HISTORY_DAYS - 20, HISTORY_DAYS - 10)
        leaders = self.active(scheduled)
        animators = [m for m in leaders if "animator" in PROFILES[m].roles]
        givers = [m for m in animators if upcoming.theme_id in _skills(m, "gives")]
        leader = self.rng.choice(givers or animators)
        day = self.now.date() + timedelta(days=upcoming.in_days)
        starts = datetime.combine(day, time(upcoming.hour), self.now.tzinfo)
        self.at(
            scheduled,
            partial(
                self.history.schedule,
                key,
                leader,
                upcoming.title,
                upcoming.theme_id,
                starts,
                upcoming.duration_min,
                upcoming.capacity,
                self.rng.choice(PLACES),
            ),
        )
        pool = [m for m in self.active(scheduled) if m != leader]
        chosen = [m for m in pool if upcoming.theme_id in _skills(m, "wants")][: upcoming.registrations // 2]
        chosen += self.rng.sample([m for m in pool if m not in chosen], upcoming.registrations - len(chosen))
        first = self.day_of(scheduled) + 1
        moments = sorted(self.moment(first, HISTORY_DAYS - 1, after=scheduled) for _ in chosen)
        for m, when in zip(chosen, moments, strict=True):
            self.at(when, partial(self.history.register_to, key, m))

    def plan_waiting_for_demo_members(self) -> None:
        """Recent exchanges that demo-card members have not confirmed yet: their next tap shows them."""
        waiting = (
            ("Karim", "Yvette", ExchangeKind.SERVICE, "entraide.courses", "Porter les courses à l’étage", 2),
            ("Lucas", "Inès", ExchangeKind.KNOWLEDGE, "reparation.velo", "Réglage des freins de vélo", 1),
            (
                "Élodie",
                "Nguyen",
                ExchangeKind.KNOWLEDGE,
                "numerique.ordinateur",
                "Créer une adresse e-mail et bien la gérer",
                3,
            ),
            ("Inès", "Karim", ExchangeKind.KNOWLEDGE, "langues.anglais", "Anglais pour voyager", 2),
            (
                "Fatoumata",
                "Mamadou",
                ExchangeKind.KNOWLEDGE,
                "couture.retouches",
                "Faire un ourlet de pantalon",
                4,
            ),
        )
        for n, (giver, taker, kind, theme, title, days_ago) in enumerate(waiting):
            when = datetime.combine(self.now.date() - timedelta(days=days_ago), time(15), self.now.tzinfo)
            g, t = self.index[giver], self.index[taker]
            people = ((g, TRANSMITTER, True), (t, LEARNER, False))
            self.at(
                when + timedelta(hours=1),
                partial(
                    self.history.record, PlannedExchange(f"p{n}", kind, theme, title, 60, when, g, people)
                ),
            )

    def summary(self) -> DemoSummary:
        ids = self.history.ids
        exchange_ids = [value for key, value in ids.items() if key.startswith(("k", "s", "x", "p"))]
        statuses = Counter(exchange.status for exchange in self.services.exchanges.load(exchange_ids))
        upcoming = [self.services.workshops.get(ids[f"u{n}"]) for n in range(len(UPCOMING))]
        return DemoSummary(
            members=self.history.counts["members"],
            quartiers=len(QUARTIERS),
            cards=self.history.counts["cards"],
            listings=self.history.counts["listings"],
            exchanges=self.history.counts["exchanges"],
            workshop_exchanges=sum(key.startswith("xw") for key in ids),
            pending=statuses[ExchangeStatus.PENDING],
            upcoming_workshops=len(upcoming),
            registrations=sum(workshop.registered + workshop.waiting for workshop in upcoming),
            waiting=sum(workshop.waiting for workshop in upcoming),
        )
