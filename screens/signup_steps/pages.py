"""Steps that are mostly reading: the welcome, the consent question, and the summary before signing up."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import _
from screens.signup_flow import CONSENT_TEXT, LANGUAGE_LABELS, SignupFlow
from screens.signup_steps.base import SignupStep, load_kv
from screens.widgets import buttons, text  # noqa: F401  (the kv rules use their classes)


class WelcomeStep(SignupStep):
    """What the collective is and what signing up means, before anything is asked."""


class ConsentStep(SignupStep):
    """The explicit question before any contact is typed; « Oui » and « Non, merci » weigh the same."""

    consent_text = StringProperty(CONSENT_TEXT)  # French id; the kv rule translates it


def language_names(codes: list[str]) -> str:
    return ", ".join(_(LANGUAGE_LABELS[code]) for code in codes if code in LANGUAGE_LABELS)


class SignupSummaryStep(SignupStep):
    """Everything entered, once more, before « Je m'inscris »."""

    pseudonym = StringProperty("")
    quartier = StringProperty("")
    languages = StringProperty("")
    contact = StringProperty("")
    has_contact = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._flow: SignupFlow | None = None

    def load(self, flow: SignupFlow) -> None:
        self._flow = flow
        self.pseudonym = flow.pseudonym
        self.contact = flow.registration().contact or ""
        self.has_contact = bool(self.contact)
        self.refresh_language()

    def refresh_language(self) -> None:
        if self._flow is None:
            return
        self.quartier = _(self._flow.quartier)  # "Autre quartier" is translated; names stay as they are
        self.languages = language_names(self._flow.languages)

    def wipe(self) -> None:
        self._flow = None
        self.pseudonym = self.quartier = self.languages = self.contact = ""
        self.has_contact = False


load_kv(__file__)
