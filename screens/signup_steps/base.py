"""What every sign-up step widget has: its screen, its title, and load / collect of the flow's entries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

if TYPE_CHECKING:
    from screens.signup_flow import SignupFlow


def load_kv(module_file: str) -> None:
    """Load the .kv beside a module once, however often the module is imported (tests re-import)."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


class SignupStep(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    # the SignupScreen (kv rules call its actions); set when the screen builds the step
    screen = ObjectProperty(None, allownone=True, rebind=True)
    # French text in the kv rule (tr._), so the header follows a language switch by itself
    title = StringProperty("")

    def load(self, flow: SignupFlow) -> None:
        """Show the flow's entries (coming back to a step keeps what was chosen or typed)."""

    def keep_draft(self, flow: SignupFlow) -> None:
        """Leaving by « Retour »: keep what was typed but not yet checked."""

    def wipe(self) -> None:
        """Forget every entry shown (end of session, or a new person)."""

    def refresh_language(self) -> None:
        """Redo the labels computed in Python."""
