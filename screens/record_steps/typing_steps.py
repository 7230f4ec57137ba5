"""Steps typed on the on-screen keyboard: the exchange's title, an absent member's pseudonym, a
passer-by's first name. Each is a text field over the keyboard; « OK » acts like the step's button."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty

from kiosk.domain import Member
from kiosk.services.exchanges import GUEST_NAME_MAX
from kiosk.services.listings import TITLE_MAX
from screens.record_steps.base import WizardStep
from screens.widgets import buttons, keyboard, text  # noqa: F401  (the kv rules use their classes)
from screens.widgets.buttons import BigButton

if TYPE_CHECKING:
    from screens.record_flow import RecordFlow

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

SEARCH_RESULTS_SHOWN = 3  # as many pseudonyms as fit beside the field at 800×480
SEARCH_MAX = 40


class TypingStep(WizardStep):
    def first_focus(self) -> Any:
        return self.ids.field

    def on_enter(self, *_args: Any) -> None:
        """Shown: the keyboard types into the field at once (no tap on the field needed)."""
        self.ids.keyboard.target = self.ids.field

    def wipe(self) -> None:
        self.ids.field.text = ""


class TitleStep(TypingStep):
    max_chars = TITLE_MAX

    def refresh(self, flow: RecordFlow) -> None:
        self.ids.field.text = flow.title


class GuestStep(TypingStep):
    max_chars = GUEST_NAME_MAX


class SearchStep(TypingStep):
    """Pseudonyms matching what is typed, accents ignored (services.members.find), as big buttons."""

    max_chars = SEARCH_MAX
    nothing_found = BooleanProperty(False)

    def refresh(self, flow: RecordFlow) -> None:
        self.wizard.search(self.ids.field.text)  # redraws the results (and the hint) for what is typed

    def show_results(self, members: list[Member], typed: str) -> None:
        box = self.ids.results
        box.clear_widgets()
        self.nothing_found = bool(typed.strip()) and not members
        self.ids.hint.opacity = 0 if members else 1
        for member in members[:SEARCH_RESULTS_SHOWN]:
            button = BigButton(text=member.pseudonym, kind="secondary", wrap=False)
            button.bind(on_release=lambda _button, chosen=member: self.wizard.pick_absent(chosen))
            box.add_widget(button)

    def wipe(self) -> None:
        super().wipe()
        self.ids.results.clear_widgets()
