"""« Tirages et élections »: the open draws, the current elections and the recent results (route "civic").

With a member's session, an open draw offers « Je me porte volontaire » (route "draw_volunteer") or, once
volunteered, the member's ticket with « Voir mon ticket » and « Me retirer » (before the cut-off); an
election in its candidacy period offers « Me présenter » (route "election_candidacy"); an open election
says where to vote — at the polling station, with a librarian as assessor: at this kiosk, at the booth
kiosk, or at any kiosk linked to the hub. Results open "draw_result" / "election_result".

Without a card the page is public: the same lists without the member's buttons, and a word on how to
take part (as the workshops list does); results are for everyone — the point of a draw anyone can check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty

from kiosk.errors import KioskError
from kiosk.i18n import _
from screens import governance_widgets as gov
from screens.base import KioskScreen
from screens.board_model import ThemeLabels
from screens.governance_widgets import InfoCard
from screens.tr import tr
from screens.widgets import buttons, scroll, text  # noqa: F401  (kv rules use them)
from screens.widgets.text import Heading

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

RESULTS_SHOWN = 5


class CivicSection(Heading):
    """The title of one part of the page (« Tirages au sort ouverts »…)."""


def vote_place_text(mode: str, booth_kiosk: str | None, this_kiosk: str) -> str:
    """Where an open election is voted: the booth kiosk, or any kiosk that reaches the hub."""
    if mode == "hub":
        where = _("à n’importe quelle borne du collectif reliée au hub")
    elif booth_kiosk == this_kiosk:
        where = _("ici, à cette borne")
    else:
        where = _("à la borne du bureau de vote (pas celle-ci)")
    return _("Voter : au bureau de vote, avec un·e bibliothécaire — {where}.").format(where=where)


class CivicScreen(KioskScreen):
    has_member = BooleanProperty(False)
    empty = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()

    def prepare(self, **_params: Any) -> None:
        self.fill()

    def refresh_language(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.fill()

    def wipe(self) -> None:
        self.ids.rows.clear_widgets()
        self.has_member = False

    def cards(self) -> list[InfoCard]:
        return [child for child in reversed(self.ids.rows.children) if isinstance(child, InfoCard)]

    def card_for(self, value: str, section: str = "") -> InfoCard | None:
        """The card of a draw or an election (`section`: "draws", "elections" or "results")."""
        return next(
            (c for c in self.cards() if c.value == value and (not section or c.section == section)), None
        )

    # --- filling -----------------------------------------------------------------------------------------

    def fill(self) -> None:
        member = self.session.member
        self.has_member = member is not None
        box = self.ids.rows
        box.clear_widgets()
        draws = self.ctx.services.draws
        elections = self.ctx.services.elections
        open_draws = draws.open_draws()
        current = elections.current()
        results = [d for d in draws.recent_draws() if str(d.status) != "open"][:RESULTS_SHOWN]
        closed = self._closed_elections()
        self.empty = not (open_draws or current or results or closed)
        if open_draws:
            box.add_widget(CivicSection(text=_("Tirages au sort ouverts")))
            for draw in open_draws:
                box.add_widget(self._open_draw_card(draw))
        if current:
            box.add_widget(CivicSection(text=_("Élections en cours")))
            for election in current:
                box.add_widget(self._election_card(election))
        if results or closed:
            box.add_widget(CivicSection(text=_("Résultats récents")))
            for draw in results:
                box.add_widget(self._result_card(draw))
            for election in closed:
                box.add_widget(self._election_result_card(election))

    def _closed_elections(self) -> list[Any]:
        """Elections a librarian closed (the box counted, or destroyed when too few voted)."""
        return [e for e in self.ctx.services.elections.recent() if e.counted][:RESULTS_SHOWN]

    def _card(self, section: str, value: str, title: str, detail: str, status: str = "") -> InfoCard:
        return InfoCard(title=title, detail=detail, status=status, value=value, section=section)

    def _open_draw_card(self, draw: Any) -> InfoCard:
        now = self.ctx.clock.now()
        theme = self._labels.label(draw.theme_id, tr.language)
        detail = "\n".join(
            (
                f"{theme} — {gov.seats_text(int(draw.seats))}",
                _("Volontariat jusqu’au {when}").format(when=gov.deadline_text(draw.cutoff, now)),
                gov.volunteers_text(int(draw.volunteers)),
            )
        )
        member = self.session.member
        ticket = self.ctx.services.draws.ticket_of(draw.id, member.id) if member is not None else None
        status = _("Votre ticket : {ticket}").format(ticket=ticket) if ticket else ""
        card = self._card("draws", draw.id, draw.title, detail, status)
        if member is None:
            return card
        if ticket:
            card.first_text, card.first_kind, card.first_icon = _("Voir mon ticket"), "secondary", "eye"
            card.second_text, card.second_icon = _("Me retirer"), "cross"
            card.handlers = {
                "first": lambda: self.open_volunteer(draw.id),
                "second": lambda: self.withdraw(draw.id),
            }
        else:
            card.first_text, card.first_icon = _("Je me porte volontaire"), "check"
            card.handlers = {"first": lambda: self.open_volunteer(draw.id)}
        return card

    def _election_card(self, election: Any) -> InfoCard:
        now = self.ctx.clock.now()
        status = str(election.status)
        member = self.session.member
        if status == "candidacy":
            detail = _("Candidatures jusqu’au {when}").format(
                when=gov.deadline_text(election.candidacy_until, now)
            )
            line = _("Vote du {start} au {end}").format(
                start=gov.deadline_text(election.opens_at, now),
                end=gov.deadline_text(election.closes_at, now),
            )
            card = self._card("elections", election.id, election.title, f"{detail}\n{line}")
            if member is not None and now < gov.moment(election.candidacy_until):
                card.first_text, card.first_icon = _("Me présenter"), "person-add"
                card.handlers = {
                    "first": lambda: self.shell.go("election_candidacy", election_id=election.id)
                }
            return card
        if status == "closed":  # past its closing time, not counted yet
            detail = _("Vote terminé le {when} ; le résultat sera publié après le dépouillement.").format(
                when=gov.deadline_text(election.closes_at, now)
            )
            return self._card("elections", election.id, election.title, detail)
        detail = _("Vote jusqu’au {when}").format(when=gov.deadline_text(election.closes_at, now))
        where = vote_place_text(str(election.mode), election.kiosk_id, self.ctx.services.kiosk_id)
        voted = member is not None and self._has_voted(election.id, member.id)
        return self._card(
            "elections",
            election.id,
            election.title,
            f"{detail}\n{where}",
            _("Vous avez voté. Merci !") if voted else "",
        )

    def _has_voted(self, election_id: str, member_id: str) -> bool:
        try:
            return str(self.ctx.services.elections.voter_status(election_id, member_id)) == "already_voted"
        except KioskError:
            return False

    def _result_card(self, draw: Any) -> InfoCard:
        theme = self._labels.label(draw.theme_id, tr.language)
        status = str(draw.status)
        detail = f"{theme} — {_(gov.DRAW_STATUS.get(status, status))}"
        card = self._card("results", draw.id, draw.title, detail)
        card.first_text, card.first_kind = (
            (_("Voir le résultat"), "primary")
            if status == "performed"
            else (_("Voir le tirage"), "secondary")
        )
        card.handlers = {"first": lambda: self.shell.go("draw_result", draw_id=draw.id)}
        return card

    def _election_result_card(self, election: Any) -> InfoCard:
        card = self._card("results", election.id, election.title, _("Élection close"))
        card.first_text = _("Voir le résultat")
        card.handlers = {"first": lambda: self.shell.go("election_result", election_id=election.id)}
        return card

    # --- acts ----------------------------------------------------------------------------------------------

    def open_volunteer(self, draw_id: str) -> None:
        self.shell.go("draw_volunteer", draw_id=draw_id)

    def withdraw(self, draw_id: str) -> None:
        member = self.session.member
        if member is None:
            return
        try:
            self.ctx.services.draws.withdraw(draw_id, member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(_("Vous n’êtes plus volontaire pour ce tirage. Votre ticket est annulé."), "info")
        self.fill()
