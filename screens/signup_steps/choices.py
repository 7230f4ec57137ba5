"""Steps chosen by touching big chips: the quartier (one) and the languages spoken (several)."""

from __future__ import annotations

from kivy.properties import ListProperty

from kiosk.i18n import _
from screens.signup_flow import LANGUAGE_CHOICES, SignupFlow
from screens.signup_steps.base import SignupStep, load_kv
from screens.widgets import buttons, chips, text  # noqa: F401  (the kv rules use their classes)


class QuartierStep(SignupStep):
    # the names from kiosk.quartiers.load_quartiers (set by the screen); shown as they are, except the
    # catalogue's own words such as "Autre quartier", which gettext translates
    quartiers = ListProperty([])

    def load(self, flow: SignupFlow) -> None:
        self.refresh_language()
        self.ids.chips.selected = [flow.quartier] if flow.quartier else []

    def refresh_language(self) -> None:
        self.ids.chips.choices = [(name, _(name)) for name in self.quartiers]

    def wipe(self) -> None:
        self.ids.chips.selected = []


class LanguagesStep(SignupStep):
    def load(self, flow: SignupFlow) -> None:
        self.refresh_language()
        self.ids.chips.selected = list(flow.languages)

    def refresh_language(self) -> None:
        self.ids.chips.choices = [(code, _(label)) for code, label in LANGUAGE_CHOICES]

    def wipe(self) -> None:
        self.ids.chips.selected = []


load_kv(__file__)
