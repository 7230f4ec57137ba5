"""« Se présenter » (route "election_candidacy", `election_id=…`): a member stands as a candidate in an
election, with a few words of their own (optional, typed on the on-screen keyboard and read at the booth),
or withdraws — until the candidacy deadline (services.elections.stand / withdraw_candidacy).

Without `election_id` the screen first lists the elections still taking candidates. A member's card is
needed (the shell's session); without it the person is sent home with a word on how to take part.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.domain_governance import STATEMENT_MAX, ElectionMode, ElectionStatus, ElectionView
from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens import admin2_words as words
from screens.admin_widgets import AdminRow
from screens.base import KioskScreen
from screens.widgets import buttons, keyboard, scroll, text  # noqa: F401  (kv rules use them)

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

MODE_WORDS = {
    ElectionMode.KIOSK: (
        N_("Sur cette borne seulement"),
        N_(
            "On vote ici, même sans réseau. Une borne hors ligne ne peut pas voir un vote fait sur une"
            " autre : un seul bureau de vote garantit un seul vote par personne."
        ),
    ),
    ElectionMode.HUB: (
        N_("Sur toutes les bornes (hub nécessaire)"),
        N_(
            "On vote à n’importe quelle borne du collectif : chacune demande au hub si la carte a déjà voté."
            " Sans réseau au moment du vote, personne ne peut voter."
        ),
    ),
}
# Read at the booth on one page beside seven buttons: a few words, far under what the core accepts.
STATEMENT_SHOWN_MAX = min(STATEMENT_MAX, 200)


def local(moment: datetime | str, now: datetime) -> datetime:
    """A moment (or its ISO text) on the kiosk's clock."""
    return (moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)).astimezone(now.tzinfo)


def when_text(moment: datetime | str, now: datetime) -> str:
    """« samedi 12 décembre à 18 h 00 »."""
    return words.when_text(local(moment, now))


def vote_period_text(opens: datetime | str, closes: datetime | str, now: datetime) -> str:
    """« Vote le dimanche 29 novembre, de 9 h 00 à 19 h 00 », or « Vote du … au … » over several days."""
    start, end = local(opens, now), local(closes, now)
    if start.date() == end.date():
        return _("Vote le {day}, de {start} à {end}").format(
            day=words.day_text(start.date()), start=words.clock_text(start), end=words.clock_text(end)
        )
    return _("Vote du {start} au {end}").format(start=words.when_text(start), end=words.when_text(end))


