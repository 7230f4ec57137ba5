"""The demo collective's representatives and mediators (issue 8), played back in time like the rest.

- « Représentant·e Réparation »: drawn by lot three weeks ago, its record published;
- « Représentant·e Jardinage »: volunteers welcome until the cut-off, with quotas (a woman, someone over 60);
- « Médiateur·rice du quartier »: elected by majority judgment last month at this kiosk (Mamadou);
- « Médiation de la Maison de quartier »: the vote is open at this kiosk, two neighbours have voted.

Demo-card holders stay free to volunteer and vote, so that the demo can show it. Everything goes through
the services at its moment (`History`'s clock), so it is journaled and synced like real use.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from kiosk.demo_content import DEMO_CARDS
from kiosk.demo_history import ADMIN
from kiosk.domain_governance import ElectionMode
from kiosk.governance.quotas import AGE_BAND, GENDER
from kiosk.governance.sortition import Quota
from kiosk.services.draws import Draws
from kiosk.services.elections import Elections

if TYPE_CHECKING:
    from kiosk.demo import _Planner

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip
# The garden's volunteers and what they answered (None: they did not want to say).
GARDENERS = (
    ("Josiane", {GENDER: "femme", AGE_BAND: "60_et_plus"}),
    ("Gérard", {GENDER: "homme", AGE_BAND: "60_et_plus"}),
    ("Camille", {GENDER: "femme", AGE_BAND: "30_a_59"}),
    ("Rui", {GENDER: "homme", AGE_BAND: "30_a_59"}),
    ("Priya", None),
)
REPAIRERS = ("Jean-Pierre", "Rachid", "Farid", "Kevin", "Ibrahima", "Antoine", "Rui")
MEDIATORS = ("Mamadou", "Aïcha", "Hélène")  # Mamadou was elected (his demo card says so)
# Grades of the past election's voters for (Mamadou, Aïcha, Hélène), 0 = « À rejeter », 6 = « Excellent ».
PAST_BALLOTS = ((6, 4, 3), (5, 5, 2), (5, 3, 4), (4, 4, 3), (6, 2, 5), (5, 4, 1), (3, 5, 4), (5, 3, None),
                (4, 6, 2))  # fmt: skip
OPEN_CANDIDATES = ("Samia", "Youssef", "Hélène")
EARLY_VOTERS = (("Marcel", (4, 5, 3)), ("Simone", (5, 2, 4)))


def plan_governance(planner: _Planner) -> None:
    _Governance(planner).plan()


def _french_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]}"


class _Governance:
    def __init__(self, planner: _Planner) -> None:
        self.planner = planner
        history = planner.history
        ctx = replace(planner.services.ctx, clock=history.clock)
        self.draws = Draws(ctx, random.Random(planner.start.isoformat()))
        self.elections = Elections(ctx)
        self.card_holders = {card.pseudonym for card in DEMO_CARDS}
        self.ids: dict[str, str] = {}

    def member(self, pseudonym: str) -> str:
        return self.planner.history.member_ids[self.planner.index[pseudonym]]

    def joined_before(self, names: Sequence[str], when: datetime) -> list[str]:
        """Those of `names` who had joined by `when` (the demo's join dates are drawn at random)."""
        return [name for name in names if self.planner.joined[self.planner.index[name]] < when]

    def at(self, when: datetime, action: partial[None]) -> None:
        self.planner.at(when, action)

    def plan(self) -> None:
        now = self.planner.now
        self.plan_performed_draw(now - timedelta(days=50))
        self.plan_open_draw(now - timedelta(days=6))
        self.plan_past_election(now - timedelta(days=45))
        self.plan_open_election(now - timedelta(days=10))

    # Draws ----------------------------------------------------------------------------------------

    def admin(self) -> str:
        return self.planner.history.member_ids[ADMIN]  # the librarian

    def announce_draw(
        self,
        key: str,
        theme: str,
        title: str,
        cutoff: datetime,
        source: str,
        quotas: Sequence[Quota] = (),
        asked: Sequence[str] = (),
    ) -> None:
        self.ids[key] = self.draws.announce(self.admin(), theme, title, 2, cutoff, source, quotas, asked).id

    def plan_performed_draw(self, start: datetime) -> None:
        cutoff, meeting = start + timedelta(days=20), start + timedelta(days=27, hours=8)
        source = f"trois dés lancés en public à l’assemblée de quartier du {_french_date(meeting)}"
        title = "Représentant·e Réparation"
        self.at(start, partial(self.announce_draw, "repair", "reparation", title, cutoff, source))
        volunteers = self.joined_before(REPAIRERS, start)
        for n, name in enumerate(volunteers):
            self.at(start + timedelta(days=1 + 2 * n, hours=5), partial(self.volunteer, "repair", name, None))
        if len(volunteers) > 3:  # one changes their mind before the cut-off: the rest of the order replaces
            self.at(start + timedelta(days=18), partial(self.withdraw, "repair", volunteers[1]))
        self.at(cutoff + timedelta(hours=1), partial(self.freeze, "repair"))
        self.at(meeting + timedelta(minutes=20), partial(self.perform, "repair", "3 6 1"))

    def plan_open_draw(self, start: datetime) -> None:
        cutoff = start + timedelta(days=20)
        source = f"trois dés lancés en public à la réunion du {_french_date(cutoff + timedelta(days=3))}"
        quotas = [Quota(GENDER, "femme", minimum=1), Quota(AGE_BAND, "60_et_plus", minimum=1)]
        title = "Représentant·e Jardinage"
        self.at(
            start,
            partial(
                self.announce_draw, "garden", "jardinage", title, cutoff, source, quotas, [GENDER, AGE_BAND]
            ),
        )
        names = dict(GARDENERS)
        for n, name in enumerate(self.joined_before(list(names), start)):
            self.at(
                start + timedelta(days=1 + n, hours=4), partial(self.volunteer, "garden", name, names[name])
            )

    def volunteer(self, key: str, name: str, answers: dict[str, str] | None) -> None:
        self.draws.volunteer(self.ids[key], self.member(name), answers)

    def withdraw(self, key: str, name: str) -> None:
        self.draws.withdraw(self.ids[key], self.member(name))

    def freeze(self, key: str) -> None:
        self.draws.freeze(self.admin(), self.ids[key])

    def perform(self, key: str, dice: str) -> None:
        self.draws.perform(self.admin(), self.ids[key], dice)

    # Elections ------------------------------------------------------------------------------------

    def announce_election(self, key: str, title: str, start: datetime, opens_in: int, days: int) -> None:
        until, opens = start + timedelta(days=opens_in - 1), start + timedelta(days=opens_in)
        election = self.elections.announce(
            self.admin(), title, None, 1, ElectionMode.KIOSK, until, opens,
            opens + timedelta(days=days),
        )  # fmt: skip
        self.ids[key] = election.id

    def plan_past_election(self, start: datetime) -> None:
        self.at(start, partial(self.announce_election, "past", "Médiateur·rice du quartier", start, 12, 7))
        candidates = self.joined_before(MEDIATORS, start)
        for n, name in enumerate(candidates):
            statement = "Je connais bien le quartier et je suis là le samedi au marché."
            self.at(start + timedelta(days=1 + n), partial(self.stand, "past", name, statement))
        taken = set(MEDIATORS) | self.card_holders
        voters = [name for name in self.planner.index if name not in taken]
        voters = self.joined_before(voters, start)[: len(PAST_BALLOTS)]
        for n, (name, grades) in enumerate(zip(voters, PAST_BALLOTS, strict=False)):
            when = start + timedelta(days=12, hours=1 + n % 6, minutes=7 * n)
            self.at(when, partial(self.cast, "past", name, dict(zip(candidates, grades, strict=False))))
        self.at(start + timedelta(days=19, hours=1), partial(self.close, "past"))

    def plan_open_election(self, start: datetime) -> None:
        title = "Médiation de la Maison de quartier"
        self.at(start, partial(self.announce_election, "open", title, start, 8, 7))
        candidates = self.joined_before(OPEN_CANDIDATES, start)
        for n, name in enumerate(candidates):
            self.at(
                start + timedelta(days=1 + n),
                partial(self.stand, "open", name, "Pour que chacun trouve sa place."),
            )
        for n, (name, grades) in enumerate(EARLY_VOTERS):
            if self.joined_before([name], start):
                when = start + timedelta(days=8, hours=2 + n)
                self.at(when, partial(self.cast, "open", name, dict(zip(candidates, grades, strict=False))))

    def stand(self, key: str, name: str, statement: str) -> None:
        self.elections.stand(self.ids[key], self.member(name), statement)

    def cast(self, key: str, name: str, grades: dict[str, int | None]) -> None:
        ballot = {self.member(candidate): grade for candidate, grade in grades.items()}
        self.elections.cast(self.ids[key], self.member(name), ballot)

    def close(self, key: str) -> None:
        self.elections.close(self.admin(), self.ids[key])
