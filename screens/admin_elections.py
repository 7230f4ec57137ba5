"""« Élections » (route "admin_elections", admin session): the librarian's elections by majority judgment.

- The list: every election with its state (candidacies, vote open, to close, closed).
- « Annoncer une élection », one question per step: title (keyboard) → theme (optional) → seats and
  where the vote happens — « Sur cette borne seulement » (offline, one booth: an offline kiosk cannot see a
  vote cast at another) or « Sur toutes les bornes (hub nécessaire) » (the hub checks every card) → dates
  by chips (end of candidacies, opening, length of the vote) → summary → services.elections.announce.
- One election: « Ouvrir le bureau de vote » → "ballot_booth"; once its closing time has passed,
  « Clore le vote » with a second confirmation that says what happens to the box → "election_result".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.domain_governance import MAX_SEATS, ElectionMode, ElectionStatus, ElectionView
from kiosk.errors import KioskError
from kiosk.governance.majority import PUBLISH_MIN_VOTERS
from kiosk.i18n import N_, _
from kiosk.text import clean
from screens.admin2_widgets import Stepper  # noqa: F401  (kv rules use it)
from screens.admin_widgets import AdminRow, AdminScreen
from screens.board_model import ThemeLabels
from screens.election_candidacy import MODE_WORDS, count_words, period_text, vote_period_text, when_text
from screens.election_result import voters_text
from screens.tr import tr

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

FORM_STEPS = ("title", "theme", "setup", "dates", "summary")
TITLE_MIN, TITLE_MAX = 2, 80
NO_THEME = "__none__"
CANDIDACY_DAYS = (3, 7, 14)  # candidacies end that many days from today, at CANDIDACY_END
OPENING_GAPS = (1, 2, 7)  # the vote opens that many days after the candidacies end, at VOTE_OPENS
VOTE_DAYS = (1, 3, 7, 14)  # the vote lasts that many days, closing at VOTE_CLOSES on the last one
DEFAULT_DATES = (CANDIDACY_DAYS[0], OPENING_GAPS[0], VOTE_DAYS[0])
CANDIDACY_END, VOTE_OPENS, VOTE_CLOSES = time(18, 0), time(9, 0), time(19, 0)
STATE_BADGES = {
    "candidacy": N_("Candidatures"),
    "open": N_("Vote ouvert"),
    "to_close": N_("À clore"),
    "closed": N_("Close"),
}


def state_of(election: ElectionView) -> str:
    """The list's word: past its closing time, a vote waits for a librarian to close (and count) it."""
    if election.status is ElectionStatus.CLOSED:
        return "closed" if election.counted else "to_close"
    return str(election.status)


