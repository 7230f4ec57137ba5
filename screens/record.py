"""« Enregistrer un échange » (route "record"): what happened → what about → with whom → how long and
when → summary → « Enregistrer » → the receipt (route "receipt").

The screen is a frame — « Retour » left, the step's question and « Étape n sur 5 » in the middle,
« Annuler » right — around the current step (screens/record_steps/). The rules live in
`screens.record_flow` (plain Python, unit-tested); this module moves between steps, hands the partners'
card taps to `screens.record_taps` (a visitor's card is asked of the hub there) and calls the services.
« Annuler » asks first when something was entered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout

from kiosk.domain import Identification, Member
from kiosk.errors import KioskError, codes
from screens.base import KioskScreen
from screens.record_flow import RecordFlow, Step
from screens.record_steps.base import WizardStep
from screens.record_steps.choice_steps import KindStep, ListingStep, SubthemeStep, ThemeStep
from screens.record_steps.partner_step import PartnersStep
from screens.record_steps.typing_steps import GuestStep, SearchStep, TitleStep
from screens.record_steps.when_steps import DurationStep, SummaryStep
from screens.record_steps.wording import Kind
from screens.record_taps import PartnerTaps
from screens.widgets import buttons, text  # noqa: F401  (the kv rules use their classes)

STEP_WIDGETS: dict[Step, type[WizardStep]] = {
    Step.KIND: KindStep,
    Step.LISTING: ListingStep,
    Step.THEME: ThemeStep,
    Step.SUBTHEME: SubthemeStep,
    Step.TITLE: TitleStep,
    Step.PARTNERS: PartnersStep,
    Step.SEARCH: SearchStep,
    Step.GUEST: GuestStep,
    Step.DURATION: DurationStep,
    Step.SUMMARY: SummaryStep,
}
# « Étape n sur 5 »: the side steps count as the question they belong to.
STEP_NUMBERS = {
    Step.KIND: 1,
    Step.LISTING: 2,
    Step.THEME: 2,
    Step.SUBTHEME: 2,
    Step.TITLE: 2,
    Step.PARTNERS: 3,
    Step.SEARCH: 3,
    Step.GUEST: 3,
    Step.DURATION: 4,
    Step.SUMMARY: 5,
}
STEP_TOTAL = 5
SEARCH_LIMIT = 10

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


class CancelQuestion(AnchorLayout):  # type: ignore[misc]  # Kivy is untyped
    """« Abandonner cet échange ? » over the wizard; it swallows every touch until answered."""

    wizard = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


class RecordScreen(KioskScreen):
    question = StringProperty("")
    step_number = NumericProperty(1)
    step_total = NumericProperty(STEP_TOTAL)
    asking_cancel = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self.flow: RecordFlow | None = None
        self._cancel_question: CancelQuestion | None = None
        self._partner_taps = PartnerTaps(self)
        super().__init__(**kwargs)
        self.steps: dict[Step, WizardStep] = {}
        for step, widget_class in STEP_WIDGETS.items():
            widget = widget_class(name=step.value, wizard=self)
            self.steps[step] = widget
            self.ids.steps.add_widget(widget)

    # --- the shell's calls ----------------------------------------------------------------------------

    def prepare(self, **_params: Any) -> None:
        """Every visit starts afresh, for the member of the session."""
        self.wipe()
        member = self.session.member
        if member is None:
            raise KioskError(codes.MEMBER_NOT_FOUND)  # the shell opens the wizard for a session only
        services = self.ctx.services
        listings = services.listings.of_member(member.id)
        # the themes read afresh: a pull may have added one of the collective's own since the last visit
        self.flow = RecordFlow(member, listings, services.themes.catalogue(), self.ctx.clock.now())
        self.show()

    def wipe(self) -> None:
        self._close_cancel_question()
        for step in self.steps.values():
            step.wipe()
        self.flow = None
        self.ids.steps.current = Step.KIND.value
        self.question = ""

    def refresh_language(self) -> None:
        if self.flow is not None:
            self.flow.refresh_language()
            self.show()

    def on_identified(self, identification: Identification) -> bool:
        """A partner's card (or pass) while the wizard is open: they join the exchange."""
        return self._partner_taps.presented(identification)

    # --- moving ---------------------------------------------------------------------------------------

    def go_back(self) -> None:
        if self.flow is not None and self.flow.back():
            self.show()
        else:
            self.shell.back()

    def cancel(self) -> None:
        if self.flow is not None and self.flow.has_entries:
            self._open_cancel_question()
        else:
            self.leave()

    def leave(self) -> None:
        """Abandon: nothing was recorded, back to the member's home."""
        self.wipe()
        self.shell.home()

    def keep_going(self) -> None:
        self._close_cancel_question()

    def _open_cancel_question(self) -> None:
        if self._cancel_question is None:
            self._cancel_question = CancelQuestion(wizard=self)
            self.add_widget(self._cancel_question)
            self.asking_cancel = True

    def _close_cancel_question(self) -> None:
        if self._cancel_question is not None:
            self.remove_widget(self._cancel_question)
            self._cancel_question = None
            self.asking_cancel = False

    def _act(self, action: Any, *args: Any) -> None:
        """Run one flow action; a refusal is said calmly and the step stays."""
        if self.flow is None:
            return
        try:
            action(*args)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
        self.show()

    def show(self) -> None:
        """The flow's current step on show, with its question and number."""
        flow = self.flow
        if flow is None:
            return
        step = self.steps[flow.step]
        step.refresh(flow)
        self.ids.steps.current = flow.step.value
        self.question = step.question
        self.step_number = STEP_NUMBERS[flow.step]

    # --- the steps' calls -----------------------------------------------------------------------------

    def choose_kind(self, kind: str) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_kind, Kind(kind))

    def choose_listing(self, listing_id: str) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_listing, listing_id)

    def other_theme(self) -> None:
        assert self.flow is not None
        self._act(self.flow.other_theme)

    def choose_top_theme(self, theme_id: str) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_top_theme, theme_id)

    def choose_theme(self, theme_id: str) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_theme, theme_id)

    def submit_title(self, typed: str) -> None:
        assert self.flow is not None
        self._act(self.flow.set_title, typed)

    def search_absent(self) -> None:
        assert self.flow is not None
        self.steps[Step.SEARCH].ids.field.text = ""
        self._act(self.flow.search_absent)

    def search(self, typed: str) -> None:
        """Pseudonyms as they are typed (accents ignored); nothing before the first letter."""
        step = self.steps[Step.SEARCH]
        if self.flow is None or not isinstance(step, SearchStep):
            return
        found: list[Member] = []
        if typed.strip():
            found = self.flow.search_results(self.ctx.services.members.find(typed, limit=SEARCH_LIMIT))
        step.show_results(found, typed)

    def pick_absent(self, member: Member) -> None:
        assert self.flow is not None
        self._act(self.flow.pick_absent, member)

    def add_guest_step(self) -> None:
        assert self.flow is not None
        self.steps[Step.GUEST].ids.field.text = ""
        self._act(self.flow.add_guest_step)

    def submit_guest(self, typed: str) -> None:
        assert self.flow is not None
        self._act(self.flow.add_guest, typed)

    def remove_partner(self, index: int) -> None:
        assert self.flow is not None
        self._act(self.flow.remove_partner, index)

    def partners_done(self) -> None:
        assert self.flow is not None
        self._act(self.flow.partners_done)

    def choose_duration(self, minutes: int) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_duration, minutes)

    def adjust_duration(self, delta: int) -> None:
        assert self.flow is not None
        self._act(self.flow.adjust_duration, delta)

    def choose_day(self, days_ago: int) -> None:
        assert self.flow is not None
        self._act(self.flow.choose_day, days_ago)

    def duration_done(self) -> None:
        assert self.flow is not None
        self._act(self.flow.duration_done)

    def save(self) -> None:
        """Write through the services, wake the sync worker, then show the receipt."""
        flow = self.flow
        if flow is None:
            return
        try:
            exchange = flow.save(self.ctx.services)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            self.show()
            return
        self.ctx.after_write()
        self.shell.go("receipt", exchange_id=exchange.id)
