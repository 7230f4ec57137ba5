"""« Résultat de l'élection » (route "election_result", `election_id=…`): the merit profile of every
candidate as a chart, the ranking best first (the elected ones marked), and how many voted.

With fewer than 5 voters the vote is not counted — the box was destroyed unread, too few voters to keep
the secret — and the screen says so. A booth election's result is the kiosk's own
(services.elections.result); in mode « hub » the hub holds the box and counts it
(ctx.hub_election_result, off the Kivy thread; the answer comes back on it). When the kiosk knows its
hub, the QR of the hub's public page of the result lets anyone take the shuffled ballots and recount.
Public: no card needed (the results of a vote are everyone's).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.domain_governance import ElectionMode, ElectionView
from kiosk.errors import KioskError
from kiosk.governance.majority import PUBLISH_MIN_VOTERS, MajorityResult, tally
from kiosk.i18n import _
from screens import admin_widgets  # noqa: F401  (kv rules use AdminHeader)
from screens.base import KioskScreen
from screens.context import HubAnswer
from screens.merit_chart import MeritLine
from screens.widgets import buttons, qr_image, scroll, text  # noqa: F401  (kv rules use them)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


def public_link(hub_url: str, election_id: str) -> str:
    """The hub's public page of the result: the ranking and the shuffled ballots, to recount."""
    return f"{hub_url.rstrip('/')}/api/v1/public/elections/{election_id}"


def voters_text(count: int) -> str:
    if count == 0:
        return _("Personne n’a voté.")
    if count == 1:
        return _("1 personne a voté.")
    return _("{count} personnes ont voté.").format(count=count)


def chart_lines(result: MajorityResult, names: Mapping[str, str], seats: int) -> list[MeritLine]:
    """The chart's rows, best first: the first `seats` candidates are elected."""
    return [
        MeritLine(
            candidate=entry.candidate,
            rank=rank,
            name=names.get(entry.candidate, "?"),
            median=entry.median,
            profile=tuple(entry.profile),
            elected=rank <= seats,
        )
        for rank, entry in enumerate(result.ranking, start=1)
    ]


def hub_majority(data: Mapping[str, Any], candidates: Sequence[str], election_id: str) -> MajorityResult:
    """The hub's count, recounted here from its shuffled ballots (what anyone can do with them)."""
    ballots = [ballot["grades"] for ballot in data.get("ballots") or []]
    listed = list(data.get("candidates") or candidates)
    return tally(listed, ballots, str(data.get("tie_seed") or election_id))


class ElectionResultScreen(KioskScreen):
    # loading (asking the hub), unreachable (the hub), not_closed, not_counted (< 5 voters), counted
    state = StringProperty("loading")
    title = StringProperty("")
    summary = StringProperty("")
    note = StringProperty("")  # under the chart: how it reads, a tie broken by the seed
    message = StringProperty("")  # shown instead of the chart ("" when the chart is shown)
    qr_payload = StringProperty("")
    voters = NumericProperty(0)
    has_qr = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.election: ElectionView | None = None
        self.majority: MajorityResult | None = None
        self._asked = itertools.count(1)
        self._waiting_for = 0  # the hub answer the screen still wants (earlier ones are dropped)

    # --- the shell's contract -------------------------------------------------------------------------

    def prepare(self, election_id: str = "", **_params: Any) -> None:
        self.wipe()
        try:
            self.election = self.ctx.services.elections.get(election_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            self.state = "not_closed"
            return
        self.load()

    def wipe(self) -> None:
        self.election = None
        self.majority = None
        self._waiting_for = 0
        self.title = self.summary = self.note = self.qr_payload = self.message = ""
        self.voters = 0
        self.has_qr = False
        self.ids.chart.lines = []
        self.state = "loading"

    def refresh_language(self) -> None:
        if self.election is not None:
            self._show()

    # --- reading the result ---------------------------------------------------------------------------

    def load(self) -> None:
        election = self.election
        if election is None:
            return
        if election.mode is ElectionMode.HUB:
            self.state = "loading"
            self._show()
            asked = self._waiting_for = next(self._asked)
            self.ctx.hub_election_result(election.id, lambda answer: self._hub_answered(asked, answer))
            return
        result = self.ctx.services.elections.result(election.id)
        if result is None:
            self.state = "not_closed"
        elif result.published and result.majority is not None:
            self.majority = result.majority
            self.voters = result.voters
            self.state = "counted"
        else:
            self.voters = result.voters
            self.state = "not_counted"
        self._show()

    def _hub_answered(self, asked: int, answer: HubAnswer) -> None:
        election = self.election
        if asked != self._waiting_for or election is None:
            return  # the screen moved on meanwhile: an old answer changes nothing
        self._waiting_for = 0
        data = answer.data
        if answer.code == "election_open":
            self.state = "not_closed"
        elif not answer.ok or "voters" not in data:
            self.state = "unreachable"
        else:
            self.voters = int(data["voters"])
            if data.get("published") and int(data["voters"]) >= PUBLISH_MIN_VOTERS:
                candidates = [c.member_id for c in self.ctx.services.elections.candidates(election.id)]
                self.majority = hub_majority(data, candidates, election.id)
                self.state = "counted"
            else:
                self.state = "not_counted"
        self._show()

    def _show(self) -> None:
        election = self.election
        if election is None:
            return
        self.message = self._message()
        self.title = election.title
        seats = _("1 siège") if election.seats == 1 else _("{count} sièges").format(count=election.seats)
        self.summary = f"{voters_text(int(self.voters))} {seats}." if self.state != "loading" else ""
        hub = self.ctx.hub_url()
        self.qr_payload = public_link(hub, election.id) if hub and self.state == "counted" else ""
        self.has_qr = bool(self.qr_payload)
        if self.state == "counted" and self.majority is not None:
            names = {c.member_id: c.pseudonym for c in self.ctx.services.elections.candidates(election.id)}
            self.ids.chart.show(chart_lines(self.majority, names, election.seats))
            self.ids.legend.refresh()
            self.note = _(
                "Le trait noir marque la moitié des votes (50 %) : la mention qu’il coupe est la mention"
                " médiane. À mention égale, la suite des mentions médianes départage."
            )
            if self.majority.tie_broken_by_seed:
                self.note += " " + _(
                    "Deux profils identiques ont été départagés par le tirage publié"
                    " (identifiant de l’élection)."
                )
        else:
            self.ids.chart.lines = []
            self.note = ""

    def _message(self) -> str:
        if self.state == "loading":
            return _("Lecture du résultat sur le serveur du collectif…")
        if self.state == "unreachable":
            return _("Hub injoignable : le résultat ne peut pas être lu pour l’instant.")
        if self.state == "not_closed":
            return _(
                "Le vote n’est pas encore clos : le résultat s’affichera quand un·e bibliothécaire l’aura"
                " clos."
            )
        if self.state == "not_counted":
            return _("Trop peu de votants (moins de 5) : le vote n’est pas dépouillé pour garder le secret.")
        return ""