class AdminElectionsScreen(AdminScreen):
    step = StringProperty("list")
    nothing_yet = BooleanProperty(False)
    # one election
    detail_title = StringProperty("")
    detail_text = StringProperty("")
    can_open_booth = BooleanProperty(False)
    can_close = BooleanProperty(False)
    can_see_result = BooleanProperty(False)
    close_warning = StringProperty("")
    # the announcement form
    title_ok = BooleanProperty(False)
    title_max = NumericProperty(TITLE_MAX)
    theme_choices = ListProperty([])
    seats = NumericProperty(1)
    max_seats = NumericProperty(MAX_SEATS)
    mode = StringProperty(ElectionMode.KIOSK.value)
    mode_note = StringProperty("")
    candidacy_choices = ListProperty([])
    opening_choices = ListProperty([])
    length_choices = ListProperty([])
    dates_text = StringProperty("")
    summary = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels = ThemeLabels()
        self.election: ElectionView | None = None
        self.theme_id = NO_THEME
        self.candidacy_days, self.opening_gap, self.vote_days = DEFAULT_DATES

    # --- the shell's contract -------------------------------------------------------------------------

    def fill(self, **_params: Any) -> None:
        self.election = None
        self._fill_list()
        self._go_to("list")

    def wipe(self) -> None:
        self.election = None
        self.ids.rows.clear_widgets()
        self.ids.title_field.text = ""
        self.summary = self.detail_text = self.detail_title = ""
        self._go_to("list")

    def on_pre_enter(self, *_args: object) -> None:
        """Back from the booth or a result: the election moved on meanwhile (votes, closing time)."""
        if self.session.admin and self.step == "detail" and self.election is not None:
            self._fill_detail()

    def refresh_language(self) -> None:
        if not self.session.admin:
            return
        self._fill_form_choices()
        if self.step == "list":
            self._fill_list()
        elif self.election is not None:
            self._fill_detail()
        self._fill_summary()

    # --- the list and one election --------------------------------------------------------------------

    def _fill_list(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        elections = self.ctx.services.elections.recent()
        self.nothing_yet = not elections
        for election in elections:
            row = AdminRow(
                title=election.title,
                detail=self._when_line(election),
                badge=_(STATE_BADGES[state_of(election)]),
                icon="people",
                value=election.id,
            )
            row.bind(on_release=lambda pressed: self.open_election(pressed.value))
            box.add_widget(row)

    def rows(self) -> list[AdminRow]:
        return [row for row in reversed(self.ids.rows.children) if isinstance(row, AdminRow)]

    def row_for(self, election_id: str) -> AdminRow | None:
        return next((row for row in self.rows() if row.value == election_id), None)

    def _when_line(self, election: ElectionView) -> str:
        now = self.ctx.clock.now()
        state = state_of(election)
        count = int(election.voters)
        voters = (
            count_words(count, N_("1 votant·e"), N_("{count} votant·es")) if count else _("aucun·e votant·e")
        )
        if state == "candidacy":
            return _("Candidatures jusqu’au {when}").format(when=when_text(election.candidacy_until, now))
        if state == "open":
            return _("Vote jusqu’au {when} — {voters}").format(
                when=when_text(election.closes_at, now), voters=voters
            )
        if state == "to_close":
            return _("Vote terminé le {when} — {voters}").format(
                when=when_text(election.closes_at, now), voters=voters
            )
        return voters

    def open_election(self, election_id: str) -> None:
        try:
            self.election = self.ctx.services.elections.get(election_id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self._fill_detail()
        self._go_to("detail")

    def _fill_detail(self) -> None:
        if self.election is None:
            return
        services = self.ctx.services
        self.election = election = services.elections.get(self.election.id)
        now = self.ctx.clock.now()
        at_booth = election.mode is ElectionMode.HUB or election.kiosk_id == services.kiosk_id
        names = [c.pseudonym for c in services.elections.candidates(election.id)]
        lines = [
            _(MODE_WORDS[election.mode][0]),
            _("Candidatures jusqu’au {when}").format(when=when_text(election.candidacy_until, now)),
            vote_period_text(election.opens_at, election.closes_at, now),
            _("Candidat·es : {names}").format(
                names=", ".join(names) if names else _("personne pour l’instant")
            ),
            voters_text(int(election.voters)),
        ]
        state = state_of(election)
        if not at_booth:
            lines.append(_("Le bureau de vote est sur une autre borne : c’est là qu’on vote et qu’on clôt."))
        elif state == "open":
            lines.append(
                _("Le vote pourra être clos à partir du {when}.").format(
                    when=when_text(election.closes_at, now)
                )
            )
        self.detail_title = election.title
        self.detail_text = "\n".join(lines)
        self.can_open_booth = state == "open" and at_booth
        self.can_close = state == "to_close" and at_booth
        self.can_see_result = state == "closed"

    def open_booth(self) -> None:
        if self.election is not None:
            self.shell.go("ballot_booth", election_id=self.election.id)

    def see_result(self) -> None:
        if self.election is not None:
            self.shell.go("election_result", election_id=self.election.id)

    def ask_close(self) -> None:
        election = self.election
        if election is None:
            return
        voters = int(election.voters)
        said = voters_text(voters)
        if election.mode is ElectionMode.HUB:
            what = _("Le hub dépouille l’urne et publie le résultat.")
        elif voters < PUBLISH_MIN_VOTERS:
            what = _(
                "Moins de 5 votants : l’urne sera détruite sans être lue, pour garder le secret."
                " Le vote ne sera pas dépouillé."
            )
        else:
            what = _("Les bulletins seront mélangés puis publiés : chacun pourra recompter.")
        self.close_warning = f"{said} {_('Une fois clos, plus personne ne peut voter.')}\n{what}"
        self._go_to("confirm_close")

    def close_vote(self) -> None:
        election = self.election
        if election is None:
            return
        try:
            self.ctx.services.elections.close(self.actor_id, election.id)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self._fill_detail()
        self._go_to("detail")
        self.shell.go("election_result", election_id=election.id)

    def back_to_list(self) -> None:
        self.election = None
        self._fill_list()
        self._go_to("list")

    # --- announcing one -------------------------------------------------------------------------------

    def start_form(self) -> None:
        self.ids.title_field.text = ""
        self.theme_id = NO_THEME
        self.seats = 1
        self.mode = ElectionMode.KIOSK.value
        self.candidacy_days, self.opening_gap, self.vote_days = DEFAULT_DATES
        self._fill_form_choices()
        self.title_typed()
        self._go_to("title")

    def _fill_form_choices(self) -> None:
        language = tr.language
        self.theme_choices = [(NO_THEME, _("Aucun thème"))] + [
            (theme.id, theme.label(language)) for theme in self._labels.top_themes()
        ]
        self.candidacy_choices = [(days, period_text(days)) for days in CANDIDACY_DAYS]
        self.opening_choices = [
            (days, _("Le lendemain") if days == 1 else _("{period} après").format(period=period_text(days)))
            for days in OPENING_GAPS
        ]
        self.length_choices = [(days, period_text(days)) for days in VOTE_DAYS]
        self.ids.theme_chips.selected = [self.theme_id]
        self.ids.candidacy_chips.selected = [self.candidacy_days]
        self.ids.opening_chips.selected = [self.opening_gap]
        self.ids.length_chips.selected = [self.vote_days]
        for mode, row in ((ElectionMode.KIOSK, self.ids.mode_kiosk), (ElectionMode.HUB, self.ids.mode_hub)):
            row.title, row.detail = _(MODE_WORDS[mode][0]), _(MODE_WORDS[mode][1])
        self.mode_note = "" if self.ctx.hub_url() else _("Cette borne n’est pas encore reliée à un hub.")
        self._show_dates()

    def form_back(self) -> None:
        index = FORM_STEPS.index(self.step)
        self._go_to("list" if index == 0 else FORM_STEPS[index - 1])

    def form_next(self) -> None:
        index = FORM_STEPS.index(self.step)
        if self.step == "title" and not self.title_ok:
            return
        if index + 1 < len(FORM_STEPS):
            self._go_to(FORM_STEPS[index + 1])

    def title_typed(self) -> None:
        self.title_ok = TITLE_MIN <= len(clean(self.ids.title_field.text)) <= TITLE_MAX

    def choose_theme(self, value: str) -> None:
        self.theme_id = value

    def step_seats(self, delta: int) -> None:
        self.seats = min(MAX_SEATS, max(1, int(self.seats) + delta))

    def choose_mode(self, mode: str) -> None:
        self.mode = mode

    def choose_candidacy(self, days: int) -> None:
        self.candidacy_days = int(days)
        self._show_dates()

    def choose_opening(self, days: int) -> None:
        self.opening_gap = int(days)
        self._show_dates()

    def choose_length(self, days: int) -> None:
        self.vote_days = int(days)
        self._show_dates()

    def moments(self) -> tuple[datetime, datetime, datetime]:
        """(end of candidacies, opening, closing) from the chips, on the kiosk's clock."""
        now = self.ctx.clock.now()
        zone = now.tzinfo
        until_day = now.date() + timedelta(days=self.candidacy_days)
        opens_day = until_day + timedelta(days=self.opening_gap)
        closes_day = opens_day + timedelta(days=self.vote_days - 1)
        return (
            datetime.combine(until_day, CANDIDACY_END, tzinfo=zone),
            datetime.combine(opens_day, VOTE_OPENS, tzinfo=zone),
            datetime.combine(closes_day, VOTE_CLOSES, tzinfo=zone),
        )

    def _show_dates(self) -> None:
        now = self.ctx.clock.now()
        until, opens, closes = self.moments()
        self.dates_text = "\n".join(
            (
                _("Candidatures jusqu’au {when}").format(when=when_text(until, now)),
                vote_period_text(opens, closes, now),
            )
        )
        self._fill_summary()

    def _fill_summary(self) -> None:
        title = clean(self.ids.title_field.text)
        if not title:
            self.summary = ""
            return
        theme = (
            _("sans thème") if self.theme_id == NO_THEME else self._labels.label(self.theme_id, tr.language)
        )
        seats = count_words(int(self.seats), N_("1 siège"), N_("{count} sièges"))
        mode, why = (_(text) for text in MODE_WORDS[ElectionMode(self.mode)])
        self.summary = f"« {title} » — {theme}, {seats}\n{self.dates_text}\n{mode}\n{why}"

    def announce(self) -> None:
        until, opens, closes = self.moments()
        try:
            election = self.ctx.services.elections.announce(
                self.actor_id,
                self.ids.title_field.text,
                None if self.theme_id == NO_THEME else self.theme_id,
                int(self.seats),
                self.mode,
                until,
                opens,
                closes,
            )
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.after_write()
        self.shell.notify(
            _("L’élection « {title} » est annoncée : les membres peuvent se présenter.").format(
                title=election.title
            ),
            "success",
        )
        self.ids.title_field.text = ""
        self.back_to_list()

    def _go_to(self, step: str) -> None:
        if step == "summary":
            self._fill_summary()
        self.step = step
        self.ids.steps.current = step
        if step == "title":
            self.ids.title_keyboard.target = self.ids.title_field
