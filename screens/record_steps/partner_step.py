"""« Avec qui ? »: partners tap their cards now, or are picked (absent member, passer-by without a card)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_, _
from screens.record_flow import PartnerEntry
from screens.record_steps.base import WizardStep
from screens.record_steps.wording import Kind
from screens.widgets import buttons, text  # noqa: F401  (the kv rules use their classes)

if TYPE_CHECKING:
    from screens.record_flow import RecordFlow

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

# Who should tap, said from the recorder's side of the exchange.
WHO_TAPS = {
    Kind.TAUGHT: N_("Les personnes qui ont appris passent leur carte, l’une après l’autre."),
    Kind.LEARNED: N_("La personne qui vous a appris passe sa carte."),
    Kind.SERVICE_GIVEN: N_("La personne que vous avez aidée passe sa carte."),
    Kind.SERVICE_RECEIVED: N_("La personne qui vous a aidé passe sa carte."),
}


def partner_status(entry: PartnerEntry) -> str:
    if entry.guest:
        return _("sans carte")
    if entry.present:
        return _("carte passée")
    return _("confirmera plus tard")


class PartnerRow(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """One partner: name, how they take part, and « Retirer » for a mistake."""

    name = StringProperty("")
    status = StringProperty("")
    step = ObjectProperty(None, allownone=True)
    index = ObjectProperty(0)


class PartnersStep(WizardStep):
    who_taps = StringProperty("")
    has_partners = BooleanProperty(False)

    def refresh(self, flow: RecordFlow) -> None:
        self.who_taps = _(WHO_TAPS[flow.kind]) if flow.kind else ""
        self.has_partners = bool(flow.partners)
        box = self.ids.partner_list
        box.clear_widgets()
        for index, entry in enumerate(flow.partners):
            box.add_widget(PartnerRow(name=entry.name, status=partner_status(entry), step=self, index=index))

    def remove(self, index: int) -> None:
        self.wizard.remove_partner(index)

    def wipe(self) -> None:
        self.ids.partner_list.clear_widgets()
        self.has_partners = False
