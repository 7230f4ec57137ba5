"""Steps answered by one tap: what happened, one of my listings, a theme, a sub-theme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.i18n import _
from screens.record_steps.base import WizardStep
from screens.widgets import buttons, chips, text  # noqa: F401  (the kv rules use their classes)
from screens.widgets.buttons import BigButton

if TYPE_CHECKING:
    from screens.record_flow import RecordFlow

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


class KindStep(WizardStep):
    selected = StringProperty("")  # the kind chosen before, highlighted when « Retour » brings us back

    def refresh(self, flow: RecordFlow) -> None:
        self.selected = flow.kind.value if flow.kind else ""


class ListingStep(WizardStep):
    """My listings that fit the kind: one tap picks theme and title together."""

    listing_kind = StringProperty("offer")

    def refresh(self, flow: RecordFlow) -> None:
        self.listing_kind = flow.kind.listing_kind.value if flow.kind else "offer"
        box = self.ids.listings
        box.clear_widgets()
        for listing in flow.listings():
            button = BigButton(
                text=listing.title,
                kind="primary" if listing.id == flow.listing_id else "secondary",
                halign="left",
            )
            button.bind(on_release=lambda _button, chosen=listing.id: self.wizard.choose_listing(chosen))
            box.add_widget(button)

    def wipe(self) -> None:
        self.ids.listings.clear_widgets()


class ThemeStep(WizardStep):
    def refresh(self, flow: RecordFlow) -> None:
        chips_widget = self.ids.themes
        chips_widget.choices = [(theme.id, flow.theme_label(theme.id)) for theme in flow.top_themes()]
        chips_widget.selected = [flow.top_theme_id] if flow.top_theme_id else []


class SubthemeStep(WizardStep):
    top_label = StringProperty("")

    def refresh(self, flow: RecordFlow) -> None:
        self.top_label = flow.theme_label(flow.top_theme_id)
        choices = [(theme.id, flow.theme_label(theme.id)) for theme in flow.subthemes()]
        if flow.top_theme_id:
            # The top theme itself, for what fits none of its sub-themes
            choices.append((flow.top_theme_id, _("Autre chose en « {theme} »").format(theme=self.top_label)))
        chips_widget = self.ids.subthemes
        chips_widget.choices = choices
        chips_widget.selected = [flow.theme_id] if flow.theme_id in dict(choices) else []
