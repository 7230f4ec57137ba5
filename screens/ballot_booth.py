"""« Bureau de vote » (route "ballot_booth", `election_id=…`): the polling station of one election.

A librarian opens it (admin session) and stays beside it as the assessor: « Passez votre carte pour
voter ». Every card tapped is a voter (`on_identified` takes them all, so the librarian's session stays
open) and the assessor sees only « Peut voter » or « A déjà voté » — or why not here (not open, closed,
another kiosk's vote, the hub out of reach) — never a name, never a ballot. Then the voter's booth: one
candidate per page in the ballot's fixed order, seven large mention buttons (colour and words; a blank
counts as « À rejeter », the page says so), a review page, « Voter » → « A voté », and the next card.

Mode « kiosk »: services.elections.cast (register and box in one transaction). Mode « hub »: no booth
without the hub — each card is checked by ctx.hub_voter_status, the ballot sent by ctx.hub_cast_ballot,
and only the hub's « a_vote » records the signature here (services.elections.record_hub_vote). An answer
that comes back after the screen moved on is dropped.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.domain import Identification, Identified, Member
from kiosk.domain_governance import Candidate, ElectionMode, ElectionStatus, ElectionView, VoterStatus
from kiosk.errors import KioskError, codes
from kiosk.governance.majority import MENTIONS
from kiosk.i18n import N_, _
from screens import overlays
from screens.admin_widgets import AdminScreen
from screens.context import HubAnswer
from screens.election_result import voters_text
from screens.merit_chart import MentionButton, ReviewRow, grade_name
from screens.sounds import REFUSAL, SUCCESS

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

VOTED_SECONDS = 6  # « A voté » stays this long, then the booth waits for the next card

# Why a card cannot vote here (keys: VoterStatus values, hub codes)
REFUSALS = {
    "not_open": N_("Le vote n’est pas encore ouvert."),
    "closed": N_("Le vote est clos."),
    "other_kiosk": N_("Ce vote a lieu à la borne du bureau de vote, pas sur celle-ci."),
    "unreachable": N_("Hub injoignable : impossible de vérifier. Personne ne peut voter ici pour l’instant."),
    "unknown_election": N_("Le hub ne connaît pas encore ce vote : synchronisez la borne, puis réessayez."),
    "unknown_member": N_("Le hub ne connaît pas encore cette carte : synchronisez la borne, puis réessayez."),
}
HUB_MISSING = N_(
    "Cette élection se vote avec le hub du collectif, qui empêche un double vote d’une borne à l’autre."
    " Cette borne ne le joint pas : le bureau de vote ne peut pas ouvrir ici."
)
VOTE_IN_PROGRESS = N_("Un vote est en cours : attendez qu’il soit fini, puis passez votre carte.")
HUB_REFUSALS = {"election_not_open": "not_open", "election_closed": "closed"}
CARD_REFUSALS = {Identified.RANDOM_UID: overlays.RANDOM_UID, Identified.UNKNOWN: overlays.UNKNOWN_CARD}


# How long the booth waits, without a touch or a card, before the shell's « Vous êtes encore là ? ».
BOOTH_PATIENCE_S = 15 * 60


def hub_verdict(answer: HubAnswer) -> str:
    """The hub's word on a voter: "can_vote", "already_voted", or a REFUSALS key."""
    if answer.code == "already_voted" or answer.data.get("voted") is True:
        return "already_voted"
    if answer.code == "can_vote" or (answer.ok and answer.data.get("voted") is False):
        return "can_vote"
    # network, timeout, not paired, any other refusal: « unreachable », and nobody votes unchecked
    return HUB_REFUSALS.get(answer.code, answer.code if answer.code in REFUSALS else "unreachable")


