"""`FlatScreenManager`: a ScreenManager that does not clip its screens.

Kivy's ScreenManager clips with a stencil so that a sliding screen does not spill over its neighbours:
at every frame it fills its whole area twice into the stencil buffer and draws every screen with the
stencil test on. With no transition (the kiosk switches screens at once) there is nothing to clip, and a
software renderer pays for those two full-window passes at every frame (~4 ms at 800×480 under llvmpipe).
Use it only with `NoTransition` (or a transition that stays inside the manager).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import ScreenManager


class FlatScreenManager(ScreenManager):  # type: ignore[misc]  # Kivy is untyped
    pass


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["FlatScreenManager"]