def period_text(days: int) -> str:
    """« 1 jour », « 3 jours », « 1 semaine », « 2 semaines »."""
    if days % 7 == 0:
        return count_words(days // 7, N_("1 semaine"), N_("{count} semaines"))
    return count_words(days, N_("1 jour"), N_("{count} jours"))


def count_words(count: int, one: str, many: str) -> str:
    return _(one) if count == 1 else _(many).format(count=count)


def seats_text(seats: int) -> str:
    return _("1 siège à pourvoir") if seats == 1 else _("{count} sièges à pourvoir").format(count=seats)


class ElectionCandidacyScreen(KioskScreen):
    step = StringProperty("detail")  # pick → detail → statement
    title = StringProperty("")
    dates = StringProperty("")
    candidates_text = StringProperty("")
    mine = StringProperty("")  # « Vous êtes candidat·e » and the member's words, "" when not standing
    standing = BooleanProperty(False)
    can_change = BooleanProperty(False)  # before the candidacy deadline
    nothing_to_pick = BooleanProperty(False)
    statement_max = NumericProperty(STATEMENT_SHOWN_MAX)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.election: ElectionView | None = None

    # --- the shell's contract -------------------------------------------------------------------------

    def prepare(self, election_id: str = "", **_params: Any) -> None:
        self.wipe()
        if self.session.member is None:
            Clock.schedule_once(lambda _dt: self._no_member(), 0)  # the shell is still switching here
            return
        if election_id:
            self.open_election(election_id)
        else:
            self._fill_choices()
            self._go_to("pick")

    def _no_member(self) -> None:
        self.shell.notify(_("Passez votre carte pour vous présenter à une élection."), "info")
        self.shell.home()

    def wipe(self) -> None:
        self.election = None
        self.title = self.dates = self.candidates_text = self.mine = ""
        self.standing = self.can_change = False
        self.ids.statement_field.text = ""
        self.ids.choices.clear_widgets()
        self._go_to("detail")

    def refresh_language(self) -> None:
        if self.election is not None:
            self._fill_detail()
        elif self.step == "pick" and self.session.member is not None:
            self._fill_choices()

    # --- which election -------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        box = self.ids.choices
        box.clear_widgets()
        now = self.ctx.clock.now()
        open_ones = [
            e
            for e in self.ctx.services.elections.current()
            if now < datetime.fromisoformat(e.candidacy_until) and e.status is not ElectionStatus.CLOSED
        ]
        self.nothing_to_pick = not open_ones
        for election in open_ones:
            row = AdminRow(
                title=election.title,
                detail=_("Candidatures jusqu’au {when}").format(
                    when=when_text(election.candidacy_until, now)
                ),
                icon="person-add",
                value=election.id,
            )
            row.bind(on_release=lambda pressed: self.open_election(pressed.value))
            box.add_widget(row)

    def choice_rows(self) -> list[AdminRow]:
        return [row for row in reversed(self.ids.choices.children) if isinstance(row, AdminRow)]

    def open_election(self, election_id: str) -> None:
        try:
            self.election = self.ctx.services.elections.get(election_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self._fill_detail()
        self._go_to("detail")

    def back_from_detail(self) -> None:
        if self.choice_rows():
            self.election = None
            self._go_to("pick")
        else:
            self.shell.back()

    # --- the election, and the member's candidacy ------------------------------------------------------

    def _fill_detail(self) -> None:
        election, member = self.election, self.session.member
        if election is None or member is None:
            return
        services = self.ctx.services
        self.election = election = services.elections.get(election.id)
        now = self.ctx.clock.now()
        self.title = election.title
        self.dates = "\n".join(
            (
                _("Candidatures jusqu’au {when}").format(when=when_text(election.candidacy_until, now)),
                vote_period_text(election.opens_at, election.closes_at, now),
                seats_text(int(election.seats)),
            )
        )
        candidates = services.elections.candidates(election.id)
        names = [c.pseudonym for c in candidates]
        self.candidates_text = _("Candidat·es : {names}").format(
            names=", ".join(names) if names else _("personne pour l’instant")
        )
        mine = next((c for c in candidates if c.member_id == member.id), None)
        self.standing = mine is not None
        if mine is None:
            self.mine = ""
        elif mine.statement:
            self.mine = _("Vous êtes candidat·e. Votre présentation : « {words} »").format(
                words=mine.statement
            )
        else:
            self.mine = _("Vous êtes candidat·e, sans présentation.")
        self.can_change = (
            now < datetime.fromisoformat(election.candidacy_until)
            and election.status is not ElectionStatus.CLOSED
        )

    def want_to_stand(self) -> None:
        self.ids.statement_field.text = ""
        self._go_to("statement")

    def back_from_statement(self) -> None:
        self._go_to("detail")

    def stand(self) -> None:
        election, member = self.election, self.session.member
        if election is None or member is None:
            return
        try:
            self.ctx.services.elections.stand(election.id, member.id, self.ids.statement_field.text)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("Vous êtes candidat·e ! Votre nom sera sur le bulletin de « {title} ».").format(
                title=election.title
            ),
            "success",
        )
        self.ids.statement_field.text = ""
        self._fill_detail()
        self._go_to("detail")

    def withdraw(self) -> None:
        election, member = self.election, self.session.member
        if election is None or member is None:
            return
        try:
            self.ctx.services.elections.withdraw_candidacy(election.id, member.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("Votre candidature est retirée. Vous pouvez revenir d’ici la date limite."), "info"
        )
        self._fill_detail()

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
        if step == "statement":
            self.ids.statement_keyboard.target = self.ids.statement_field