class BallotBoothScreen(AdminScreen):
    step = StringProperty("wait")
    election_title = StringProperty("")
    where_text = StringProperty("")
    voters_text = StringProperty("")
    blocked = StringProperty("")  # why this booth cannot take votes now ("" when it can)
    verdict = StringProperty("")  # "can_vote", "already_voted" or "refused"
    verdict_detail = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(0)
    page_caption = StringProperty("")
    candidate_name = StringProperty("")
    candidate_statement = StringProperty("")
    chosen = NumericProperty(-1)  # the mention chosen on this page, -1 while blank
    sending = BooleanProperty(False)
    mention_choices = ListProperty([])

    @property
    def idle_patience_s(self) -> float:
        """While the booth waits for the next voter the assessor stays, often minutes without a touch:
        the shell waits BOOTH_PATIENCE_S before its countdown. A voter mid-ballot: the usual delay."""
        return BOOTH_PATIENCE_S if self.step == "wait" else 0.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.election: ElectionView | None = None
        self.candidates: list[Candidate] = []
        self.voter_id: str | None = None
        self.grades: dict[str, int] = {}
        self._asked = itertools.count(1)
        self._waiting_for = 0  # the hub answer still wanted; any other is stale
        self._back_to_wait: ClockEvent | None = None
        self.verdict_detail_key = ""  # the REFUSALS key of a refusal, to say it again in another language
        for grade in range(len(MENTIONS)):
            button = MentionButton(grade=grade)
            button.bind(on_release=lambda pressed: self.choose(int(pressed.grade)))
            self.ids.mentions.add_widget(button)

    # --- the shell's contract -------------------------------------------------------------------------

    def fill(self, election_id: str = "", **_params: Any) -> None:
        self._forget_voter()
        try:
            self.election = self.ctx.services.elections.get(election_id)
            self.candidates = self.ctx.services.elections.candidates(election_id)
        except KioskError as error:
            self.election, self.candidates = None, []
            self.shell.notify(error.text(), "error")
            self.blocked = error.text()
            self._go_to("wait")
            return
        self.refresh_language()
        self._go_to("wait")

    def wipe(self) -> None:
        self._forget_voter()
        self.election, self.candidates = None, []
        self.election_title = self.where_text = self.voters_text = self.blocked = ""
        self._go_to("wait")

    def refresh_language(self) -> None:
        election = self.election
        if election is None:
            return
        self.election = election = self.ctx.services.elections.get(election.id)
        self.election_title = election.title
        if election.mode is ElectionMode.HUB:
            self.where_text = _("Vote relié au hub : chaque carte est vérifiée auprès du hub du collectif.")
        else:
            self.where_text = _("Vote sur cette borne seulement : l’urne est ici.")
        self.voters_text = voters_text(int(election.voters))
        self.blocked = self._why_blocked(election)
        self.mention_choices = [grade_name(grade) for grade in range(len(MENTIONS))]
        if self.verdict:
            self._show_verdict(self.verdict, self.verdict_detail_key)
        if self.step == "grade":
            self._show_page()
        if self.step == "review":
            self._fill_review()

    def _why_blocked(self, election: ElectionView) -> str:
        if not self.candidates:
            return KioskError(codes.NO_CANDIDATES).text()
        if election.mode is ElectionMode.KIOSK and election.kiosk_id != self.ctx.services.kiosk_id:
            return _(REFUSALS["other_kiosk"])
        if election.status is ElectionStatus.CANDIDACY:
            return _(REFUSALS["not_open"])
        if election.status is ElectionStatus.CLOSED:
            return _(REFUSALS["closed"])
        if election.mode is ElectionMode.HUB and not self.ctx.hub_url():
            return _(HUB_MISSING)
        return ""

    # --- a card at the booth ----------------------------------------------------------------------------

    def on_identified(self, identification: Identification) -> bool:
        """Every card tapped here is a voter: the librarian's session stays open whatever happens."""
        if self.step in ("grade", "review") or self.sending or self.step == "checking":
            self.shell.notify(_(VOTE_IN_PROGRESS), "info")
            return True
        if identification.outcome is Identified.MEMBER and identification.member is not None:
            self._check(identification.member)
        else:
            self._refuse_card(identification)
        return True

    def _refuse_card(self, identification: Identification) -> None:
        if identification.refusal is not None:  # a pass: its own reason
            text = identification.refusal.text()
        elif identification.outcome is Identified.REVOKED:
            text = KioskError(codes.CARD_REVOKED).text()
        else:
            text = _(CARD_REFUSALS.get(identification.outcome, overlays.INVALID_PASS))
        self.shell.notify(text, "error")

    def _check(self, member: Member) -> None:
        election = self.election
        self._cancel_back_to_wait()
        self._forget_voter()
        if election is None:
            return
        self.election = election = self.ctx.services.elections.get(election.id)
        self.blocked = self._why_blocked(election)
        if self.blocked:
            self._show_verdict("refused", "")
            return
        status = self.ctx.services.elections.voter_status(election.id, member.id)
        if status is VoterStatus.HUB_NEEDED:
            asked = self._waiting_for = next(self._asked)
            self._go_to("checking")
            self.ctx.hub_voter_status(
                election.id, member.id, lambda answer: self._hub_checked(asked, member.id, answer)
            )
            return
        self._answer(member.id, str(status))

    def _hub_checked(self, asked: int, member_id: str, answer: HubAnswer) -> None:
        if asked != self._waiting_for or self.step != "checking":
            return  # cancelled, or the session ended meanwhile
        self._waiting_for = 0
        self._answer(member_id, hub_verdict(answer))

    def _answer(self, member_id: str, verdict: str) -> None:
        """`verdict`: "can_vote", "already_voted", or a REFUSALS key."""
        if verdict == "can_vote":
            self.voter_id = member_id
        self._show_verdict(verdict if verdict in ("can_vote", "already_voted") else "refused", verdict)

    def _show_verdict(self, verdict: str, reason: str) -> None:
        """What the assessor reads: « Peut voter », « A déjà voté », or why not (`reason`: a REFUSALS key)."""
        self.verdict, self.verdict_detail_key = verdict, reason
        if verdict == "refused":
            self.verdict_detail = _(REFUSALS[reason]) if reason in REFUSALS else self.blocked
        else:
            self.verdict_detail = ""
        if self.step != "verdict":
            self.shell.sounds.play(SUCCESS if verdict == "can_vote" else REFUSAL)
        self._go_to("verdict")

    def cancel_check(self) -> None:
        """« Annuler » / « Personne suivante »: the booth waits for the next card."""
        self._forget_voter()
        self._go_to("wait")

    # --- the voter's booth ----------------------------------------------------------------------------

    def start_ballot(self) -> None:
        if self.voter_id is None or not self.candidates:
            return
        self.grades = {}
        self.page = 0
        self.pages = len(self.candidates)
        self._show_page()
        self._go_to("grade")

    def _show_page(self) -> None:
        candidate = self.candidates[int(self.page)]
        self.page_caption = _("Candidat·e {number} sur {total}").format(
            number=int(self.page) + 1, total=len(self.candidates)
        )
        self.candidate_name = candidate.pseudonym
        self.candidate_statement = candidate.statement
        self.chosen = self.grades.get(candidate.member_id, -1)
        for button in self.mention_buttons():
            button.text = grade_name(int(button.grade))
            button.chosen = int(button.grade) == self.chosen

    def mention_buttons(self) -> list[MentionButton]:
        return [b for b in reversed(self.ids.mentions.children) if isinstance(b, MentionButton)]

    def choose(self, grade: int) -> None:
        if self.step != "grade" or self.voter_id is None:
            return
        self.grades[self.candidates[int(self.page)].member_id] = grade
        self._show_page()

    def next_page(self) -> None:
        if self.page + 1 < len(self.candidates):
            self.page += 1
            self._show_page()
        else:
            self._fill_review()
            self._go_to("review")

    def previous_page(self) -> None:
        """Back one candidate; before the first, the ballot is dropped (nothing was recorded)."""
        if self.page > 0:
            self.page -= 1
            self._show_page()
        else:
            self.cancel_check()

    def back_from_review(self) -> None:
        self.page = len(self.candidates) - 1
        self._show_page()
        self._go_to("grade")

    def edit(self, member_id: str) -> None:
        """A review row tapped: that candidate's page again."""
        index = next((i for i, c in enumerate(self.candidates) if c.member_id == member_id), None)
        if index is None or self.sending:
            return
        self.page = index
        self._show_page()
        self._go_to("grade")

    def _fill_review(self) -> None:
        box = self.ids.review_rows
        box.clear_widgets()
        for candidate in self.candidates:
            grade = self.grades.get(candidate.member_id)
            mention = grade_name(grade or 0)
            if grade is None:
                mention = _("{mention} (laissé vide)").format(mention=mention)
            row = ReviewRow(
                value=candidate.member_id, name=candidate.pseudonym, grade=grade or 0, mention=mention
            )
            row.bind(on_release=lambda pressed: self.edit(pressed.value))
            box.add_widget(row)

    def review_rows(self) -> list[ReviewRow]:
        return [row for row in reversed(self.ids.review_rows.children) if isinstance(row, ReviewRow)]

    def ballot(self) -> dict[str, int]:
        """Every candidate graded: a blank counts as « À rejeter » (0), as the booth said."""
        return {c.member_id: self.grades.get(c.member_id, 0) for c in self.candidates}

    def vote(self) -> None:
        election, voter_id = self.election, self.voter_id
        if election is None or voter_id is None or self.sending:
            return
        if election.mode is ElectionMode.HUB:
            self.sending = True
            asked = self._waiting_for = next(self._asked)
            self.ctx.hub_cast_ballot(
                election.id, voter_id, self.ballot(), lambda answer: self._hub_cast(asked, answer)
            )
            return
        try:
            self.ctx.services.elections.cast(election.id, voter_id, self.ballot())
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            if error.code != codes.INVALID_GRADES.code:
                self.cancel_check()
            return
        self._voted()

    def _hub_cast(self, asked: int, answer: HubAnswer) -> None:
        election, voter_id = self.election, self.voter_id
        if asked != self._waiting_for or election is None or voter_id is None:
            return
        self._waiting_for = 0
        self.sending = False
        if answer.code == "a_vote":
            try:
                self.ctx.services.elections.record_hub_vote(election.id, voter_id)
            except KioskError as error:  # counted by the hub all the same: the voter did vote
                self.shell.notify(error.text(), "info")
            self._voted()
            return
        verdict = hub_verdict(answer)
        if verdict == "unreachable":  # nothing recorded anywhere: the voter may simply try again
            self.shell.notify(
                _("Hub injoignable : votre vote n’a pas été enregistré. Touchez « Voter » pour réessayer."),
                "error",
            )
            return
        refusal = (
            KioskError(codes.ALREADY_VOTED).text() if verdict == "already_voted" else _(REFUSALS[verdict])
        )
        self.shell.notify(refusal, "error")
        self.cancel_check()

    def _voted(self) -> None:
        self.ctx.after_write()
        self._forget_voter()
        self.shell.sounds.play(SUCCESS)
        self._go_to("voted")
        if self.election is not None:
            self.refresh_language()  # the count of voters, for the assessor
        self._back_to_wait = Clock.schedule_once(lambda _dt: self.next_voter(), VOTED_SECONDS)

    def next_voter(self) -> None:
        self._cancel_back_to_wait()
        if self.step == "voted":
            self._go_to("wait")

    # --- housekeeping -----------------------------------------------------------------------------------

    def _forget_voter(self) -> None:
        """Nothing of the last voter stays: not who, not how (their ballot is in the box, or nowhere)."""
        self._cancel_back_to_wait()
        self._waiting_for = 0
        self.voter_id = None
        self.grades = {}
        self.sending = False
        self.verdict = self.verdict_detail = self.verdict_detail_key = ""
        self.candidate_name = self.candidate_statement = self.page_caption = ""
        self.chosen = -1
        self.page = 0
        self.ids.review_rows.clear_widgets()

    def _cancel_back_to_wait(self) -> None:
        if self._back_to_wait is not None:
            self._back_to_wait.cancel()
            self._back_to_wait = None

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
