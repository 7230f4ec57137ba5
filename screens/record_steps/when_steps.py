"""« Combien de temps ? » (quick choices, − / + by 15 minutes, the day) and the one-sentence summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.i18n import _
from screens.record_flow import DAYS_BACK, QUICK_DURATIONS
from screens.record_steps.base import WizardStep
from screens.record_steps.wording import Kind, day_choice_text, duration_text, waiting_line
from screens.widgets import buttons, chips, text  # noqa: F401  (the kv rules use their classes)

if TYPE_CHECKING:
    from screens.record_flow import RecordFlow

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


def partners_line(flow: RecordFlow) -> str:
    """Cards keep coming during a workshop: say who is in, and that others may still tap."""
    if not flow.partners:
        return ""
    return _("Avec {names}. D’autres personnes peuvent encore passer leur carte.").format(
        names=flow.partner_names()
    )


class DurationStep(WizardStep):
    quick = ListProperty([(minutes, duration_text(minutes)) for minutes in QUICK_DURATIONS])
    duration_min = NumericProperty(0)  # 0: nothing chosen yet
    duration_label = StringProperty("")
    partners = StringProperty("")

    def refresh(self, flow: RecordFlow) -> None:
        self.duration_min = flow.duration_min or 0
        self.duration_label = duration_text(flow.duration_min) if flow.duration_min else ""
        self.partners = partners_line(flow)
        days = self.ids.days
        days.choices = [(str(n), day_choice_text(n, flow.day_moment(n))) for n in range(DAYS_BACK + 1)]
        days.selected = [str(flow.days_ago)]

    def wipe(self) -> None:
        self.partners = ""


class SummaryStep(WizardStep):
    sentence = StringProperty("")
    waiting = StringProperty("")
    group = BooleanProperty(False)  # someone taught a group: more learners may still tap
    saving = BooleanProperty(False)  # « Enregistrer » was tapped: a second tap records nothing more

    def refresh(self, flow: RecordFlow) -> None:
        self.sentence = flow.summary()
        self.waiting = waiting_line(flow.waiting_names())
        self.group = flow.kind is Kind.TAUGHT
        self.saving = flow.saved is not None

    def wipe(self) -> None:
        self.sentence = self.waiting = ""
