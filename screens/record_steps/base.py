"""What every step of the record wizard shares: its question, a link to the wizard, `refresh`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

if TYPE_CHECKING:
    from screens.record_flow import RecordFlow


class WizardStep(Screen):  # type: ignore[misc]  # Kivy is untyped
    # The RecordScreen: kv rules call its methods (`root.wizard.choose_kind("taught")`).
    wizard = ObjectProperty(None, allownone=True)
    # The step's question, shown in the wizard's top bar (a kv rule with tr._ so it follows the language).
    question = StringProperty("")

    def refresh(self, flow: RecordFlow) -> None:
        """Fill what comes from the flow (lists, computed sentences). Called each time the step shows and
        after a language switch."""

    def wipe(self) -> None:
        """Forget anything personal drawn by `refresh` (the session ended)."""

    def first_focus(self) -> Any:
        """The text field the keyboard types into, if the step has one."""
        return None
