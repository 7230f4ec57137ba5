"""Steps typed on the on-screen keyboard: the pseudonym, and the contact (after consent only)."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from screens.signup_flow import CONTACT_MAX, PSEUDONYM_MAX, SignupFlow
from screens.signup_steps.base import SignupStep, load_kv
from screens.widgets import buttons, keyboard, text  # noqa: F401  (the kv rules use their classes)


class TypedStep(SignupStep):
    """A text field, a « Suivant » button and the keyboard that types into the field."""

    max_chars = NumericProperty(0)
    hint = StringProperty("")  # French in the kv rules (tr._)
    advice = StringProperty("")

    def submit(self) -> None:
        """« Suivant » or the keyboard's OK."""

    def typed(self) -> str:
        return str(self.ids.field.text)

    def show_text(self, value: str) -> None:
        field = self.ids.field
        field.text = value
        field.cursor = (len(value), 0)

    def wipe(self) -> None:
        self.show_text("")


class PseudonymStep(TypedStep):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_chars=PSEUDONYM_MAX, **kwargs)

    def submit(self) -> None:
        self.screen.submit_pseudonym(self.typed())

    def load(self, flow: SignupFlow) -> None:
        self.show_text(flow.pseudonym)

    def keep_draft(self, flow: SignupFlow) -> None:
        flow.pseudonym = self.typed()[:PSEUDONYM_MAX]


class ContactStep(TypedStep):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_chars=CONTACT_MAX, **kwargs)

    def submit(self) -> None:
        self.screen.submit_contact(self.typed())

    def load(self, flow: SignupFlow) -> None:
        self.show_text(flow.contact)
        self.ids.keyboard.page = "digits"  # a phone number is the usual contact; letters are one key away

    def keep_draft(self, flow: SignupFlow) -> None:
        flow.contact = self.typed()[:CONTACT_MAX]


load_kv(__file__)
